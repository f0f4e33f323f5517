//! The settings of a CAIPI colors run, checked against the documented limits.

use crate::data::colors::ColorsData;
use crate::error::{Error, Result};
use crate::harness::limits;
use serde::{Deserialize, Serialize};
use xil_core::tasks::colors::{self, Rule};
use xil_core::{L1Svm, QueryStrategy, Stopping};

/// Capacity of the labelled set (labels plus counterexamples) of a session.
pub const CAPACITY: usize = 4096;

/// The learners of the CAIPI colors experiment, with the paper's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, Deserialize)]
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

/// How the linear learner is solved at every refit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Solver {
    /// As the authors' scikit-learn ran liblinear: liblinear's stopping rule
    /// (random coordinate order, shrinking) at its tolerance 1e-4, each refit
    /// from zero; the L2 SVM's dual solver stops at a projected-gradient
    /// spread of 1e-4.
    Liblinear,
    /// xil's first settings: the largest violation at 0.01 of its value at
    /// w = 0, coordinates in order, each refit warm-started from the last
    /// model; the L2 SVM at a spread of 0.01.
    Loose,
}

/// scikit-learn's default tolerance (`tol=1e-4`), which the authors kept.
const LIBLINEAR_TOLERANCE: f32 = 1e-4;
/// xil's first tolerance.
const LOOSE_TOLERANCE: f32 = 0.01;

impl Solver {
    /// How the coordinate-descent learners run under this solver: their
    /// stopping rule, tolerance and whether refits start warm.
    pub const fn coordinate_descent(self) -> (Stopping, f32, bool) {
        match self {
            Solver::Liblinear => (Stopping::Liblinear, LIBLINEAR_TOLERANCE, false),
            Solver::Loose => (Stopping::MaxViolation, LOOSE_TOLERANCE, true),
        }
    }

    /// The tolerance of the L2 SVM's dual solver.
    pub const fn tolerance(self) -> f32 {
        self.coordinate_descent().1
    }

    /// The experiment's L1 SVM (C = 1) solved this way.
    pub const fn l1_svm(self) -> L1Svm {
        let (stopping, tolerance, warm_start) = self.coordinate_descent();
        L1Svm::new().c(1.0).stopping(stopping).tolerance(tolerance).warm_start(warm_start)
    }

    /// How a report says it.
    pub fn description(self) -> &'static str {
        match self {
            Solver::Liblinear => {
                "learners solved as liblinear (its stopping rule at tolerance 1e-4, random coordinate order, \
                 shrinking, each refit from zero)"
            }
            Solver::Loose => {
                "learners solved loosely (xil's first settings: largest violation at 0.01, cyclic, warm refits)"
            }
        }
    }
}

/// Everything that defines one CAIPI colors run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaipiSettings {
    /// The rule the simulated user knows.
    pub rule: Rule,
    /// The learner.
    pub learner: Learner,
    /// How the learner is solved.
    pub solver: Solver,
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
    /// repeats, k = 4 (rule 0) or 3 (rule 1), 3 initial labels per class,
    /// the learner solved as liblinear does.
    pub fn paper(rule: Rule, learner: Learner, corrections: bool) -> Self {
        Self {
            rule,
            learner,
            solver: Solver::Liblinear,
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
    pub fn validate(&self) -> Result<()> {
        limits::check("--k", self.k, &(1..=colors::PIXELS))?;
        limits::check("--lime-samples", self.lime_samples, &limits::LIME_SAMPLES)?;
        limits::check("--lime-repeats", self.lime_repeats, &limits::LIME_REPEATS)?;
        // Every query adds at least its own label to the capacity-bound set.
        limits::check("--iterations", self.iterations, &(1..=CAPACITY))?;
        limits::check("--initial-per-class", self.initial_per_class, &(1..=CAPACITY / 2))?;
        ColorsData::check_split(self.images, self.folds)?;
        // Each query adds its label and at most 3 counterexamples per marked
        // pixel. The bounds above keep this far from overflowing.
        let worst_case = 2 * self.initial_per_class + self.iterations * (1 + 3 * self.k);
        if worst_case > CAPACITY {
            return Err(Error::Settings(format!(
                "--iterations {} with --k {} could need {worst_case} labelled examples, more than the capacity {CAPACITY}",
                self.iterations, self.k
            )));
        }
        let pool = self.images - self.images.div_ceil(self.folds);
        if pool < 2 * self.initial_per_class + self.iterations {
            return Err(Error::Settings(format!(
                "a pool of {pool} images cannot supply {} initial labels and {} queries (raise --images)",
                2 * self.initial_per_class,
                self.iterations
            )));
        }
        Ok(())
    }
}
