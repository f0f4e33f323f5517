//! CAIPI on e-mails, fold by fold (PROTOCOLS.md §2).
//!
//! Per fold of a stratified split: a few random labels to start, then `T`
//! queries by uncertainty sampling (probability closest to 1/2) with an
//! L2 logistic regression on TF-IDF rows. The model explains its prediction
//! for the query with the `k` words of largest contribution `|θ_w x_w|`
//! (exact for a linear model) or, with [`QueryExplainer::Lime`], the `k` words
//! LIME weighs most; `k` = the number of distinct gold words in the message. The simulated user labels it and, with corrections on and the
//! prediction right, names the explained words that are not gold; the
//! counterexample is the message without them (TF-IDF row renormalised to
//! the original norm), labelled with the prediction. Every refit is
//! warm-started.
//!
//! After each query the fold records the explanation F1 of the query, the
//! mean explanation F1 over the fold's test messages (those with gold words),
//! the test F1 of the spam class, and the share of explained test words that
//! are header tokens.

pub mod data;
pub mod evaluate;
pub mod gold_cache;
pub mod html;
pub mod kernel_shap;
pub mod lime;
pub mod logistic;
pub mod reproduce;
pub mod session;
pub mod tfidf;
pub mod write;

pub use data::{Corpus, TextSource};
use evaluate::f1;
pub use evaluate::{evaluate, explain, positive_f1};

use crate::error::{Error, Result};
use crate::harness::folds::{shuffle, stratified_folds};
use crate::harness::limits;
use crate::harness::observe::Observer;
use crate::harness::protocol::Protocol;
use crate::harness::record::{Metric, Record};
use crate::harness::seeds::Stream;
use crate::protocols::caipi_text::data::TextData;
use crate::protocols::caipi_text::session::TextSession;
use crate::protocols::caipi_text::tfidf::SparseRow;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How the query's explanation (the one the user corrects) is computed; the
/// test set is always explained exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueryExplainer {
    /// The linear model's exact contributions.
    Exact,
    /// LIME for text (200 samples, 10 repeats).
    Lime,
    /// Kernel SHAP over the message's words (2,048 evaluations).
    KernelShap,
}

/// Everything that defines one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextSettings {
    /// How queries are explained.
    pub explainer: QueryExplainer,
    /// Whether the user corrects explanations.
    pub corrections: bool,
    /// Cross-validation folds.
    pub folds: usize,
    /// Queries per fold.
    pub iterations: usize,
    /// Random labels per class before the first query.
    pub initial_per_class: usize,
    /// Weight of the data term of the L2 logistic regression.
    pub c: f32,
    /// Seed of folds and initial labels.
    pub seed: u64,
}

impl TextSettings {
    /// The protocol as the paper ran it: LIME explains the queries; 10
    /// folds, 300 queries, 5 initial labels per class, `C = 10`.
    pub fn paper(corrections: bool, seed: u64) -> Self {
        Self {
            explainer: QueryExplainer::Lime,
            corrections,
            folds: 10,
            iterations: 300,
            initial_per_class: 5,
            c: 10.0,
            seed,
        }
    }

    /// Checks the settings against the data.
    ///
    /// # Errors
    /// A one-line message naming the offending option.
    pub fn validate(&self, documents: usize) -> Result<()> {
        limits::check("--folds", self.folds, &(2..=documents.min(*limits::FOLDS.end())))?;
        limits::check("--iterations", self.iterations, &limits::TEXT_ITERATIONS)?;
        limits::check("--initial-per-class", self.initial_per_class, &limits::TEXT_INITIAL_PER_CLASS)?;
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(Error::Settings(format!("--c must be positive, not {}", self.c)));
        }
        Ok(())
    }
}

/// What one fold measured after one query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TextRow {
    /// The fold.
    pub fold: usize,
    /// 1-based query number.
    pub iteration: usize,
    /// Explanation F1 of this query.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub query_f1: f32,
    /// Mean explanation F1 over the test messages with gold words.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub test_explanation_f1: f32,
    /// F1 of the spam class on the test messages.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub test_f1: f32,
    /// Share of explained test words that are header tokens.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub header_share: f32,
    /// Counterexamples added so far.
    pub counterexamples: usize,
    /// Words removed by the corrections so far (over all counterexamples).
    pub removed_words: usize,
    /// Of those, the words the gold model weighs toward the message's label
    /// (a non-zero weight of the label's sign, below 1 in magnitude since
    /// they are not gold): evidence for the label that the correction calls
    /// irrelevant.
    pub removed_supporting: usize,
}

