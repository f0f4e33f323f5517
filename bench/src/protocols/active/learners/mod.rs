//! The learners of the active loop behind one interface: refitted on the
//! labelled pool instances at every step, then asked for class
//! probabilities (the uncertainty strategies) and explanations (ALEX and
//! retrieval). The networks train by minibatch Adam from the same initial
//! weights at every step; the linear models are one-vs-rest fits of core's
//! solvers with the cost chosen on the seed set.

pub mod linear;
pub mod networks;

use super::pool::Pool;
use crate::error::Result;
use nalgebra::SVector;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// The model of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActiveModel {
    /// ALEX's convolutional network (seed 002).
    AlexCnn,
    /// `LeNet-5` (seed 003).
    Lenet,
    /// The 784-50-30-10 perceptron of the decoy experiment.
    Mlp,
    /// A linear SVM (hinge loss; one-vs-rest over more than two classes), as
    /// seed 004.
    LinearSvm,
    /// L2-regularised logistic regression (one-vs-rest likewise).
    Logreg,
}

impl ActiveModel {
    /// Every model, as the app lists them.
    pub const ALL: [ActiveModel; 5] =
        [ActiveModel::Mlp, ActiveModel::Lenet, ActiveModel::AlexCnn, ActiveModel::LinearSvm, ActiveModel::Logreg];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            ActiveModel::AlexCnn => "alex-cnn",
            ActiveModel::Lenet => "lenet",
            ActiveModel::Mlp => "mlp",
            ActiveModel::LinearSvm => "linear-svm",
            ActiveModel::Logreg => "logreg",
        }
    }

    /// Whether the model is a network on 28 x 28 images.
    pub fn is_network(self) -> bool {
        matches!(self, ActiveModel::AlexCnn | ActiveModel::Lenet | ActiveModel::Mlp)
    }
}

/// A learner on `D` features and `C` classes.
pub trait Learner<const D: usize, const C: usize>: Sized + Sync {
    /// What a fit gives.
    type Fitted: Send + Sync;

    /// The learner of one run, tuned on the run's seed set where the
    /// learner tunes anything.
    ///
    /// # Errors
    /// A fit that fails.
    fn for_run(&self, pool: &Pool<D, C>, seed_set: &[u32], run: usize) -> Result<Self>;

    /// A model fitted to the labelled pool instances at a run's step.
    ///
    /// # Errors
    /// A fit that fails, named.
    fn fit(&self, pool: &Pool<D, C>, labelled: &[u32], run: usize, step: usize) -> Result<Self::Fitted>;

    /// The class probabilities at `x`.
    fn probabilities(&self, fitted: &Self::Fitted, x: &SVector<f32, D>) -> [f32; C];

    /// The predicted class at `x`.
    fn predict(&self, fitted: &Self::Fitted, x: &SVector<f32, D>) -> usize {
        let p = self.probabilities(fitted, x);
        (0..C).fold(0, |best, c| if p[c] > p[best] { c } else { best })
    }

    /// The explanation of class `class` at `x`, one weight per feature.
    ///
    /// # Errors
    /// An explainer that does not apply or fails, named.
    fn explain(
        &self,
        fitted: &Self::Fitted,
        x: &SVector<f32, D>,
        class: usize,
        rng: &mut Xoshiro256PlusPlus,
    ) -> Result<SVector<f32, D>>;
}
