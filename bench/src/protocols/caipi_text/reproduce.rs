//! `reproduce caipi-text`: CAIPI's Fig. 3 on e-mails, with and without
//! word corrections, with figures and a report — in the paper's setting
//! (headers stripped, LIME on the queries, the gold model's C chosen so its
//! gold words come closest to a fifth of the vocabulary) and in xil's
//! earlier one (headers kept, exact explanations, gold C = 10).

use super::write::{summary_json, write_run};
use super::{Corpus, TextSource};
use crate::data::spam::corpus::LoadStats;
use crate::error::{Error, Result};
use crate::harness::protocol::{ReproduceSettings, Reproduction, Sizes};
use crate::harness::record::Record;
use crate::harness::seeds::Stream;
use crate::protocols::caipi_text::data::{GOLD_C, GoldC, GoldPoint, Headers, PAPER_GOLD_SHARE, TextData};
use crate::protocols::caipi_text::tfidf::Limits;
use crate::protocols::caipi_text::{QueryExplainer, TextRow, TextSettings, run};
use crate::report::figures::{Figure, PALETTE, Series, band, fold_curves};
use crate::report::files::{prepare_dir, write_atomically};
use serde::{Deserialize, Serialize};
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

/// One of the reproduction's two settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextVariant {
    /// Its folder and name in the report.
    pub name: &'static str,
    /// Whether header words are features.
    pub headers: Headers,
    /// How the queries are explained.
    pub explainer: QueryExplainer,
}

/// The paper's setting first, then xil's earlier one.
pub const VARIANTS: [TextVariant; 2] = [
    TextVariant { name: "paper", headers: Headers::Strip, explainer: QueryExplainer::Lime },
    TextVariant { name: "earlier", headers: Headers::Keep, explainer: QueryExplainer::Exact },
];

/// One run of `reproduce caipi-text`: a variant with or without
/// corrections, its folds in parallel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextUnit {
    /// The variant's name (`paper`, `earlier`).
    pub variant: String,
    /// The run, checked against the corpus when it runs.
    pub settings: TextSettings,
    /// Its random streams.
    pub stream: String,
}

/// The units: per variant, the run without corrections, then with.
pub fn units(scale: TextScale, seed: u64) -> Vec<TextUnit> {
    let mut units = Vec::new();
    for variant in VARIANTS {
        for corrections in [false, true] {
            let settings = TextSettings {
                folds: scale.folds,
                iterations: scale.iterations,
                explainer: variant.explainer,
                ..TextSettings::paper(corrections, seed)
            };
            let stream = format!(
                "{:?}, {:?} .. {:?}",
                Stream::TextFolds,
                Stream::TextFold(0),
                Stream::TextFold(scale.folds - 1)
            );
            units.push(TextUnit { variant: variant.name.into(), settings, stream });
        }
    }
    units
}

/// What the report says of a variant's corpus, taken by each of its units
/// from the data they ran on, so that the merge reads no corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorpusFacts {
    /// Messages read, skipped and charset errors.
    pub stats: LoadStats,
    /// Words in the vocabulary.
    pub vocabulary: usize,
    /// Of those, words from headers.
    pub header_words: usize,
    /// The gold model's C.
    pub gold_c: f32,
    /// Gold words.
    pub gold_count: usize,
    /// Gold words / vocabulary.
    pub gold_share: f32,
    /// The gold share at each C tried (one point when C is fixed).
    pub gold_curve: Vec<GoldPoint>,
}

impl CorpusFacts {
    fn of(data: &TextData) -> Self {
        let vocabulary = data.vocabulary.len();
        CorpusFacts {
            stats: data.stats,
            vocabulary,
            header_words: (0..vocabulary as u32).filter(|&w| data.vocabulary.is_header(w)).count(),
            gold_c: data.gold_c,
            gold_count: data.gold_count(),
            gold_share: data.gold_share(),
            gold_curve: data.gold_curve.clone(),
        }
    }
}