impl Record for TextRow {
    const METRICS: &'static [Metric<Self>] = &[
        Metric { name: "test explanation F1", panel: "e-mails: test explanation F1", value: |r| r.test_explanation_f1 },
        Metric { name: "test F1 (spam)", panel: "e-mails: test F1 (spam)", value: |r| r.test_f1 },
        Metric {
            name: "header share",
            panel: "e-mails: share of explained words from headers",
            value: |r| r.header_share,
        },
        Metric { name: "counterexamples", panel: "counterexamples", value: |r| r.counterexamples as f32 },
    ];

    fn fold(&self) -> usize {
        self.fold
    }

    fn step(&self) -> usize {
        self.iteration
    }
}

/// Runs fold `fold`; `observe` sees every row as it is measured and can stop
/// the fold. Returns its rows and the final weights.
pub fn run_fold(
    settings: &TextSettings,
    data: &TextData,
    rows: &[SparseRow],
    assignment: &[usize],
    fold: usize,
    observe: Observer<'_, TextRow>,
) -> (Vec<TextRow>, Vec<f32>) {
    let mut rng = Stream::TextFold(fold).rng(settings.seed);
    let test: Vec<usize> = (0..rows.len()).filter(|&i| assignment[i] == fold).collect();
    let test_gold: Vec<Vec<u32>> = test.iter().map(|&i| data.gold_words(i)).collect();
    let mut pool: Vec<usize> = (0..rows.len()).filter(|&i| assignment[i] != fold).collect();
    shuffle(&mut pool, &mut rng);
    let mut session = TextSession::start(data, rows, pool, settings.initial_per_class, settings.c);
    let mut records = Vec::with_capacity(settings.iterations);
    let (mut removed_words, mut removed_supporting) = (0, 0);
    for iteration in 1..=settings.iterations {
        let Some(query) = session.next_query() else { break };
        let gold = data.gold_words(query.message);
        let explanation = session.explain(query.message, gold.len(), settings.explainer, &mut rng);
        let mut named: Vec<u32> = explanation.iter().map(|&(w, _)| w).collect();
        named.sort_unstable();
        let query_f1 = if gold.is_empty() { f32::NAN } else { f1(&named, &gold) };
        let label = data.labels[query.message];
        // The simulated user corrects only right predictions: the explained
        // words that are not gold do not matter.
        let removed: Vec<u32> = if settings.corrections && query.prediction == label {
            named.iter().copied().filter(|w| gold.binary_search(w).is_err()).collect()
        } else {
            Vec::new()
        };
        removed_words += removed.len();
        removed_supporting += removed.iter().filter(|&&w| supports(data.gold_weights[w as usize], label)).count();
        session.answer(query.message, label, &removed);
        let (test_explanation_f1, test_f1, header_share) = evaluate(data, rows, session.theta(), &test, &test_gold);
        let counterexamples = session.counterexamples();
        let row = TextRow {
            fold,
            iteration,
            query_f1,
            test_explanation_f1,
            test_f1,
            header_share,
            counterexamples,
            removed_words,
            removed_supporting,
        };
        records.push(row);
        if observe(&row).is_break() {
            break;
        }
    }
    (records, session.theta().to_vec())
}

/// Whether a gold-model weight counts as evidence for `label` (spam = 1
/// pushes up, ham = 0 down).
fn supports(gold_weight: f32, label: u8) -> bool {
    if label == 1 { gold_weight > 0.0 } else { gold_weight < 0.0 }
}

