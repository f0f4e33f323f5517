//! The experiments the Watch tab runs: xil-bench's protocols with their
//! settings, checked, sized and run through the bench's [`Protocol`] trait,
//! their rows turned into the values the app plots (from each row's
//! [`Record::METRICS`], the list the bench's figures use too).

use crate::error::Result;
use std::ops::ControlFlow;
use xil_bench::harness::Protocol;
use xil_bench::harness::record::Record;
use xil_bench::protocols::active::{Active, ActiveData, ActiveModel, ActiveRow, ActiveSettings, Strategy};
use xil_bench::protocols::attributions::methods::Method;
use xil_bench::protocols::caipi_colors::{self as caipi, CaipiColors, CaipiSettings, Learner};
use xil_bench::protocols::caipi_text::data::{GOLD_C, GoldC, Headers};
use xil_bench::protocols::caipi_text::{CaipiText, TextSource};
use xil_bench::protocols::caipi_text::{TextRow, TextSettings};
use xil_bench::protocols::cali::{Cali, CaliRow, CaliSettings};
use xil_bench::protocols::decoy_fashion::{DecoyFashion, DecoySettings, Epoch, Setting};
use xil_core::tasks::colors::Rule;
use xil_core::{CaliStrategy, ExplanationLoss, QueryStrategy};

/// The protocol and settings of a simulated run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Experiment {
    /// CAIPI on colors: a linear learner, LIME, counterexamples.
    Caipi(CaipiSettings),
    /// CALIMOCHO on colors: a SENN corrected through its explanation loss.
    Cali(CaliSettings),
    /// Decoy Fashion-MNIST: a network trained with or without corrections.
    Decoy(DecoySettings),
    /// CAIPI on SpamAssassin e-mails with word corrections.
    Text(TextSettings, Headers),
    /// Batch active learning on MNIST or Fashion-MNIST with one strategy.
    Active(ActiveSettings),
}

/// The paper's CAIPI colors setting for rule 0 with an L1 SVM and
/// corrections (10 folds of 40,000 images, 100 queries, LIME 2,000 x 10).
pub fn default_caipi() -> CaipiSettings {
    CaipiSettings::paper(Rule::Zero, Learner::L1Svm, true)
}

/// CALIMOCHO as the reproduction runs it (rule 0, depth 1, uncertainty
/// sampling, squared explanation loss, 4 entries corrected, lambda 0.9),
/// over 5 folds of 5,000 images and 100 queries.
pub fn default_cali() -> CaliSettings {
    CaliSettings {
        rule: Rule::Zero,
        depth: 1,
        corrections: true,
        strategy: CaliStrategy::Uncertainty,
        explanation_loss: ExplanationLoss::Squared,
        corrected_entries: 4,
        lambda: 0.9,
        folds: 5,
        iterations: 100,
        initial: 5,
        steps_per_fit: 100,
        images: 5000,
        seed: 0,
    }
}

/// Decoy Fashion-MNIST as the quick reproduction runs it: 3 counterexamples
/// per image, 12 epochs on the first 10,000 training images.
pub fn default_decoy() -> DecoySettings {
    DecoySettings { epochs: 12, train_limit: Some(10_000), ..DecoySettings::paper(Setting::Ce3, 0) }
}

/// CAIPI on e-mails with corrections, LIME on the queries (as the paper; the
/// Watch tab strips the headers by default, as the paper did), at the quick
/// reproduction's size (3 folds, 60 queries).
pub fn default_text() -> TextSettings {
    TextSettings { folds: 3, iterations: 60, ..TextSettings::paper(true, 0) }
}

/// Active learning as a first look: ALEX on MNIST with the perceptron
/// (seconds per run), q = 1, 10 steps, 3 runs, input x gradient.
pub fn default_active() -> ActiveSettings {
    ActiveSettings {
        model: ActiveModel::Mlp,
        runs: 3,
        epochs: 20,
        explainer: Method::InputXGradient,
        ..ActiveSettings::paper(ActiveData::Mnist, Strategy::Alex, 1, 0)
    }
}

