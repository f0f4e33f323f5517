//! Self-explaining neural networks (SENN) whose explanation is exact and free.
//!
//! A SENN (Alvarez-Melis & Jaakkola 2018) predicts `f(x) = sigmoid(w(x)·x)`:
//! a linear model whose coefficients `w(x)` are themselves computed from the
//! input by a small network. `w(x)` *is* the explanation — read off during
//! inference, no sampling. CALIMOCHO (seed 001) corrects it directly: the
//! user's corrected explanation enters the training loss.
//!
//! Here `w(x)` is `L` fully connected layers of width `D` (the input size,
//! e.g. 101 for one-hot colors plus a constant), each followed by
//! `g(a) = 2 sigmoid(a) - 1`:
//!
//! ```text
//! h_0 = x,   h_l = g(W_l h_{l-1} + b_l)  (l = 1..L),   w(x) = h_L,   s = w(x)·x
//! ```
//!
//! Training (loss, exact gradients, Adam) is [`SennTrainer`]'s job. The weights
//! take `L (D^2 + D)` floats: 124 KB for `D = 101, L = 3`, so a desktop caller
//! boxes the model.

mod training;

pub use training::{Correction, ExplanationLoss, SennExample, SennLoss, SennTrainer};

use crate::maths::sigmoid;
use crate::random::uniform_f32;
use crate::traits::Decision;
use nalgebra::{SMatrix, SVector};
use rand_core::Rng;

/// One dense layer `a = W h + b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer<const D: usize> {
    /// The weights `W`.
    pub weights: SMatrix<f32, D, D>,
    /// The bias `b`.
    pub bias: SVector<f32, D>,
}

impl<const D: usize> Layer<D> {
    fn zeros() -> Self {
        Self { weights: SMatrix::zeros(), bias: SVector::zeros() }
    }
}

/// The activation `g(a) = 2 sigmoid(a) - 1` and its first two derivatives.
pub(crate) fn activation(a: f32) -> (f32, f32, f32) {
    let s = sigmoid(a);
    let first = 2.0 * s * (1.0 - s);
    (2.0 * s - 1.0, first, first * (1.0 - 2.0 * s))
}

/// The values a forward pass keeps for backpropagation.
#[derive(Debug, Clone)]
pub(crate) struct Trace<const D: usize, const L: usize> {
    /// Pre-activations `a_l`, `l = 1..L`.
    pub pre: [SVector<f32, D>; L],
    /// Activations `h_l`, `l = 1..L` (`h_0 = x` is the input).
    pub post: [SVector<f32, D>; L],
}

/// A SENN with `D` inputs and `L >= 1` layers computing `w(x)`.
///
/// # Examples
/// ```
/// use nalgebra::SVector;
/// use rand_core::SeedableRng;
/// use rand_xoshiro::Xoshiro256PlusPlus;
/// use xil_core::{Decision, Senn};
///
/// let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
/// let model: Senn<4, 2> = Senn::new(&mut rng);
/// let x = SVector::from([1.0, 0.0, 1.0, 1.0]);
/// // The explanation is exact: the logit is w(x)·x.
/// let w = model.relevance(&x);
/// assert!(approx::abs_diff_eq!(model.decision(&x), w.dot(&x), epsilon = 1e-6));
/// ```
///
/// A network without a layer or an input is a compile-time error:
/// ```compile_fail
/// # use rand_core::SeedableRng;
/// let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0);
/// let model: xil_core::Senn<4, 0> = xil_core::Senn::new(&mut rng);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Senn<const D: usize, const L: usize> {
    layers: [Layer<D>; L],
}

impl<const D: usize, const L: usize> Senn<D, L> {
    /// A network with Glorot-uniform weights `U(-sqrt(3/D), sqrt(3/D))` and
    /// zero biases. `L = 0` or `D = 0` does not compile.
    pub fn new<R: Rng + ?Sized>(rng: &mut R) -> Self {
        const { assert!(L > 0 && D > 0, "a SENN needs at least one layer and one input") };
        let limit = libm::sqrtf(3.0 / D as f32);
        let mut model = Self::zeros();
        for layer in model.layers.iter_mut() {
            for w in layer.weights.iter_mut() {
                *w = limit * (2.0 * uniform_f32(rng) - 1.0);
            }
        }
        model
    }

