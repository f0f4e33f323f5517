//! One CAIPI colors run, fold by fold, and its summary.
//!
//! Per fold of a stratified k-fold split of the generated images: a session
//! starts from a few labels per class, then for each of `T` queries picks the
//! pool image closest to the margin, explains its prediction with LIME (top
//! `k` pixels), scores that explanation against the rule's pixels, lets a
//! simulated user who knows the rule label it and (with corrections on) mark
//! explained pixels outside the rule as irrelevant, adds counterexamples
//! (every alternative colour of each marked pixel, kept only when the rule
//! still gives the label) and refits. After every query the fold records the
//! explanation F1 (instant and running mean), the test accuracy, the weight
//! decomposition along the two rules and the number of counterexamples.

use super::settings::{CAPACITY, CaipiSettings, Learner};
use crate::data::colors::ColorsData;
use crate::error::{Error, Result};
use crate::harness::observe::Observer;
use crate::harness::record::{Metric, Record, mean_at_last_step};
use crate::harness::seeds::Stream;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use xil_core::metrics::{RunningMean, decompose_disjoint, explanation_scores};
use xil_core::tasks::colors::{self, PairFeatures, Rule};
use xil_core::{
    Counterexamples, Fit, Intercept, L2Svm, Lime, LinearModel, LogisticRegression, Marking, Replacement, Session,
    SessionConfig, SimulatedUser,
};

/// What one fold measured after one query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The fold.
    pub fold: usize,
    /// The query number, from 1.
    pub iteration: usize,
    /// F1 of this query's explanation against the rule's pixels.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub instant_f1: f32,
    /// Mean of the instant F1 over queries 1..=iteration.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub running_f1: f32,
    /// Accuracy on the fold's test images.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub test_accuracy: f32,
    /// Weight along rule 0's direction.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub alpha0: f32,
    /// Weight along rule 1's direction.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub alpha1: f32,
    /// Squared norm of the rest of the weights.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub residual: f32,
    /// Counterexamples in the labelled set.
    pub counterexamples: usize,
    /// Wall seconds of this query, feedback and refit.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub seconds: f64,
}

impl Record for Row {
    const METRICS: &'static [Metric<Self>] = &[
        Metric { name: "running F1", panel: "explanation F1", value: |r| r.running_f1 },
        Metric { name: "instant F1", panel: "explanation F1", value: |r| r.instant_f1 },
        Metric { name: "test accuracy", panel: "test accuracy", value: |r| r.test_accuracy },
        Metric { name: "alpha0", panel: WEIGHTS, value: |r| r.alpha0 },
        Metric { name: "alpha1", panel: WEIGHTS, value: |r| r.alpha1 },
        Metric { name: "residual", panel: WEIGHTS, value: |r| r.residual },
        Metric { name: "counterexamples", panel: "counterexamples", value: |r| r.counterexamples as f32 },
    ];

    fn fold(&self) -> usize {
        self.fold
    }

    fn step(&self) -> usize {
        self.iteration
    }
}

/// The panel of the weight decomposition.
const WEIGHTS: &str = "weights (alpha0, alpha1, residual)";

/// Runs one fold; `observe` sees every row as it is measured and can stop
/// the fold (the rows so far are returned).
///
/// # Errors
/// A message when the session fails (it should not with valid settings).
pub fn run_fold(
    settings: &CaipiSettings,
    data: &ColorsData,
    fold: usize,
    observe: Observer<'_, Row>,
) -> Result<Vec<Row>> {
    let (stopping, tolerance, warm_start) = settings.solver.coordinate_descent();
    match settings.learner {
        Learner::L1Svm => run_fold_with(settings.solver.l1_svm(), settings, data, fold, observe),
        Learner::L2Svm => {
            run_fold_with(L2Svm::new().c(1000.0).tolerance(settings.solver.tolerance()), settings, data, fold, observe)
        }
        Learner::Logreg => {
            let learner = LogisticRegression::new().c(1000.0).intercept(Intercept::None);
            let learner = learner.stopping(stopping).tolerance(tolerance).warm_start(warm_start);
            run_fold_with(learner, settings, data, fold, observe)
        }
    }
}

