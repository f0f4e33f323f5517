//! CALIMOCHO on colors (seed 001): a SENN learnt from labels and corrected
//! explanations, fold by fold.
//!
//! Per fold of a stratified split: 5 random labels to start, then `T`
//! queries (random or uncertainty sampling); the simulated user gives the
//! label and, with corrections on, replaces the `c` entries of the shown
//! explanation farthest from the true one; each fit is 100 Adam steps (lr
//! 0.01, batch `floor(sqrt(n))`), warm-started. After every query the fold
//! records the test label loss `l_Y` (log-loss) and explanation loss
//! `l_Z = mean |z* - w(x)|^2` on the fold's test images.
//!
//! Deviation from the paper's sizes, for time: the pool and test set come
//! from `--images` generated images (default 5,000, i.e. 4,000 + 1,000 per
//! fold), since every query scans the pool and every iteration evaluates the
//! test set with a 101-wide network.

pub mod reproduce;

use crate::data::colors::ColorsData;
use crate::error::{Error, Result};
use crate::harness::limits;
use crate::harness::observe::Observer;
use crate::harness::protocol::Protocol;
use crate::harness::record::{Metric, Record, mean_at_last_step, with_settings};
use crate::harness::seeds::Stream;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;
use xil_core::tasks::colors::{self, ONE_HOT, OneHot, Rule};
use xil_core::{
    Adam, CaliSession, CaliStrategy, Example, ExplanationLoss, FeatureMap, Senn, SennExample, SennLoss, SennTrainer,
    correct_explanation,
};

/// Labelled capacity of a CALI session (initial labels plus queries).
pub const CAPACITY: usize = 512;

/// Everything that defines one CALI run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaliSettings {
    /// The rule.
    pub rule: Rule,
    /// Layers of w(x): 1, 3 or 5.
    pub depth: usize,
    /// Whether the user corrects explanations.
    pub corrections: bool,
    /// The query strategy.
    pub strategy: CaliStrategy,
    /// The explanation loss.
    pub explanation_loss: ExplanationLoss,
    /// Entries corrected per query (1..=4 in the paper).
    pub corrected_entries: usize,
    /// Weight of the label loss (0.9 with corrections in the paper).
    pub lambda: f32,
    /// Folds.
    pub folds: usize,
    /// Queries per fold.
    pub iterations: usize,
    /// Random labels before the first query.
    pub initial: usize,
    /// Adam steps per fit.
    pub steps_per_fit: usize,
    /// Generated images split into folds.
    pub images: usize,
    /// Seed of everything.
    pub seed: u64,
}

impl CaliSettings {
    /// Checks that the settings describe a possible run.
    ///
    /// # Errors
    /// A one-line message naming the first impossible value.
    pub fn validate(&self) -> Result<()> {
        if ![1, 3, 5].contains(&self.depth) {
            return Err(Error::Settings(format!("--depth must be 1, 3 or 5, not {}", self.depth)));
        }
        if self.corrected_entries == 0 || self.corrected_entries > ONE_HOT {
            return Err(Error::Settings(format!("--corrected-entries must be between 1 and {ONE_HOT}")));
        }
        if !(0.0..=1.0).contains(&self.lambda) {
            return Err(Error::Settings(format!("--lambda must be in [0, 1], not {}", self.lambda)));
        }
        ColorsData::check_split(self.images, self.folds)?;
        limits::check("--iterations", self.iterations, &(1..=CAPACITY))?;
        limits::check("--initial", self.initial, &(1..=CAPACITY))?;
        limits::check("--steps-per-fit", self.steps_per_fit, &limits::STEPS_PER_FIT)?;
        // Both are at most CAPACITY, so the sum cannot overflow.
        if self.initial + self.iterations > CAPACITY {
            return Err(Error::Settings(format!("--initial plus --iterations must be at most {CAPACITY}")));
        }
        let pool = self.images - self.images.div_ceil(self.folds);
        if pool < self.initial + self.iterations {
            return Err(Error::Settings(format!(
                "a pool of {pool} images cannot supply {} labels",
                self.initial + self.iterations
            )));
        }
        Ok(())
    }
}

/// What one fold measured after one query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CaliRow {
    /// The fold.
    pub fold: usize,
    /// The query number, from 1.
    pub iteration: usize,
    /// Mean test log-loss.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub label_loss: f32,
    /// Mean test `|z* - w(x)|^2`.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub explanation_loss: f32,
    /// Wall seconds of the query, feedback and refit.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub seconds: f64,
}

