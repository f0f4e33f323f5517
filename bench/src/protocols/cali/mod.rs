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

use crate::harness::folds::stratified_folds;
use crate::harness::limits;
use crate::harness::observe::Observer;
use crate::harness::seeds::Stream;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;
use std::time::Instant;
use xil_core::tasks::colors::{self, ONE_HOT, OneHot, Rule};
use xil_core::{
    Adam, CaliSession, CaliStrategy, Example, ExplanationLoss, FeatureMap, Senn, SennExample, SennLoss, SennTrainer,
    correct_explanation,
};

/// Labelled capacity of a CALI session (initial labels plus queries).
pub const CAPACITY: usize = 512;

/// Everything that defines one CALI run.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    pub fn validate(&self) -> Result<(), String> {
        if ![1, 3, 5].contains(&self.depth) {
            return Err(format!("--depth must be 1, 3 or 5, not {}", self.depth));
        }
        if self.corrected_entries == 0 || self.corrected_entries > ONE_HOT {
            return Err(format!("--corrected-entries must be between 1 and {ONE_HOT}"));
        }
        if !(0.0..=1.0).contains(&self.lambda) {
            return Err(format!("--lambda must be in [0, 1], not {}", self.lambda));
        }
        limits::check("--images", self.images, &limits::IMAGES)?;
        limits::check("--folds", self.folds, &limits::FOLDS)?;
        if self.folds > self.images {
            return Err(format!("--folds {} exceeds the number of images {}", self.folds, self.images));
        }
        limits::check("--iterations", self.iterations, &(1..=CAPACITY))?;
        limits::check("--initial", self.initial, &(1..=CAPACITY))?;
        limits::check("--steps-per-fit", self.steps_per_fit, &limits::STEPS_PER_FIT)?;
        // Both are at most CAPACITY, so the sum cannot overflow.
        if self.initial + self.iterations > CAPACITY {
            return Err(format!("--initial plus --iterations must be at most {CAPACITY}"));
        }
        let pool = self.images - self.images.div_ceil(self.folds);
        if pool < self.initial + self.iterations {
            return Err(format!("a pool of {pool} images cannot supply {} labels", self.initial + self.iterations));
        }
        Ok(())
    }
}

/// What one fold measured after one query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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

