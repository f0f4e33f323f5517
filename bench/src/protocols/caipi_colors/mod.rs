//! CAIPI on colors (seed 000, Fig. 2): the protocol, run fold by fold.
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

pub mod reproduce;
pub mod write;

use crate::harness::folds::stratified_folds;
use crate::harness::limits;
use crate::harness::observe::Observer;
use crate::harness::seeds::Stream;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;
use std::time::Instant;
use xil_core::metrics::{RunningMean, decompose_disjoint, explanation_scores};
use xil_core::tasks::colors::{self, PairFeatures, Rule};
use xil_core::{
    Counterexamples, Example, Fit, Intercept, L1Svm, L2Svm, Lime, LinearModel, LogisticRegression, Marking,
    QueryStrategy, Replacement, Session, SessionConfig, SimulatedUser,
};

/// Capacity of the labelled set (labels plus counterexamples) of a session.
pub const CAPACITY: usize = 4096;

/// The learners of the CAIPI colors experiment, with the paper's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Learner {
    /// L1-regularised squared-hinge SVM, C = 1, intercept.
    L1Svm,
    /// L2-regularised hinge SVM, C = 1000, intercept.
    L2Svm,
    /// L2 logistic regression, C = 1000, no intercept.
    Logreg,
}

impl Learner {
    /// The name used in file names and reports.
    pub fn name(self) -> &'static str {
        match self {
            Learner::L1Svm => "l1-svm",
            Learner::L2Svm => "l2-svm",
            Learner::Logreg => "logreg",
        }
    }
}

/// Everything that defines one CAIPI colors run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaipiSettings {
    /// The rule the simulated user knows.
    pub rule: Rule,
    /// The learner.
    pub learner: Learner,
    /// Whether the user corrects explanations.
    pub corrections: bool,
    /// How the next query is picked.
    pub query: QueryStrategy,
    /// Cross-validation folds.
    pub folds: usize,
    /// Queries per fold.
    pub iterations: usize,
    /// LIME samples per explanation.
    pub lime_samples: usize,
    /// LIME repeats per explanation.
    pub lime_repeats: usize,
    /// Pixels an explanation names.
    pub k: usize,
    /// Labels per class before the first query.
    pub initial_per_class: usize,
    /// Generated images, split into folds.
    pub images: usize,
    /// The seed of data, folds and every random choice.
    pub seed: u64,
    /// The authors' code marked every explained pixel as irrelevant.
    pub mark_all_explained: bool,
    /// The authors' LIME perturbed continuous values: a perturbed pixel equals
    /// no other (hidden) instead of taking another colour.
    pub continuous_perturbation: bool,
}

impl CaipiSettings {
    /// The paper's settings for a rule, learner and corrections switch: 10
    /// folds of 40,000 images, T = 100, LIME with 2,000 samples and 10
    /// repeats, k = 4 (rule 0) or 3 (rule 1), 3 initial labels per class.
    pub fn paper(rule: Rule, learner: Learner, corrections: bool) -> Self {
        Self {
            rule,
            learner,
            corrections,
            query: QueryStrategy::ClosestToMargin,
            folds: 10,
            iterations: 100,
            lime_samples: 2000,
            lime_repeats: 10,
            k: rule.pixels().len(),
            initial_per_class: 3,
            images: 40_000,
            seed: 0,
            mark_all_explained: false,
            continuous_perturbation: false,
        }
    }

    /// Checks that the settings describe a run that can be carried out.
    ///
    /// # Errors
    /// A one-line message naming the first impossible value.
    pub fn validate(&self) -> Result<(), String> {
        limits::check("--k", self.k, &(1..=colors::PIXELS))?;
        limits::check("--lime-samples", self.lime_samples, &limits::LIME_SAMPLES)?;
        limits::check("--lime-repeats", self.lime_repeats, &limits::LIME_REPEATS)?;
        // Every query adds at least its own label to the capacity-bound set.
        limits::check("--iterations", self.iterations, &(1..=CAPACITY))?;
        limits::check("--initial-per-class", self.initial_per_class, &(1..=CAPACITY / 2))?;
        limits::check("--images", self.images, &limits::IMAGES)?;
        limits::check("--folds", self.folds, &limits::FOLDS)?;
        if self.folds > self.images {
            return Err(format!("--folds {} exceeds the number of images {}", self.folds, self.images));
        }
        // Each query adds its label and at most 3 counterexamples per marked
        // pixel. The bounds above keep this far from overflowing.
        let worst_case = 2 * self.initial_per_class + self.iterations * (1 + 3 * self.k);
        if worst_case > CAPACITY {
            return Err(format!(
                "--iterations {} with --k {} could need {worst_case} labelled examples, more than the capacity {CAPACITY}",
                self.iterations, self.k
            ));
        }
        let pool = self.images - self.images.div_ceil(self.folds);
        if pool < 2 * self.initial_per_class + self.iterations {
            return Err(format!(
                "a pool of {pool} images cannot supply {} initial labels and {} queries (raise --images)",
                2 * self.initial_per_class,
                self.iterations
            ));
        }
        Ok(())
    }
}

/// The generated images and their fold assignment.
#[derive(Debug, Clone)]
pub struct ColorsData {
    /// The images with their labels (1 = both rules hold).
    pub examples: Vec<Example<colors::Image>>,
    /// The fold of each image.
    pub folds: Vec<usize>,
}