impl Experiment {
    /// A one-line description, for legends.
    pub fn describe(&self) -> String {
        let corrections = |on: bool| if on { "corrections" } else { "labels only" };
        match self {
            Experiment::Caipi(s) => format!(
                "CAIPI {}, rule {}, {}{}, k {}, seed {}",
                s.learner.name(),
                s.rule,
                corrections(s.corrections),
                if s.query == QueryStrategy::ClosestToMargin {
                    String::new()
                } else {
                    format!(", {} queries", s.query)
                },
                s.k,
                s.seed
            ),
            Experiment::Cali(s) => format!(
                "CALI depth {}, rule {}, {}, c {}, seed {}",
                s.depth,
                s.rule,
                corrections(s.corrections),
                s.corrected_entries,
                s.seed
            ),
            Experiment::Decoy(s) => format!("decoy {}, {} epochs, seed {}", s.setting.label(), s.epochs, s.seed),
            Experiment::Text(s, headers) => format!(
                "e-mails {:?}, {}, headers {}, seed {}",
                s.explainer,
                corrections(s.corrections),
                if *headers == Headers::Keep { "kept" } else { "stripped" },
                s.seed
            )
            .to_lowercase(),
            Experiment::Active(s) => format!(
                "{} on {}, {:?}, q {}, {} runs, seed {}",
                s.strategy.name(),
                s.data.label(),
                s.model,
                s.q,
                s.runs,
                s.seed
            ),
        }
    }

    /// Every setting as `(name, value)`, the protocol first: the run's row
    /// of the Watch tab's settings table. Nested settings are named with
    /// dots (`lime.samples`).
    pub fn settings(&self) -> Vec<(String, String)> {
        let (protocol, value) = match self {
            Experiment::Caipi(s) => ("CAIPI colors", serde_json::to_value(s)),
            Experiment::Cali(s) => ("CALIMOCHO", serde_json::to_value(s)),
            Experiment::Decoy(s) => ("decoy Fashion-MNIST", serde_json::to_value(s)),
            Experiment::Text(s, headers) => ("CAIPI e-mails", serde_json::to_value((s, headers))),
            Experiment::Active(s) => ("active learning", serde_json::to_value(s)),
        };
        let mut settings = vec![("protocol".to_string(), protocol.to_string())];
        flatten("", &value.unwrap_or(serde_json::Value::Null), &mut settings);
        settings
    }

    /// Rows the whole run measures (folds x queries, or epochs).
    pub fn rows(&self) -> usize {
        match self {
            Experiment::Caipi(s) => CaipiColors::rows(s),
            Experiment::Cali(s) => Cali::rows(s),
            Experiment::Decoy(s) => DecoyFashion::rows(s),
            Experiment::Text(s, _) => CaipiText::rows(s),
            Experiment::Active(s) => Active::rows(s),
        }
    }