/// Checks that every fold can give what the run promises: a test split with
/// both classes (spam F1 is undefined without spam, and a one-class test
/// split measures nothing), and a pool with `initial_per_class` messages of
/// each class plus one message for every query.
///
/// # Errors
/// A one-line message naming the fold, what it lacks and the option to change.
pub fn check_folds(settings: &TextSettings, labels: &[u8], assignment: &[usize]) -> Result<()> {
    for fold in 0..settings.folds {
        let mut test = [0usize; 2];
        let mut pool = [0usize; 2];
        for (&label, &assigned) in labels.iter().zip(assignment) {
            let counts = if assigned == fold { &mut test } else { &mut pool };
            counts[usize::from(label.min(1))] += 1;
        }
        if test.contains(&0) {
            return Err(Error::Settings(format!(
                "fold {fold}'s test split holds {} ham and {} spam messages; both classes are needed \
                 (the corpus has {} ham and {} spam: use fewer --folds or a corpus with both)",
                test[0],
                test[1],
                test[0] + pool[0],
                test[1] + pool[1]
            )));
        }
        if pool.iter().any(|&n| n < settings.initial_per_class) {
            return Err(Error::Settings(format!(
                "fold {fold}'s pool holds {} ham and {} spam messages, fewer than --initial-per-class {}",
                pool[0], pool[1], settings.initial_per_class
            )));
        }
        let queries = pool[0] + pool[1] - 2 * settings.initial_per_class;
        if queries < settings.iterations {
            return Err(Error::Settings(format!(
                "fold {fold}'s pool leaves {queries} messages to query, fewer than --iterations {}",
                settings.iterations
            )));
        }
    }
    Ok(())
}

/// A run: rows of every fold in fold order, and the final weights and test
/// messages of fold 0 (for rendering explanations).
#[derive(Debug, Clone)]
pub struct TextRun {
    /// Every fold's rows.
    pub rows: Vec<TextRow>,
    /// Fold 0's final weights.
    pub theta: Vec<f32>,
    /// Fold 0's test messages.
    pub test: Vec<usize>,
}

/// Runs every fold in parallel; `observe` sees every row (see [`run_fold`]).
///
/// # Errors
/// A one-line message for invalid settings.
pub fn run(settings: &TextSettings, data: &TextData, observe: Observer<'_, TextRow>) -> Result<TextRun> {
    settings.validate(data.labels.len())?;
    let rows: Vec<SparseRow> = data.bags.par_iter().map(|bag| data.vocabulary.row(bag)).collect();
    let assignment = stratified_folds(&data.labels, settings.folds, Stream::TextFolds.seed(settings.seed))?;
    check_folds(settings, &data.labels, &assignment)?;
    let mut per_fold: Vec<(Vec<TextRow>, Vec<f32>)> = (0..settings.folds)
        .into_par_iter()
        .map(|fold| run_fold(settings, data, &rows, &assignment, fold, observe))
        .collect();
    let theta = per_fold.first_mut().map(|(_, theta)| std::mem::take(theta)).unwrap_or_default();
    let test = (0..rows.len()).filter(|&i| assignment[i] == 0).collect();
    Ok(TextRun { rows: per_fold.into_iter().flat_map(|(rows, _)| rows).collect(), theta, test })
}

/// Fold means at the last iteration, and the mean query F1 over the run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TextSummary {
    /// Mean test explanation F1 after the last query.
    pub test_explanation_f1: f32,
    /// Mean explanation F1 over all queries (with gold words) of all folds.
    pub query_explanation_f1: f32,
    /// Mean test F1 after the last query.
    pub test_f1: f32,
    /// Mean share of header tokens in test explanations after the last query.
    pub header_share: f32,
    /// Mean counterexamples per fold.
    pub counterexamples: f32,
    /// Mean words removed by corrections per fold.
    pub removed_words: f32,
    /// Share of the removed words (all folds) that the gold model weighs
    /// toward the message's label; NaN when no word was removed.
    pub removed_supporting_share: f32,
}

/// Summarises the rows of a run.
pub fn summarize(rows: &[TextRow]) -> TextSummary {
    let last = rows.iter().map(|r| r.iteration).max().unwrap_or(0);
    let finals: Vec<&TextRow> = rows.iter().filter(|r| r.iteration == last).collect();
    let mean = |f: fn(&TextRow) -> f32, rows: &[&TextRow]| {
        let values: Vec<f32> = rows.iter().map(|r| f(r)).filter(|v| v.is_finite()).collect();
        values.iter().sum::<f32>() / values.len().max(1) as f32
    };
    let all: Vec<&TextRow> = rows.iter().collect();
    TextSummary {
        test_explanation_f1: mean(|r| r.test_explanation_f1, &finals),
        query_explanation_f1: mean(|r| r.query_f1, &all),
        test_f1: mean(|r| r.test_f1, &finals),
        header_share: mean(|r| r.header_share, &finals),
        counterexamples: mean(|r| r.counterexamples as f32, &finals),
        removed_words: mean(|r| r.removed_words as f32, &finals),
        removed_supporting_share: finals.iter().map(|r| r.removed_supporting).sum::<usize>() as f32
            / finals.iter().map(|r| r.removed_words).sum::<usize>() as f32,
    }
}