/// What a unit of `reproduce caipi-text` hands to the merge.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TextOutcome {
    /// The run's summary.
    pub summary: serde_json::Value,
    /// Every fold's rows.
    pub rows: Vec<TextRow>,
    /// The variant's corpus.
    pub facts: CorpusFacts,
}

/// Runs one unit and writes its folder (`<variant>/corrections-on|off/`)
/// under `out`; returns its summary, rows and corpus facts.
///
/// # Errors
/// A one-line message when the run fails or a file cannot be written.
pub fn run_unit(
    out: &Path,
    corpora: &TextCorpora,
    unit: &TextUnit,
    on_query: &(dyn Fn() + Sync),
) -> Result<TextOutcome> {
    let (variant, data) = VARIANTS
        .iter()
        .zip([&corpora.corpus.data, &corpora.earlier])
        .find(|(variant, _)| variant.name == unit.variant)
        .ok_or_else(|| Error::Settings(format!("caipi-text has no variant {}", unit.variant)))?;
    let started = std::time::Instant::now();
    let result = run(&unit.settings, data, &crate::harness::observe::ticking(on_query))?;
    let mut summary =
        summary_json(&unit.settings, data, variant.headers, &result.rows, started.elapsed().as_secs_f64());
    if let Some(map) = summary.as_object_mut() {
        map.insert("variant".into(), variant.name.into());
    }
    let name = if unit.settings.corrections { "corrections-on" } else { "corrections-off" };
    write_run(&out.join(variant.name).join(name), &summary, data, &corpora.corpus.mails, &result, variant.headers)?;
    Ok(TextOutcome { summary, rows: result.rows, facts: CorpusFacts::of(data) })
}

/// A variant as the report shows it: its name, its corpus, its runs
/// (corrections or not, every fold's rows).
type Variant = (String, CorpusFacts, Vec<(bool, Vec<TextRow>)>);

/// Writes each variant's figures and `report.md` under `out` from the
/// units' outcomes; returns the runs' summaries.
///
/// # Errors
/// A one-line message when a file cannot be written.
pub fn merge(
    out: &Path,
    scale: TextScale,
    seed: u64,
    outcomes: Vec<(TextUnit, TextOutcome)>,
) -> Result<Vec<serde_json::Value>> {
    let mut variants: Vec<Variant> = Vec::new();
    let mut summaries = Vec::new();
    for (unit, outcome) in outcomes {
        let run = (unit.settings.corrections, outcome.rows);
        match variants.last_mut() {
            Some((name, _, runs)) if *name == unit.variant => runs.push(run),
            _ => variants.push((unit.variant, outcome.facts, vec![run])),
        }
        summaries.push(outcome.summary);
    }
    for (name, _, runs) in &variants {
        let dir = out.join(name);
        prepare_dir(&dir)?;
        figures(&dir, runs)?;
    }
    write_atomically(&out.join("report.md"), report(&variants, scale, seed, &summaries).as_bytes())?;
    Ok(summaries)
}