    /// What a step of the run is (queries, epochs, steps): the unit of its
    /// curves' x axis.
    pub fn step(&self) -> &'static str {
        match self {
            Experiment::Caipi(_) => CaipiColors::STEP,
            Experiment::Cali(_) => Cali::STEP,
            Experiment::Decoy(_) => DecoyFashion::STEP,
            Experiment::Text(..) => CaipiText::STEP,
            Experiment::Active(_) => Active::STEP,
        }
    }

    /// What is measured after each step, in the order of [`Measurement::values`]:
    /// the protocol's own list ([`Record::METRICS`]), which its figures use too.
    pub fn metrics(&self) -> Vec<Metric> {
        match self {
            Experiment::Caipi(_) => metrics_of::<caipi::Row>(),
            Experiment::Cali(_) => metrics_of::<CaliRow>(),
            Experiment::Decoy(_) => metrics_of::<Epoch>(),
            Experiment::Text(..) => metrics_of::<TextRow>(),
            Experiment::Active(_) => metrics_of::<ActiveRow>(),
        }
    }

    /// Checks the settings (the command line's checks and messages).
    ///
    /// # Errors
    /// A one-line message naming the first impossible value.
    pub fn validate(&self) -> Result<()> {
        Ok(match self {
            Experiment::Caipi(s) => CaipiColors::check(s),
            Experiment::Cali(s) => Cali::check(s),
            Experiment::Decoy(s) => DecoyFashion::check(s),
            Experiment::Text(s, _) => CaipiText::check(s),
            Experiment::Active(s) => Active::check(s),
        }?)
    }

    /// Runs the experiment, handing each row to `observe` (on the folds'
    /// threads), and reads its data first where it needs real data (where
    /// the command reads it); `loaded` is called once the data are read.
    pub(crate) fn run(
        &self,
        loaded: &dyn Fn(),
        observe: &(dyn Fn(Measurement) -> ControlFlow<()> + Sync),
    ) -> Result<()> {
        Ok(match self {
            Experiment::Caipi(settings) => watch::<CaipiColors>(settings, &(), loaded, observe),
            Experiment::Cali(settings) => watch::<Cali>(settings, &(), loaded, observe),
            Experiment::Decoy(settings) => watch::<DecoyFashion>(settings, &None, loaded, observe),
            Experiment::Text(settings, headers) => {
                let source = TextSource { corpus: None, headers: *headers, gold: GoldC::Fixed(GOLD_C) };
                watch::<CaipiText>(settings, &source, loaded, observe)
            }
            Experiment::Active(settings) => watch::<Active>(settings, &None, loaded, observe),
        }?)
    }
}

/// Loads `P`'s data (then calls `loaded`) and runs it, handing each row to
/// `observe` as a [`Measurement`].
fn watch<P: Protocol>(
    settings: &P::Settings,
    source: &P::Source,
    loaded: &dyn Fn(),
    observe: &(dyn Fn(Measurement) -> ControlFlow<()> + Sync),
) -> xil_bench::Result<()> {
    let data = P::load(settings, source)?;
    loaded();
    P::run(settings, &data, &|row: &P::Row| observe(Measurement::of(row))).map(drop)
}

/// A quantity measured after each step, and the plot it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// Legend text.
    pub name: &'static str,
    /// Title of the plot it is drawn in (metrics with the same panel share one).
    pub panel: &'static str,
}

/// The names and panels of a record's metrics.
fn metrics_of<R: Record>() -> Vec<Metric> {
    R::METRICS.iter().map(|m| Metric { name: m.name, panel: m.panel }).collect()
}

/// One row of a run: a fold's values after one query.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Measurement {
    /// The fold.
    pub fold: usize,
    /// The query number, from 1.
    pub iteration: usize,
    /// One value per metric of the experiment.
    pub values: Vec<f32>,
}

impl Measurement {
    /// A protocol's row as the app plots it.
    pub fn of<R: Record>(row: &R) -> Self {
        Self { fold: row.fold(), iteration: row.step(), values: R::METRICS.iter().map(|m| (m.value)(row)).collect() }
    }
}

/// Appends the leaves of `value` to `out` as `(name, value)`: an object's
/// fields named `prefix.field`, an array's items `prefix.0`, …; a tuple's
/// halves merged (the e-mail settings and their headers).
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    let name = |key: &str| if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") };
    match value {
        serde_json::Value::Object(fields) => {
            for (key, field) in fields {
                flatten(&name(key), field, out);
            }
        }
        serde_json::Value::Array(items) if prefix.is_empty() && items.len() == 2 => {
            flatten("", &items[0], out);
            flatten("headers", &items[1], out);
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&name(&i.to_string()), item, out);
            }
        }
        serde_json::Value::String(text) => out.push((prefix.to_string(), text.clone())),
        serde_json::Value::Null => out.push((prefix.to_string(), "none".into())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}
