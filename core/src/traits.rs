//! The traits that connect learners, fitted models and explainers.
//!
//! As in linfa: hyper-parameters are a value of their own whose `fit` checks
//! them and the data and can fail; the fitted model is a different type whose
//! predictions cannot fail on fixed-size input. Explainers work on any model
//! that can [`Score`] an instance.

use crate::data::features::{Design, FeatureMap};
use crate::error::Error;
use nalgebra::SVector;

/// A learner for `D` features that fits on up to `N` examples.
///
/// `N` sizes the solver's per-example working memory, which lives on the stack
/// (a few `f32` per example); data with more than `N` examples is an error.
pub trait Fit<const D: usize, const N: usize> {
    /// The fitted model.
    type Model: Decision<D>;

    /// Fits a model to `data`.
    ///
    /// # Errors
    /// Invalid hyper-parameters ([`Error::InvalidParameter`]) or data (see
    /// [`check_binary`](crate::check_binary)).
    fn fit<T: Design<D> + ?Sized>(&self, data: &T) -> Result<Self::Model, Error>;

    /// Fits a model to `data` starting from `start` (a warm start), which
    /// learners that can use one do; the default ignores it. The optimum
    /// reached is the same as [`fit`](Self::fit)'s, to the solver's tolerance.
    ///
    /// # Errors
    /// As [`fit`](Self::fit).
    fn fit_from<T: Design<D> + ?Sized>(&self, data: &T, start: &Self::Model) -> Result<Self::Model, Error> {
        let _ = start;
        self.fit(data)
    }
}

/// A fitted binary classifier on `D` features: a real-valued decision whose
/// sign is the class.
pub trait Decision<const D: usize> {
    /// The decision value: positive for class 1, negative for class 0.
    fn decision(&self, x: &SVector<f32, D>) -> f32;

    /// The decision value of an instance whose features `map` computes.
    fn decision_of<X, F: FeatureMap<X, D>>(&self, map: &F, x: &X) -> f32 {
        self.decision(&map.features(x))
    }

    /// The predicted class (1 when the decision is positive).
    fn predict(&self, x: &SVector<f32, D>) -> u8 {
        u8::from(self.decision(x) > 0.0)
    }
}

/// Anything that gives an instance of type `X` a real-valued score for the
/// positive class: what model-agnostic explainers and query strategies need.
pub trait Score<X> {
    /// The score (a decision value; positive means class 1).
    fn score(&self, x: &X) -> f32;
}

/// A fitted model on `D` features together with the feature map that feeds
/// it: it scores compact instances directly.
#[derive(Debug, Clone, Copy)]
pub struct OnInstances<'a, M, F, const D: usize> {
    /// The fitted model.
    pub model: &'a M,
    /// The map from instances to the model's features.
    pub map: &'a F,
}

impl<'a, M, F, const D: usize> OnInstances<'a, M, F, D> {
    /// Pairs a model with its feature map.
    pub const fn new(model: &'a M, map: &'a F) -> Self {
        Self { model, map }
    }
}

impl<X, M: Decision<D>, F: FeatureMap<X, D>, const D: usize> Score<X> for OnInstances<'_, M, F, D> {
    fn score(&self, x: &X) -> f32 {
        self.model.decision_of(self.map, x)
    }
}
