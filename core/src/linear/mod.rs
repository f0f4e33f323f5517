//! A fitted linear model `f(x) = w·x + b` and its exact explanation.
//!
//! All of xil's linear learners (logistic regression and both SVMs) produce a
//! [`LinearModel`]. Its explanation needs no sampling: the contribution of
//! feature `j` to the decision is exactly `w_j x_j`.
//!
//! The folder holds the learners that fit it: [`svm`] (L1- and L2-regularised
//! SVMs), [`logistic`] regression, the [`coordinate_descent`] solver they
//! share and the [`intercept`] options.

pub mod coordinate_descent;
pub mod intercept;
pub mod logistic;
mod order;
pub mod svm;

use crate::data::features::FeatureMap;
use crate::traits::Decision;
use nalgebra::SVector;

/// Weights and bias of a linear decision function `f(x) = w·x + b`.
///
/// # Examples
/// ```
/// use nalgebra::vector;
/// use xil_core::{Decision, LinearModel};
///
/// let model = LinearModel::new(vector![2.0, -1.0], 0.5);
/// let x = vector![1.0, 3.0];
/// assert_eq!(model.decision(&x), -0.5);
/// assert_eq!(model.predict(&x), 0);
/// // Exact contributions sum to the decision minus the bias.
/// assert_eq!(model.contributions(&x), vector![2.0, -3.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearModel<const D: usize> {
    /// The weight of each feature.
    pub weights: SVector<f32, D>,
    /// The intercept.
    pub bias: f32,
}

impl<const D: usize> LinearModel<D> {
    /// A model from its weights and bias.
    pub const fn new(weights: SVector<f32, D>, bias: f32) -> Self {
        Self { weights, bias }
    }

    /// The all-zero model (decision 0 everywhere).
    pub fn zeros() -> Self {
        Self { weights: SVector::zeros(), bias: 0.0 }
    }

    /// The input gradient of the decision: `w`, the same at every input.
    /// (For logistic regression's probability, scale it by `p (1 - p)`.)
    pub fn input_gradient(&self) -> SVector<f32, D> {
        self.weights
    }

    /// The exact contribution `w_j x_j` of each feature to the decision.
    pub fn contributions(&self, x: &SVector<f32, D>) -> SVector<f32, D> {
        self.weights.component_mul(x)
    }
}

impl<const D: usize> Decision<D> for LinearModel<D> {
    fn decision(&self, x: &SVector<f32, D>) -> f32 {
        self.weights.dot(x) + self.bias
    }

    fn decision_of<X, F: FeatureMap<X, D>>(&self, map: &F, x: &X) -> f32 {
        map.dot(x, &self.weights) + self.bias
    }
}
