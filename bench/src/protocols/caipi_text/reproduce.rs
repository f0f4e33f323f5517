//! `reproduce caipi-text`: CAIPI's Fig. 3 on e-mails, with and without
//! word corrections, with figures and a report.

use super::write::{summary_json, write_run};
use super::{Corpus, TextSource};
use crate::data::spam::corpus::Mail;
use crate::error::Result;
use crate::harness::protocol::{ReproduceSettings, Reproduction, Sizes};
use crate::harness::record::Record;
use crate::protocols::caipi_text::data::{Headers, TextData};
use crate::protocols::caipi_text::{TextRow, TextSettings, run};
use crate::report::figures::{Figure, PALETTE, Series, band, fold_curves};
use crate::report::files::{prepare_dir, write_atomically};
use std::fmt::Write as _;
use std::path::Path;

/// How much of the protocol to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextScale {
    /// Folds.
    pub folds: usize,
    /// Queries per fold.
    pub iterations: usize,
}

impl Sizes for TextScale {
    /// The protocol: 10 folds, 300 queries.
    const FULL: Self = Self { folds: 10, iterations: 300 };
    /// A first look (and CI's check): 3 folds, 60 queries.
    const QUICK: Self = Self { folds: 3, iterations: 60 };
}

/// Running mean of the query F1 per fold (queries without gold words skipped).
fn running_query_f1(rows: &[TextRow]) -> Vec<Vec<f32>> {
    fold_curves(rows, TextRow::fold, |r| r.query_f1)
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

/// Fig. 3: every metric of a row (test explanation F1, test F1, header
/// share, counterexamples) and the queries' explanation F1 (running mean),
/// per query, with and without corrections.
fn figures(out: &Path, runs: &[(bool, Vec<TextRow>)]) -> Result<()> {
    for metric in TextRow::METRICS {
        let curves = |rows: &[TextRow]| fold_curves(rows, TextRow::fold, metric.value);
        figure(out, runs, &metric.stem(), metric.panel, curves)?;
    }
    figure(out, runs, "query_explanation_f1", "e-mails: explanation F1 of the queries (running mean)", running_query_f1)
}

/// One figure: `curves` of the runs with and without corrections.
fn figure(
    out: &Path,
    runs: &[(bool, Vec<TextRow>)],
    stem: &str,
    y_label: &str,
    curves: impl Fn(&[TextRow]) -> Vec<Vec<f32>>,
) -> Result<()> {
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
    figure.save(&out.join(stem))
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
) -> Result<Vec<serde_json::Value>> {
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
         Figures: test_explanation_f1, query_explanation_f1, test_f1_spam, header_share, counterexamples (.png/.svg). \
         Explained messages: corrections-*/explained.html.\n",
    );
    text
}

/// `xil-bench reproduce caipi-text`.
#[derive(Debug, Clone, Copy)]
pub struct TextReproduction;

impl Reproduction for TextReproduction {
    const NAME: &'static str = "caipi-text";
    const STEP: &'static str = "queries";
    type Settings = ReproduceSettings;
    /// The corpus folder; header words are always kept.
    type Source = Option<std::path::PathBuf>;
    type Data = Corpus;

    fn ticks(settings: &ReproduceSettings) -> usize {
        let scale = TextScale::of(settings.scale);
        2 * scale.folds * scale.iterations
    }

    fn load(_: &ReproduceSettings, corpus: &Option<std::path::PathBuf>) -> Result<Corpus> {
        Corpus::load(&TextSource { corpus: corpus.clone(), headers: Headers::Keep })
    }

    fn loaded(corpus: &Corpus) -> Option<String> {
        Some(corpus.found())
    }

    fn reproduce(
        dir: &Path,
        settings: &ReproduceSettings,
        corpus: &Corpus,
        tick: &(dyn Fn() + Sync),
    ) -> Result<Vec<serde_json::Value>> {
        let scale = TextScale::of(settings.scale);
        let summaries = reproduce(dir, &corpus.data, &corpus.mails, scale, settings.seed, tick)?;
        Ok(summaries)
    }
}