    /// All weights and biases zero (also the shape of gradients and Adam's
    /// moments).
    pub(crate) fn zeros() -> Self {
        Self { layers: core::array::from_fn(|_| Layer::zeros()) }
    }

    /// The layers, first to last.
    pub fn layers(&self) -> &[Layer<D>; L] {
        &self.layers
    }

    pub(crate) fn layers_mut(&mut self) -> &mut [Layer<D>; L] {
        &mut self.layers
    }

    /// The forward pass, keeping what backpropagation needs.
    pub(crate) fn trace(&self, x: &SVector<f32, D>) -> Trace<D, L> {
        let mut trace = Trace { pre: [SVector::zeros(); L], post: [SVector::zeros(); L] };
        let mut input = *x;
        for ((layer, pre), post) in self.layers.iter().zip(trace.pre.iter_mut()).zip(trace.post.iter_mut()) {
            *pre = layer.weights * input + layer.bias;
            *post = pre.map(|a| activation(a).0);
            input = *post;
        }
        trace
    }

    /// The explanation `w(x)`: the signed relevance of every input.
    pub fn relevance(&self, x: &SVector<f32, D>) -> SVector<f32, D> {
        let trace = self.trace(x);
        trace.post.last().copied().unwrap_or_else(SVector::zeros)
    }

    /// The input gradient of the logit, `∇_x s = w(x) + J_w(x)^T x`: the
    /// "right for the right reasons" explanation, which differs from `w(x)`
    /// by what the robustness penalty measures.
    pub fn input_gradient(&self, x: &SVector<f32, D>) -> SVector<f32, D> {
        let trace = self.trace(x);
        // J_w^T x by a backward pass from the output with the vector x.
        let mut v = *x;
        for (layer, pre) in self.layers.iter().zip(trace.pre.iter()).rev() {
            v = layer.weights.tr_mul(&pre.map(|a| activation(a).1).component_mul(&v));
        }
        trace.post.last().copied().unwrap_or_else(SVector::zeros) + v
    }

    /// The probability of class 1, `sigmoid(w(x)·x)`.
    pub fn probability(&self, x: &SVector<f32, D>) -> f32 {
        sigmoid(self.decision(x))
    }
}

impl<const D: usize, const L: usize> Decision<D> for Senn<D, L> {
    /// The logit `w(x)·x`.
    fn decision(&self, x: &SVector<f32, D>) -> f32 {
        self.relevance(x).dot(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn the_activation_is_2_sigmoid_minus_1_with_its_derivatives() {
        for a in [-3.0f32, -0.4, 0.0, 0.7, 2.5] {
            let (g, g1, g2) = activation(a);
            assert!(approx::abs_diff_eq!(g, libm::tanhf(a / 2.0), epsilon = 1e-6));
            let eps = 1e-2;
            assert!(approx::abs_diff_eq!(
                (activation(a + eps).0 - activation(a - eps).0) / (2.0 * eps),
                g1,
                epsilon = 1e-3
            ));
            assert!(approx::abs_diff_eq!(
                (activation(a + eps).1 - activation(a - eps).1) / (2.0 * eps),
                g2,
                epsilon = 1e-3
            ));
        }
    }

    #[test]
    fn the_input_gradient_matches_finite_differences() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let model: Senn<4, 3> = Senn::new(&mut rng);
        let x = SVector::from([0.5, -1.0, 1.0, 0.2]);
        let gradient = model.input_gradient(&x);
        for i in 0..4 {
            let mut e = SVector::<f32, 4>::zeros();
            e[i] = 1e-2;
            let numeric = (model.decision(&(x + e)) - model.decision(&(x - e))) / 2e-2;
            assert!(
                approx::abs_diff_eq!(numeric, gradient[i], epsilon = 1e-3),
                "input {i}: {numeric} vs {}",
                gradient[i]
            );
        }
    }

    #[test]
    fn relevance_is_bounded_by_the_activation() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let model: Senn<5, 3> = Senn::new(&mut rng);
        let w = model.relevance(&SVector::from([1.0, -2.0, 0.5, 3.0, 1.0]));
        assert!(w.iter().all(|v| v.abs() < 1.0));
    }
}