/// CAIPI on e-mails as `xil-bench caipi-text` runs it.
#[derive(Debug, Clone, Copy)]
pub struct CaipiText;

impl Protocol for CaipiText {
    const NAME: &'static str = "caipi-text";
    const STEP: &'static str = "queries";
    type Settings = TextSettings;
    type Source = TextSource;
    type Data = Corpus;
    type Row = TextRow;
    type Outcome = TextRun;

    fn check(settings: &TextSettings) -> Result<()> {
        // The number of e-mails is known once they are read; the run checks again.
        settings.validate(usize::MAX)
    }

    fn rows(settings: &TextSettings) -> usize {
        settings.folds * settings.iterations
    }

    fn load(_: &TextSettings, source: &TextSource) -> Result<Corpus> {
        Corpus::load(source)
    }

    fn loaded(corpus: &Corpus) -> Option<String> {
        Some(corpus.found())
    }

    fn run(settings: &TextSettings, corpus: &Corpus, observe: Observer<'_, TextRow>) -> Result<TextRun> {
        run(settings, &corpus.data, observe)
    }

    fn write(
        dir: &Path,
        settings: &TextSettings,
        corpus: &Corpus,
        outcome: &TextRun,
        wall_seconds: f64,
    ) -> Result<serde_json::Value> {
        let summary = write::summary_json(settings, &corpus.data, corpus.headers, &outcome.rows, wall_seconds);
        write::write_run(dir, &summary, &corpus.data, &corpus.mails, outcome, corpus.headers)?;
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanations_are_the_largest_contributions_without_the_constant() {
        let row = SparseRow { indices: vec![0, 1, 2, 3], values: vec![0.5, 0.5, 0.5, 1.0] };
        let theta = [1.0, -4.0, 2.0, 100.0];
        assert_eq!(explain(&theta, &row, 3, 2), [(1, -2.0), (2, 1.0)]);
        assert_eq!(explain(&theta, &row, 3, 10).len(), 3);
    }

    #[test]
    fn a_weight_supports_the_label_whose_sign_it_has() {
        assert!(supports(0.3, 1) && supports(-0.3, 0));
        assert!(!supports(-0.3, 1) && !supports(0.3, 0));
        assert!(!supports(0.0, 1) && !supports(0.0, 0));
    }

    #[test]
    fn positive_f1_counts_the_spam_class() {
        assert_eq!(positive_f1(&[1, 1, 0, 0], &[1, 0, 1, 0]), 0.5);
        assert_eq!(positive_f1(&[0, 0], &[0, 0]), 1.0);
    }

    #[test]
    fn folds_that_cannot_give_a_metric_or_the_queries_asked_are_refused() {
        let settings = TextSettings { folds: 2, iterations: 2, initial_per_class: 1, ..TextSettings::paper(true, 0) };
        // Ten ham and two spam, the spam both in fold 0.
        let labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
        let mut assignment = vec![0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0];
        let message = check_folds(&settings, &labels, &assignment).unwrap_err().to_string();
        assert!(message.starts_with("fold 0's pool holds 5 ham and 0 spam"), "{message}");
        assignment[11] = 1;
        assert!(check_folds(&settings, &labels, &assignment).is_ok());
        let many = TextSettings { iterations: 5, ..settings.clone() };
        let message = check_folds(&many, &labels, &assignment).unwrap_err().to_string();
        assert!(message.contains("leaves 4 messages to query, fewer than --iterations 5"), "{message}");
        let ham_only = [0; 12];
        let message = check_folds(&settings, &ham_only, &assignment).unwrap_err().to_string();
        assert!(message.starts_with("fold 0's test split holds 6 ham and 0 spam"), "{message}");
    }
}
