//! Results of CAIPI on e-mails: a run's files, and Fig. 3 reproduced (with
//! and without corrections) with a report.

use crate::report::figures::{Figure, PALETTE, Series, band, fold_curves};
use crate::report::files::{prepare_dir, write_atomically, write_results};
use crate::protocols::caipi_text::{TextRow, TextRun, TextSettings, run, summarize};
use crate::data::spam::corpus::Mail;
use crate::protocols::caipi_text::data::{Headers, TextData};
use crate::protocols::caipi_text::html::{explained_mail, page};
use std::fmt::Write as _;
use std::path::Path;

/// Messages rendered in `explained.html`.
pub const RENDERED: usize = 6;

/// The summary JSON of a run: the promised keys, the corpus figures and the
/// settings.
pub fn summary_json(settings: &TextSettings, data: &TextData, rows: &[TextRow], seconds: f64) -> serde_json::Value {
    let summary = summarize(rows);
    serde_json::json!({
        "test_explanation_f1": summary.test_explanation_f1,
        "query_explanation_f1": summary.query_explanation_f1,
        "test_f1": summary.test_f1,
        "header_share": summary.header_share,
        "counterexamples": summary.counterexamples,
        "seconds": seconds,
        "corpus": data.stats,
        "vocabulary": data.vocabulary.len(),
        "gold_words": data.gold_count(),
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
) -> Result<(), String> {
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

/// How much of the protocol to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextScale {
    /// Folds.
    pub folds: usize,
    /// Queries per fold.
    pub iterations: usize,
}

impl TextScale {
    /// The protocol: 10 folds, 300 queries.
    pub const FULL: Self = Self { folds: 10, iterations: 300 };
    /// A first look (and CI's check): 3 folds, 60 queries.
    pub const QUICK: Self = Self { folds: 3, iterations: 60 };
}

/// Running mean of the query F1 per fold (queries without gold words skipped).
fn running_query_f1(rows: &[TextRow]) -> Vec<Vec<f32>> {
    fold_curves(rows, |r| r.fold, |r| r.query_f1)
        .into_iter()
        .map(|values| {
            let (mut sum, mut count) = (0.0, 0);
            values
                .iter()
                .map(|&v| {
                    if v.is_finite() {
                        sum += v;
                        count += 1;
                    }
                    if count == 0 { 0.0 } else { sum / count as f32 }
                })
                .collect()
        })
        .collect()
}

/// Fig. 3: test explanation F1, query explanation F1 (running mean) and test
/// F1 per query, with and without corrections.
fn figures(out: &Path, runs: &[(bool, Vec<TextRow>)]) -> Result<(), String> {
    type Curves = fn(&[TextRow]) -> Vec<Vec<f32>>;
    let panels: [(&str, &str, Curves); 4] = [
        ("test_explanation_f1", "explanation F1 (test)", |rows| {
            fold_curves(rows, |r| r.fold, |r| r.test_explanation_f1)
        }),
        ("query_explanation_f1", "explanation F1 (queries, running mean)", running_query_f1),
        ("test_f1", "predictive F1 (test, spam)", |rows| fold_curves(rows, |r| r.fold, |r| r.test_f1)),
        ("header_share", "share of header words in explanations", |rows| {
            fold_curves(rows, |r| r.fold, |r| r.header_share)
        }),
    ];
    for (stem, y_label, curves) in panels {
        let series = runs
            .iter()
            .map(|(corrections, rows)| Series {
                label: if *corrections { "with corrections" } else { "without corrections" }.into(),
                colour: PALETTE[usize::from(*corrections)],
                dashed: !corrections,
                points: band(&curves(rows)),
            })
            .collect();
        let figure = Figure {
            title: format!("CAIPI on SpamAssassin: {y_label}"),
            x_label: "queries".into(),
            y_label: y_label.into(),
            series,
        };
        figure.save(&out.join(stem))?;
    }
    Ok(())
}

/// Runs CAIPI with and without corrections at `scale` and writes both runs,
/// the figures and `report.md` under `out`; returns the two summaries.
///
/// # Errors
/// A one-line message when a run fails or a file cannot be written.
pub fn reproduce(
    out: &Path,
    data: &TextData,
    mails: &[Mail],
    scale: TextScale,
    seed: u64,
    on_query: &(dyn Fn() + Sync),
) -> Result<Vec<serde_json::Value>, String> {
    prepare_dir(out)?;
    let mut runs = Vec::new();
    let mut summaries = Vec::new();
    for corrections in [false, true] {
        let settings =
            TextSettings { folds: scale.folds, iterations: scale.iterations, ..TextSettings::paper(corrections, seed) };
        let started = std::time::Instant::now();
        let result = run(&settings, data, &crate::harness::observe::ticking(on_query))?;
        let summary = summary_json(&settings, data, &result.rows, started.elapsed().as_secs_f64());
        let name = if corrections { "corrections-on" } else { "corrections-off" };
        write_run(&out.join(name), &summary, data, mails, &result, Headers::Keep)?;
        summaries.push(summary);
        runs.push((corrections, result.rows));
    }
    figures(out, &runs)?;
    write_atomically(&out.join("report.md"), report(data, scale, seed, &summaries).as_bytes())?;
    Ok(summaries)
}

fn report(data: &TextData, scale: TextScale, seed: u64, summaries: &[serde_json::Value]) -> String {
    let mut text = String::from("# CAIPI on e-mails (SpamAssassin; CAIPI Fig. 3 protocol)\n\n");
    let _ = writeln!(
        text,
        "{} folds x {} queries, seed {seed}; {} messages read, {} skipped as malformed, {} charset errors replaced; \
         vocabulary {} words ({} from headers), {} gold words.\n",
        scale.folds,
        scale.iterations,
        data.stats.files,
        data.stats.skipped,
        data.stats.charset_errors,
        data.vocabulary.len(),
        (0..data.vocabulary.len() as u32).filter(|&w| data.vocabulary.is_header(w)).count(),
        data.gold_count()
    );
    text.push_str(
        "| corrections | test explanation F1 | query explanation F1 | test F1 | header share of explanations | counterexamples per fold |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    for (summary, name) in summaries.iter().zip(["off", "on"]) {
        let value = |key: &str| summary[key].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            text,
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} |",
            value("test_explanation_f1"),
            value("query_explanation_f1"),
            value("test_f1"),
            value("header_share"),
            value("counterexamples")
        );
    }
    text.push_str(
        "\nValues after the last query (query F1: mean over all queries with gold words), means over folds. \
         Figures: test_explanation_f1, query_explanation_f1, test_f1, header_share (.png/.svg). \
         Explained messages: corrections-*/explained.html.\n",
    );
    text
}