impl Record for CaliRow {
    const METRICS: &'static [Metric<Self>] = &[
        Metric { name: "label loss", panel: "test label loss l_Y", value: |r| r.label_loss },
        Metric { name: "explanation loss", panel: "test explanation loss l_Z", value: |r| r.explanation_loss },
    ];

    fn fold(&self) -> usize {
        self.fold
    }

    fn step(&self) -> usize {
        self.iteration
    }
}

/// The mean label loss `l_Y` and explanation loss `l_Z` (squared distance of
/// `w(x)` to `rule`'s true explanation) of `model` on `test`.
pub fn test_losses<const L: usize>(
    model: &Senn<ONE_HOT, L>,
    test: &[Example<colors::Image>],
    rule: Rule,
) -> (f32, f32) {
    let label_only = SennLoss { lambda: 1.0, alpha: 0.0, explanation: ExplanationLoss::Ranking };
    let (mut l_y, mut l_z) = (0.0, 0.0);
    for e in test {
        let x = OneHot.features(&e.instance);
        l_y += label_only.mean(model, &[SennExample { x, label: e.label, correction: None }]);
        l_z += (colors::one_hot_explanation(rule, &e.instance) - model.relevance(&x)).norm_squared();
    }
    let n = test.len().max(1) as f32;
    (l_y / n, l_z / n)
}

fn run_fold<const L: usize>(
    settings: &CaliSettings,
    data: &ColorsData,
    fold: usize,
    observe: Observer<'_, CaliRow>,
) -> Result<Vec<CaliRow>> {
    let rule = settings.rule;
    let (mut pool, test) = data.split(fold);
    let mut rng = Stream::CaliFold(fold).rng(settings.seed);
    let mut model: Box<Senn<ONE_HOT, L>> = Box::new(Senn::new(&mut rng));
    let loss = SennLoss { lambda: settings.lambda, alpha: 0.0, explanation: settings.explanation_loss };
    let mut trainer =
        Box::new(SennTrainer::new(loss, Adam::default()).map_err(|e| Error::core("building the trainer", e))?);
    let mut session: Box<CaliSession<'_, colors::Image, OneHot, ONE_HOT, L, CAPACITY>> = Box::new(
        CaliSession::new(&mut pool, OneHot, &mut model, &mut trainer, settings.strategy, settings.steps_per_fit)
            .map_err(|e| Error::core(format!("building fold {fold}'s session"), e))?,
    );
    session.seed(settings.initial, &mut rng).map_err(|e| Error::core(format!("seeding fold {fold}"), e))?;
    let mut rows = Vec::with_capacity(settings.iterations);
    for iteration in 1..=settings.iterations {
        let started = Instant::now();
        let query = session.query(&mut rng).map_err(|e| Error::core(format!("fold {fold}, query {iteration}"), e))?;
        let instance = *session.pending_instance().ok_or(Error::Internal("no pending query"))?;
        let label = u8::from(rule.holds(&instance));
        let corrected = settings.corrections.then(|| {
            correct_explanation(
                &query.explanation,
                &colors::one_hot_explanation(rule, &instance),
                settings.corrected_entries,
            )
        });
        session
            .give_feedback(label, corrected, &mut rng)
            .map_err(|e| Error::core(format!("fold {fold}, feedback {iteration}"), e))?;
        let seconds = started.elapsed().as_secs_f64();
        let (label_loss, explanation_loss) = test_losses(session.model(), &test, rule);
        let row = CaliRow { fold, iteration, label_loss, explanation_loss, seconds };
        rows.push(row);
        if observe(&row).is_break() {
            break;
        }
    }
    Ok(rows)
}

/// Runs every fold in parallel on threads with stacks large enough for a
/// boxed session's construction, as many as the calling rayon pool has; numbers
/// do not depend on the thread count.
/// `observe` sees every row as it is measured and can stop the folds (their
/// rows so far are returned).
///
/// # Errors
/// The first failing fold's message.
pub fn run(settings: &CaliSettings, data: &ColorsData, observe: Observer<'_, CaliRow>) -> Result<Vec<CaliRow>> {
    use rayon::prelude::*;
    let results: Vec<Result<Vec<CaliRow>>> = crate::harness::threads::with_large_stacks(|| {
        Ok((0..settings.folds)
            .into_par_iter()
            .map(|fold| match settings.depth {
                1 => run_fold::<1>(settings, data, fold, observe),
                3 => run_fold::<3>(settings, data, fold, observe),
                5 => run_fold::<5>(settings, data, fold, observe),
                depth => Err(Error::Settings(format!("--depth must be 1, 3 or 5, not {depth}"))),
            })
            .collect())
    })?;
    let mut rows = Vec::new();
    for result in results {
        rows.extend(result?);
    }
    Ok(rows)
}