fn test_losses<const L: usize>(model: &Senn<ONE_HOT, L>, test: &[Example<colors::Image>], rule: Rule) -> (f32, f32) {
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
    examples: &[Example<colors::Image>],
    folds: &[usize],
    fold: usize,
    observe: Observer<'_, CaliRow>,
) -> Result<Vec<CaliRow>, String> {
    let rule = settings.rule;
    let (test, pool): (Vec<_>, Vec<_>) = examples.iter().zip(folds).partition(|(_, f)| **f == fold);
    let test: Vec<Example<colors::Image>> = test.into_iter().map(|(e, _)| *e).collect();
    let mut pool: Vec<Example<colors::Image>> = pool.into_iter().map(|(e, _)| *e).collect();
    let mut rng = Stream::CaliFold(fold).rng(settings.seed);
    let model: Senn<ONE_HOT, L> = Senn::new(&mut rng);
    let loss = SennLoss { lambda: settings.lambda, alpha: 0.0, explanation: settings.explanation_loss };
    let trainer = SennTrainer::new(loss, Adam::default()).map_err(|e| e.to_string())?;
    let mut session: Box<CaliSession<'_, colors::Image, OneHot, ONE_HOT, L, CAPACITY>> = Box::new(
        CaliSession::new(&mut pool, OneHot, model, trainer, settings.strategy, settings.steps_per_fit)
            .map_err(|e| e.to_string())?,
    );
    session.seed(settings.initial, &mut rng).map_err(|e| format!("seeding fold {fold}: {e}"))?;
    let mut rows = Vec::with_capacity(settings.iterations);
    for iteration in 1..=settings.iterations {
        let started = Instant::now();
        let query = session.query(&mut rng).map_err(|e| format!("fold {fold}, query {iteration}: {e}"))?;
        let instance = *session.pending_instance().ok_or("no pending query")?;
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
            .map_err(|e| format!("fold {fold}, feedback {iteration}: {e}"))?;
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
pub fn run(settings: &CaliSettings, observe: Observer<'_, CaliRow>) -> Result<Vec<CaliRow>, String> {
    use rayon::prelude::*;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(settings.seed);
    let examples: Vec<_> = (0..settings.images).map(|_| colors::generate(&mut rng)).collect();
    let labels: Vec<u8> = examples.iter().map(|e| e.label).collect();
    let folds = stratified_folds(&labels, settings.folds, Stream::ColorsFolds.seed(settings.seed))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .stack_size(256 << 20)
        .build()
        .map_err(|e| e.to_string())?;
    let results: Vec<Result<Vec<CaliRow>, String>> = pool.install(|| {
        (0..settings.folds)
            .into_par_iter()
            .map(|fold| match settings.depth {
                1 => run_fold::<1>(settings, &examples, &folds, fold, observe),
                3 => run_fold::<3>(settings, &examples, &folds, fold, observe),
                5 => run_fold::<5>(settings, &examples, &folds, fold, observe),
                depth => Err(format!("--depth must be 1, 3 or 5, not {depth}")),
            })
            .collect()
    });
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
pub fn write(dir: &std::path::Path, settings: &CaliSettings, rows: &[CaliRow]) -> Result<serde_json::Value, String> {
    use crate::report::figures::{Figure, PALETTE, Series, band};
    let summary = summarize(rows);
    let mut json = serde_json::to_value(summary).unwrap_or_default();
    if let Some(map) = json.as_object_mut() {
        map.insert("settings".into(), serde_json::to_value(settings).unwrap_or_default());
    }
    crate::report::files::write_results(dir, rows, &json)?;
    let curves = |metric| crate::report::figures::fold_curves(rows, |r: &CaliRow| r.fold, metric);
    let corrections = if settings.corrections { "with corrections" } else { "labels only" };
    let metrics: [(&str, &str, crate::report::figures::Metric<CaliRow>); 2] = [
        ("label_loss", "test label loss l_Y", |r| r.label_loss),
        ("explanation_loss", "test explanation loss l_Z", |r| r.explanation_loss),
    ];
    for (stem, label, metric) in metrics {
        Figure {
            title: format!("CALIMOCHO on colors, rule {}, depth {}, {corrections}", settings.rule, settings.depth),
            x_label: "queries".into(),
            y_label: label.into(),
            series: vec![Series {
                label: label.into(),
                colour: PALETTE[0],
                dashed: false,
                points: band(&curves(metric)),
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
    let last = rows.iter().map(|r| r.iteration).max().unwrap_or(0);
    let final_rows: Vec<&CaliRow> = rows.iter().filter(|r| r.iteration == last).collect();
    let n = final_rows.len().max(1) as f32;
    CaliSummary {
        label_loss: final_rows.iter().map(|r| r.label_loss).sum::<f32>() / n,
        explanation_loss: final_rows.iter().map(|r| r.explanation_loss).sum::<f32>() / n,
        seconds_per_iteration: rows.iter().map(|r| r.seconds).sum::<f64>() / rows.len().max(1) as f64,
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
        assert_eq!(small().validate(), Ok(()));
        assert!(CaliSettings { depth: 2, ..small() }.validate().unwrap_err().contains("--depth"));
        assert!(CaliSettings { lambda: 2.0, ..small() }.validate().unwrap_err().contains("--lambda"));
        assert!(CaliSettings { folds: 1, ..small() }.validate().unwrap_err().contains("--folds"));
    }

    #[test]
    fn a_small_run_is_deterministic() {
        let strip = |rows: Vec<CaliRow>| rows.into_iter().map(|r| CaliRow { seconds: 0.0, ..r }).collect::<Vec<_>>();
        let first = strip(run(&small(), &crate::harness::observe::ticking(&|| {})).unwrap());
        assert_eq!(first.len(), 2 * 3);
        assert_eq!(first, strip(run(&small(), &crate::harness::observe::ticking(&|| {})).unwrap()));
    }
}