impl ColorsData {
    /// `images` images from `seed`, split into `folds` stratified folds.
    ///
    /// # Errors
    /// When the split is impossible.
    pub fn generate(images: usize, folds: usize, seed: u64) -> Result<Self, String> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let examples: Vec<_> = (0..images).map(|_| colors::generate(&mut rng)).collect();
        let labels: Vec<u8> = examples.iter().map(|e| e.label).collect();
        let folds = stratified_folds(&labels, folds, Stream::ColorsFolds.seed(seed))?;
        Ok(Self { examples, folds })
    }

    /// The pool (training folds) and test set of a fold.
    pub fn split(&self, fold: usize) -> (Vec<Example<colors::Image>>, Vec<Example<colors::Image>>) {
        let (test, pool): (Vec<_>, Vec<_>) = self.examples.iter().zip(&self.folds).partition(|(_, f)| **f == fold);
        (pool.into_iter().map(|(e, _)| *e).collect(), test.into_iter().map(|(e, _)| *e).collect())
    }
}

/// What one fold measured after one query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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
) -> Result<Vec<Row>, String> {
    match settings.learner {
        Learner::L1Svm => run_fold_with(L1Svm::new().c(1.0), settings, data, fold, observe),
        Learner::L2Svm => run_fold_with(L2Svm::new().c(1000.0), settings, data, fold, observe),
        Learner::Logreg => {
            let learner = LogisticRegression::new().c(1000.0).intercept(Intercept::None);
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
) -> Result<Vec<Row>, String>
where
    L: Fit<{ colors::PAIRS }, CAPACITY, Model = LinearModel<{ colors::PAIRS }>>,
{
    let rule = settings.rule;
    let (mut pool, test) = data.split(fold);
    let mut rng = Stream::CaipiFold(fold).rng(settings.seed);
    let replacement = if settings.continuous_perturbation { Replacement::Hide } else { Replacement::Alternative };
    let lime = Lime::new().samples(settings.lime_samples).repeats(settings.lime_repeats).replacement(replacement);
    let config = SessionConfig::new(settings.k, settings.query, Counterexamples::default());
    let mut session: Box<Session<_, _, L, _, { colors::PAIRS }, { colors::PIXELS }, CAPACITY>> =
        Box::new(Session::new(&mut pool, learner, PairFeatures, lime, config).map_err(|e| e.to_string())?);
    session.seed_per_class(settings.initial_per_class, &mut rng).map_err(|e| format!("seeding fold {fold}: {e}"))?;
    let marking = if settings.mark_all_explained { Marking::AllExplained } else { Marking::OutsideConcept };
    let user = SimulatedUser::new(rule).marking(marking);
    let (support0, support1) = (Rule::Zero.pair_support(), Rule::One.pair_support());
    let mut running = RunningMean::new();
    let mut rows = Vec::with_capacity(settings.iterations);
    for iteration in 1..=settings.iterations {
        let started = Instant::now();
        let query = session.query(&mut rng).map_err(|e| format!("fold {fold}, query {iteration}: {e}"))?;
        let instant_f1 = explanation_scores(query.explanation.selected(), rule.pixels()).f1;
        running.push(instant_f1);
        let instance = *session.pending_instance().ok_or("no pending query")?;
        let mut feedback = user.feedback(&instance, &query);
        if !settings.corrections {
            feedback.irrelevant.clear();
        }
        let label = feedback.label;
        session
            .give_feedback(&feedback, |x| user.label(x) == label, &mut rng)
            .map_err(|e| format!("fold {fold}, feedback {iteration}: {e}"))?;
        let seconds = started.elapsed().as_secs_f64();
        let model = session.model().ok_or("no model")?;
        let correct = test.iter().filter(|e| session.predict(&e.instance) == Some(e.label)).count();
        let d =
            decompose_disjoint(model.weights.as_slice(), &support0, 1.0, &support1, -1.0).map_err(|e| e.to_string())?;
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
pub fn run_all(
    settings: &[CaipiSettings],
    data: &ColorsData,
    observe: Observer<'_, Row>,
) -> Result<Vec<Vec<Row>>, String> {
    use rayon::prelude::*;
    let jobs: Vec<(usize, usize)> =
        settings.iter().enumerate().flat_map(|(s, setting)| (0..setting.folds).map(move |fold| (s, fold))).collect();
    let results: Vec<Result<Vec<Row>, String>> =
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
    let last = rows.iter().map(|r| r.iteration).max().unwrap_or(0);
    let final_rows: Vec<&Row> = rows.iter().filter(|r| r.iteration == last).collect();
    let n = final_rows.len().max(1) as f32;
    let mean = |f: &dyn Fn(&Row) -> f32| final_rows.iter().map(|r| f(r)).sum::<f32>() / n;
    Summary {
        running_f1: mean(&|r| r.running_f1),
        test_accuracy: mean(&|r| r.test_accuracy),
        alpha0: mean(&|r| r.alpha0),
        alpha1: mean(&|r| r.alpha1),
        residual: mean(&|r| r.residual),
        counterexamples: mean(&|r| r.counterexamples as f32),
        seconds: rows.iter().map(|r| r.seconds).sum::<f64>() / rows.len().max(1) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_settings_are_rejected_with_a_message() {
        let good = CaipiSettings::paper(Rule::Zero, Learner::L1Svm, true);
        assert_eq!(good.validate(), Ok(()));
        let cases: [(&str, CaipiSettings); 5] = [
            ("--k", CaipiSettings { k: 0, ..good.clone() }),
            ("--lime-samples", CaipiSettings { lime_samples: 0, ..good.clone() }),
            ("--folds", CaipiSettings { folds: 50_000, ..good.clone() }),
            ("--folds", CaipiSettings { folds: 1, ..good.clone() }),
            ("--iterations", CaipiSettings { iterations: 5000, ..good.clone() }),
        ];
        for (flag, settings) in cases {
            let message = settings.validate().unwrap_err();
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