fn run_fold_with<L>(
    learner: L,
    settings: &CaipiSettings,
    data: &ColorsData,
    fold: usize,
    observe: Observer<'_, Row>,
) -> Result<Vec<Row>>
where
    L: Fit<{ colors::PAIRS }, CAPACITY, Model = LinearModel<{ colors::PAIRS }>>,
{
    let rule = settings.rule;
    let (mut pool, test) = data.split(fold);
    let mut rng = Stream::CaipiFold(fold).rng(settings.seed);
    let replacement = if settings.continuous_perturbation { Replacement::Hide } else { Replacement::Alternative };
    let lime = Lime::new().samples(settings.lime_samples).repeats(settings.lime_repeats).replacement(replacement);
    let config = SessionConfig::new(settings.k, settings.query, Counterexamples::default());
    let mut session: Box<Session<_, _, L, _, { colors::PAIRS }, { colors::PIXELS }, CAPACITY>> = Box::new(
        Session::new(&mut pool, learner, PairFeatures, lime, config)
            .map_err(|e| Error::core(format!("building fold {fold}'s session"), e))?,
    );
    session
        .seed_per_class(settings.initial_per_class, &mut rng)
        .map_err(|e| Error::core(format!("seeding fold {fold}"), e))?;
    let marking = if settings.mark_all_explained { Marking::AllExplained } else { Marking::OutsideConcept };
    let user = SimulatedUser::new(rule).marking(marking);
    let (support0, support1) = (Rule::Zero.pair_support(), Rule::One.pair_support());
    let mut running = RunningMean::new();
    let mut rows = Vec::with_capacity(settings.iterations);
    for iteration in 1..=settings.iterations {
        let started = Instant::now();
        let query = session.query(&mut rng).map_err(|e| Error::core(format!("fold {fold}, query {iteration}"), e))?;
        let instant_f1 = explanation_scores(query.explanation.selected(), rule.pixels()).f1;
        running.push(instant_f1);
        let instance = *session.pending_instance().ok_or(Error::Internal("no pending query"))?;
        let mut feedback = user.feedback(&instance, &query);
        if !settings.corrections {
            feedback.irrelevant.clear();
        }
        let label = feedback.label;
        session
            .give_feedback(&feedback, |x| user.label(x) == label, &mut rng)
            .map_err(|e| Error::core(format!("fold {fold}, feedback {iteration}"), e))?;
        let seconds = started.elapsed().as_secs_f64();
        let model = session.model().ok_or(Error::Internal("no model"))?;
        let correct = test.iter().filter(|e| session.predict(&e.instance) == Some(e.label)).count();
        let d = decompose_disjoint(model.weights.as_slice(), &support0, 1.0, &support1, -1.0)
            .map_err(|e| Error::core(format!("fold {fold}, weights after query {iteration}"), e))?;
        let row = Row {
            fold,
            iteration,
            instant_f1,
            running_f1: running.mean(),
            test_accuracy: correct as f32 / test.len().max(1) as f32,
            alpha0: d.alpha0,
            alpha1: d.alpha1,
            residual: d.residual,
            counterexamples: session.counterexamples(),
            seconds,
        };
        rows.push(row);
        if observe(&row).is_break() {
            break;
        }
    }
    Ok(rows)
}

/// Runs every fold of every setting, in parallel over (setting, fold) pairs
/// (the numbers do not depend on the number of threads: each fold has its own
/// seeded stream). All settings share `data`. `observe` sees every row of
/// every fold as it is measured.
///
/// # Errors
/// The first failing fold's message.
pub fn run_all(settings: &[CaipiSettings], data: &ColorsData, observe: Observer<'_, Row>) -> Result<Vec<Vec<Row>>> {
    use rayon::prelude::*;
    let jobs: Vec<(usize, usize)> =
        settings.iter().enumerate().flat_map(|(s, setting)| (0..setting.folds).map(move |fold| (s, fold))).collect();
    let results: Vec<Result<Vec<Row>>> =
        jobs.par_iter().map(|&(s, fold)| run_fold(&settings[s], data, fold, observe)).collect();
    let mut runs: Vec<Vec<Row>> = vec![Vec::new(); settings.len()];
    for (&(s, _), result) in jobs.iter().zip(results) {
        runs[s].extend(result?);
    }
    Ok(runs)
}

