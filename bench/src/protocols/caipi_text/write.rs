//! A run's files: `metrics.csv`, `summary.json` and `explained.html`.

use crate::data::spam::corpus::Mail;
use crate::error::Result;
use crate::protocols::caipi_text::data::{Headers, TextData};
use crate::protocols::caipi_text::html::{explained_mail, page};
use crate::protocols::caipi_text::{TextRow, TextRun, TextSettings, summarize};
use crate::report::files::{write_atomically, write_results};
use std::path::Path;

/// Messages rendered in `explained.html`.
pub const RENDERED: usize = 6;

/// The summary JSON of a run: the promised keys, the corpus figures and the
/// settings.
pub fn summary_json(
    settings: &TextSettings,
    data: &TextData,
    headers: Headers,
    rows: &[TextRow],
    seconds: f64,
) -> serde_json::Value {
    let summary = summarize(rows);
    serde_json::json!({
        "test_explanation_f1": summary.test_explanation_f1,
        "query_explanation_f1": summary.query_explanation_f1,
        "test_f1": summary.test_f1,
        "header_share": summary.header_share,
        "counterexamples": summary.counterexamples,
        "removed_words": summary.removed_words,
        "removed_supporting_share": summary.removed_supporting_share,
        "seconds": seconds,
        "corpus": data.stats,
        "vocabulary": data.vocabulary.len(),
        "gold_words": data.gold_count(),
        "gold_share": data.gold_share(),
        "gold_c": data.gold_c,
        "gold_curve": data.gold_curve,
        "headers": headers,
        "settings": settings,
    })
}

/// Writes `metrics.csv`, `summary.json` and `explained.html` (the first test
/// messages of each class in fold 0, explained by its final model) under
/// `dir`.
///
/// # Errors
/// A one-line message when a file cannot be written.
pub fn write_run(
    dir: &Path,
    summary: &serde_json::Value,
    data: &TextData,
    mails: &[Mail],
    result: &TextRun,
    headers: Headers,
) -> Result<()> {
    write_results(dir, &result.rows, summary)?;
    // The first test messages of each class, ham then spam.
    let sections: Vec<String> = [0u8, 1]
        .iter()
        .flat_map(|&class| result.test.iter().filter(move |&&i| data.labels[i] == class).take(RENDERED / 2))
        .map(|&i| explained_mail(data, &result.theta, i, &mails[i], headers))
        .collect();
    write_atomically(
        &dir.join("explained.html"),
        page("E-mails explained by the final model of fold 0", &sections).as_bytes(),
    )
}