/// Writes `metrics.csv`, `summary.json` and the loss curves
/// (`label_loss.{png,svg}`, `explanation_loss.{png,svg}`) to `dir`; returns
/// the summary as JSON (also the object in `summary.json`).
///
/// # Errors
/// A one-line message when a file cannot be written.
pub fn write(dir: &std::path::Path, settings: &CaliSettings, rows: &[CaliRow]) -> Result<serde_json::Value> {
    use crate::report::figures::{Figure, PALETTE, Series, band};
    let summary = summarize(rows);
    let json = with_settings(&summary, settings);
    crate::report::files::write_results(dir, rows, &json)?;
    let curves = |metric| crate::report::figures::fold_curves(rows, CaliRow::fold, metric);
    let corrections = if settings.corrections { "with corrections" } else { "labels only" };
    for metric in CaliRow::METRICS {
        let (stem, label) = (metric.stem(), metric.panel);
        Figure {
            title: format!("CALIMOCHO on colors, rule {}, depth {}, {corrections}", settings.rule, settings.depth),
            x_label: "queries".into(),
            y_label: label.into(),
            series: vec![Series {
                label: label.into(),
                colour: PALETTE[0],
                dashed: false,
                points: band(&curves(metric.value)),
            }],
        }
        .save(&dir.join(stem))?;
    }
    Ok(json)
}

/// Fold means at the last query, and the mean seconds per query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CaliSummary {
    /// Mean test log-loss.
    pub label_loss: f32,
    /// Mean test explanation loss.
    pub explanation_loss: f32,
    /// Mean wall seconds per query (query, explanation, feedback, 100 Adam steps).
    pub seconds_per_iteration: f64,
}

/// Summarises a run at its last iteration.
pub fn summarize(rows: &[CaliRow]) -> CaliSummary {
    CaliSummary {
        label_loss: mean_at_last_step(rows, |r| r.label_loss),
        explanation_loss: mean_at_last_step(rows, |r| r.explanation_loss),
        seconds_per_iteration: rows.iter().map(|r| r.seconds).sum::<f64>() / rows.len().max(1) as f64,
    }
}

/// CALIMOCHO on colors as `xil-bench cali` runs it.
#[derive(Debug, Clone, Copy)]
pub struct Cali;

impl Protocol for Cali {
    const NAME: &'static str = "cali";
    const STEP: &'static str = "queries";
    type Settings = CaliSettings;
    type Source = ();
    type Data = ColorsData;
    type Row = CaliRow;
    type Outcome = Vec<CaliRow>;

    fn check(settings: &CaliSettings) -> Result<()> {
        settings.validate()
    }

    fn rows(settings: &CaliSettings) -> usize {
        settings.folds * settings.iterations
    }

    fn load(settings: &CaliSettings, (): &()) -> Result<ColorsData> {
        ColorsData::generate(settings.images, settings.folds, settings.seed)
    }

    fn run(settings: &CaliSettings, data: &ColorsData, observe: Observer<'_, CaliRow>) -> Result<Vec<CaliRow>> {
        run(settings, data, observe)
    }

    fn write(
        dir: &Path,
        settings: &CaliSettings,
        _: &ColorsData,
        rows: &Vec<CaliRow>,
        _: f64,
    ) -> Result<serde_json::Value> {
        write(dir, settings, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> CaliSettings {
        CaliSettings {
            rule: Rule::Zero,
            depth: 1,
            corrections: true,
            strategy: CaliStrategy::Random,
            explanation_loss: ExplanationLoss::Squared,
            corrected_entries: 4,
            lambda: 0.9,
            folds: 2,
            iterations: 3,
            initial: 5,
            steps_per_fit: 10,
            images: 200,
            seed: 1,
        }
    }

    #[test]
    fn impossible_settings_are_rejected() {
        assert!(small().validate().is_ok());
        assert!(CaliSettings { depth: 2, ..small() }.validate().unwrap_err().to_string().contains("--depth"));
        assert!(CaliSettings { lambda: 2.0, ..small() }.validate().unwrap_err().to_string().contains("--lambda"));
        assert!(CaliSettings { folds: 1, ..small() }.validate().unwrap_err().to_string().contains("--folds"));
    }

    #[test]
    fn a_small_run_is_deterministic() {
        let strip = |rows: Vec<CaliRow>| rows.into_iter().map(|r| CaliRow { seconds: 0.0, ..r }).collect::<Vec<_>>();
        let first = strip(
            run(&small(), &Cali::load(&small(), &()).unwrap(), &crate::harness::observe::ticking(&|| {})).unwrap(),
        );
        assert_eq!(first.len(), 2 * 3);
        assert_eq!(
            first,
            strip(
                run(&small(), &Cali::load(&small(), &()).unwrap(), &crate::harness::observe::ticking(&|| {})).unwrap()
            )
        );
    }
}