/// Fold means of the last iteration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Mean running explanation F1.
    pub running_f1: f32,
    /// Mean test accuracy.
    pub test_accuracy: f32,
    /// Mean weight along rule 0.
    pub alpha0: f32,
    /// Mean weight along rule 1.
    pub alpha1: f32,
    /// Mean residual.
    pub residual: f32,
    /// Mean number of counterexamples.
    pub counterexamples: f32,
    /// Mean wall seconds per query (query, explanation, feedback, refit).
    pub seconds: f64,
}

/// Summarises the rows of a run at its last iteration.
pub fn summarize(rows: &[Row]) -> Summary {
    let mean = |value: fn(&Row) -> f32| mean_at_last_step(rows, value);
    Summary {
        running_f1: mean(|r| r.running_f1),
        test_accuracy: mean(|r| r.test_accuracy),
        alpha0: mean(|r| r.alpha0),
        alpha1: mean(|r| r.alpha1),
        residual: mean(|r| r.residual),
        counterexamples: mean(|r| r.counterexamples as f32),
        seconds: rows.iter().map(|r| r.seconds).sum::<f64>() / rows.len().max(1) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_settings_are_rejected_with_a_message() {
        let good = CaipiSettings::paper(Rule::Zero, Learner::L1Svm, true);
        assert!(good.validate().is_ok());
        let cases: [(&str, CaipiSettings); 5] = [
            ("--k", CaipiSettings { k: 0, ..good.clone() }),
            ("--lime-samples", CaipiSettings { lime_samples: 0, ..good.clone() }),
            ("--folds", CaipiSettings { folds: 50_000, ..good.clone() }),
            ("--folds", CaipiSettings { folds: 1, ..good.clone() }),
            ("--iterations", CaipiSettings { iterations: 5000, ..good.clone() }),
        ];
        for (flag, settings) in cases {
            let message = settings.validate().unwrap_err().to_string();
            assert!(message.contains(flag), "{message}");
            assert!(!message.contains('\n'));
        }
    }

    #[test]
    fn results_do_not_depend_on_the_number_of_threads() {
        let settings = CaipiSettings {
            folds: 3,
            iterations: 4,
            lime_samples: 150,
            lime_repeats: 2,
            images: 900,
            ..CaipiSettings::paper(Rule::One, Learner::L1Svm, true)
        };
        let data = ColorsData::generate(settings.images, settings.folds, settings.seed).unwrap();
        let run_with = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let runs = pool
                .install(|| run_all(std::slice::from_ref(&settings), &data, &crate::harness::observe::ticking(&|| {})))
                .unwrap();
            runs.concat().into_iter().map(|r| Row { seconds: 0.0, ..r }).collect::<Vec<_>>()
        };
        assert_eq!(run_with(1), run_with(3));
    }

    #[test]
    fn a_fold_is_deterministic_and_measures_every_query() {
        let settings = CaipiSettings {
            folds: 2,
            iterations: 5,
            lime_samples: 200,
            lime_repeats: 2,
            images: 600,
            ..CaipiSettings::paper(Rule::Zero, Learner::L1Svm, true)
        };
        let data = ColorsData::generate(settings.images, settings.folds, settings.seed).unwrap();
        let first = run_fold(&settings, &data, 1, &crate::harness::observe::ticking(&|| {})).unwrap();
        let second = run_fold(&settings, &data, 1, &crate::harness::observe::ticking(&|| {})).unwrap();
        assert_eq!(first.len(), 5);
        let strip = |rows: &[Row]| rows.iter().map(|r| Row { seconds: 0.0, ..*r }).collect::<Vec<_>>();
        assert_eq!(strip(&first), strip(&second));
        assert!(first.iter().all(|r| (0.0..=1.0).contains(&r.running_f1)));
        // An observer that says stop after the third row gets exactly those.
        let seen = std::sync::atomic::AtomicUsize::new(0);
        let stop_after_three = |_: &Row| {
            let count = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            if count == 3 { std::ops::ControlFlow::Break(()) } else { std::ops::ControlFlow::Continue(()) }
        };
        let stopped = run_fold(&settings, &data, 1, &stop_after_three).unwrap();
        assert_eq!(strip(&stopped), strip(&first[..3]));
    }
}