fn report(variants: &[Variant], scale: TextScale, seed: u64, summaries: &[serde_json::Value]) -> String {
    let mut text = String::from("# CAIPI on e-mails (SpamAssassin; CAIPI Fig. 3 protocol)\n\n");
    let stats = variants.first().map(|(_, facts, _)| facts.stats).unwrap_or_default();
    let _ = writeln!(
        text,
        "{} folds x {} queries, seed {seed}; {} messages read, {} skipped as malformed, {} charset errors replaced.\n",
        scale.folds, scale.iterations, stats.files, stats.skipped, stats.charset_errors,
    );
    for (name, facts, _) in variants {
        let heading = if name == "paper" {
            "The paper's setting: headers stripped, LIME on the queries, gold C chosen by share"
        } else {
            "xil's earlier setting: headers kept, exact explanations, gold C = 10"
        };
        let _ = writeln!(text, "## {heading} (`{name}/`)\n");
        let _ = writeln!(
            text,
            "Vocabulary {} words ({} from headers); gold model C = {}: {} gold words, {:.1} % of the vocabulary \
             (the paper: about 20 %).\n",
            facts.vocabulary,
            facts.header_words,
            facts.gold_c,
            facts.gold_count,
            100.0 * facts.gold_share
        );
        if facts.gold_curve.len() > 1 {
            text.push_str("| gold model C | gold share of the vocabulary |\n|---:|---:|\n");
            for point in &facts.gold_curve {
                let _ = writeln!(text, "| {} | {:.2} % |", point.c, 100.0 * point.share);
            }
            text.push('\n');
        }
        text.push_str(
            "| corrections | test explanation F1 | query explanation F1 | test F1 | header share of explanations | \
             counterexamples per fold | words removed per fold (share the gold model weighs toward the label) |\n\
             |---|---:|---:|---:|---:|---:|---:|\n",
        );
        let of_variant = summaries.iter().filter(|s| s["variant"] == name.as_str());
        for (summary, name) in of_variant.zip(["off", "on"]) {
            let value = |key: &str| summary[key].as_f64().unwrap_or(f64::NAN);
            let _ = writeln!(
                text,
                "| {name} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} | {:.1} ({:.2}) |",
                value("test_explanation_f1"),
                value("query_explanation_f1"),
                value("test_f1"),
                value("header_share"),
                value("counterexamples"),
                value("removed_words"),
                value("removed_supporting_share")
            );
        }
        text.push('\n');
    }
    text.push_str(
        "Values after the last query (query F1: mean over all queries with gold words), means over folds. \
         Figures in each setting's folder: test_explanation_f1, query_explanation_f1, test_f1_spam, header_share, \
         counterexamples (.png/.svg). Explained messages: */corrections-*/explained.html.\n",
    );
    text
}

/// The corpus prepared for both settings: the paper's (with the mails) and
/// the earlier one.
#[derive(Debug, Clone)]
pub struct TextCorpora {
    /// The mails and the paper setting's words and gold explanations.
    pub corpus: Corpus,
    /// The earlier setting's words and gold explanations.
    pub earlier: TextData,
}

/// `xil-bench reproduce caipi-text`.
#[derive(Debug, Clone, Copy)]
pub struct TextReproduction;

impl Reproduction for TextReproduction {
    const NAME: &'static str = "caipi-text";
    const STEP: &'static str = "queries";
    type Settings = ReproduceSettings;
    /// The corpus folder.
    type Source = Option<std::path::PathBuf>;
    type Data = TextCorpora;
    type Unit = TextUnit;
    type Outcome = TextOutcome;

    fn ticks(settings: &ReproduceSettings) -> usize {
        let scale = TextScale::of(settings.scale);
        VARIANTS.len() * 2 * scale.folds * scale.iterations
    }

    fn load(_: &ReproduceSettings, corpus: &Option<std::path::PathBuf>) -> Result<TextCorpora> {
        let paper = VARIANTS[0];
        let source =
            TextSource { corpus: corpus.clone(), headers: paper.headers, gold: GoldC::Share(PAPER_GOLD_SHARE) };
        let corpus = Corpus::load(&source)?;
        let earlier = TextData::prepare(
            &corpus.mails,
            corpus.data.stats,
            VARIANTS[1].headers,
            GoldC::Fixed(GOLD_C),
            Limits::default(),
        );
        Ok(TextCorpora { corpus, earlier })
    }

    fn loaded(corpora: &TextCorpora) -> Option<String> {
        Some(corpora.corpus.found())
    }

    fn units(settings: &ReproduceSettings) -> Result<Vec<TextUnit>> {
        Ok(units(TextScale::of(settings.scale), settings.seed))
    }

    fn run_unit(
        dir: &Path,
        _: &ReproduceSettings,
        corpora: &TextCorpora,
        unit: &TextUnit,
        tick: &(dyn Fn() + Sync),
    ) -> Result<TextOutcome> {
        run_unit(dir, corpora, unit, tick)
    }

    fn merge(
        dir: &Path,
        settings: &ReproduceSettings,
        outcomes: Vec<(TextUnit, TextOutcome)>,
    ) -> Result<Vec<serde_json::Value>> {
        merge(dir, TextScale::of(settings.scale), settings.seed, outcomes)
    }
}
