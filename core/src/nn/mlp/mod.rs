//! A multi-class perceptron with two hidden `relu` layers, explained by its
//! input gradients.
//!
//! The decoy Fashion-MNIST experiment (seed 000, Table 1; Ross et al.'s
//! "right for the right reasons") trains a 784-50-30-10 network:
//!
//! ```text
//! h1 = relu(W1 x + b1),  h2 = relu(W2 h1 + b2),  z = W3 h2 + b3,  log p = z - logsumexp(z)
//! ```
//!
//! Sizes are const generics, `Mlp<I, H1, H2, O>`, and the weights live inline
//! (164 KB for 784-50-30-10, so a desktop caller boxes the model). Weight
//! matrices are stored column-major with one column per input, so the forward
//! pass and the weight gradient are runs of contiguous `axpy`s that skip zero
//! inputs (half of a Fashion-MNIST image is background).
//!
//! The explanation of a prediction is the input gradient `∇_x log p_c(x)`:
//! which pixels, nudged, change the predicted log-probability. Training
//! (cross-entropy, the input-gradient penalty and its exact second-order
//! gradient, Adam) is in [`MlpLoss`] and [`MlpTrainer`].

mod attribution;
mod training;

pub use training::{MlpExample, MlpLoss, MlpTrainer};

use crate::error::Error;
use crate::random::standard_normal;
use core::ops::AddAssign;
use core::slice::{ChunksExact, ChunksExactMut};
use nalgebra::{SMatrix, SVector};
use rand_core::Rng;

/// `y += a x` over the common length.
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// The dot product over the common length.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// `relu'(a) ⊙ v`: `v` where the unit is active, else 0.
fn through_relu<const N: usize>(pre: &SVector<f32, N>, v: SVector<f32, N>) -> SVector<f32, N> {
    v.zip_map(pre, |v, a| if a > 0.0 { v } else { 0.0 })
}

/// A fully connected layer `a = W x + b` from `IN` to `OUT` units.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense<const IN: usize, const OUT: usize> {
    weights: SMatrix<f32, OUT, IN>,
    bias: SVector<f32, OUT>,
}

impl<const IN: usize, const OUT: usize> Dense<IN, OUT> {
    fn zeros() -> Self {
        Self { weights: SMatrix::zeros(), bias: SVector::zeros() }
    }

    /// The weights `W` (`OUT x IN`).
    pub fn weights(&self) -> &SMatrix<f32, OUT, IN> {
        &self.weights
    }

    /// The bias `b`.
    pub fn bias(&self) -> &SVector<f32, OUT> {
        &self.bias
    }

    /// Weights and bias as flat slices, for optimisers.
    fn parameters_mut(&mut self) -> [&mut [f32]; 2] {
        [self.weights.as_mut_slice(), self.bias.as_mut_slice()]
    }

    fn parameters(&self) -> [&[f32]; 2] {
        [self.weights.as_slice(), self.bias.as_slice()]
    }

    /// One column of `W` per input.
    fn columns(&self) -> ChunksExact<'_, f32> {
        self.weights.as_slice().chunks_exact(OUT.max(1))
    }

    fn columns_mut(&mut self) -> ChunksExactMut<'_, f32> {
        self.weights.as_mut_slice().chunks_exact_mut(OUT.max(1))
    }

    /// The column of input `index` (empty when out of range).
    fn column(&self, index: usize) -> &[f32] {
        self.columns().nth(index).unwrap_or(&[])
    }

    /// `W x` (no bias), skipping zero inputs.
    fn product(&self, x: &SVector<f32, IN>) -> SVector<f32, OUT> {
        let mut out = SVector::<f32, OUT>::zeros();
        for (column, &x) in self.columns().zip(x.iter()) {
            if x != 0.0 {
                axpy(out.as_mut_slice(), x, column);
            }
        }
        out
    }

    /// `W x + b`.
    fn affine(&self, x: &SVector<f32, IN>) -> SVector<f32, OUT> {
        self.product(x) + self.bias
    }

    /// `W^T r`: a backward pass through the layer.
    fn transpose_product(&self, r: &SVector<f32, OUT>) -> SVector<f32, IN> {
        let mut out = SVector::<f32, IN>::zeros();
        for (entry, column) in out.iter_mut().zip(self.columns()) {
            *entry = dot(column, r.as_slice());
        }
        out
    }

    /// `W += r x^T` (skipping zero inputs); the weight gradient of `r · (W x)`.
    fn add_outer(&mut self, r: &SVector<f32, OUT>, x: &SVector<f32, IN>) {
        for (column, &x) in self.columns_mut().zip(x.iter()) {
            if x != 0.0 {
                axpy(column, x, r.as_slice());
            }
        }
    }

    /// `W[:, index] += a r`.
    fn add_to_column(&mut self, index: usize, a: f32, r: &SVector<f32, OUT>) {
        if let Some(column) = self.columns_mut().nth(index) {
            axpy(column, a, r.as_slice());
        }
    }
}

/// The values of a forward pass that backpropagation needs.
#[derive(Debug, Clone)]
pub(crate) struct Trace<const H1: usize, const H2: usize, const O: usize> {
    pre1: SVector<f32, H1>,
    post1: SVector<f32, H1>,
    pre2: SVector<f32, H2>,
    post2: SVector<f32, H2>,
    log_probabilities: SVector<f32, O>,
}

impl<const H1: usize, const H2: usize, const O: usize> Trace<H1, H2, O> {
    fn probabilities(&self) -> SVector<f32, O> {
        self.log_probabilities.map(libm::expf)
    }
}

/// The pre-activation gradients `(∂/∂a1, ∂/∂a2)` of `r · z` for an output
/// vector `r`: the shared backward pass of training and explanations.
struct Pullback<const H1: usize, const H2: usize> {
    pre1: SVector<f32, H1>,
    pre2: SVector<f32, H2>,
}

/// A perceptron `I -> H1 -> H2 -> O` with `relu` hidden layers and a softmax
/// output.
///
/// # Examples
/// ```
/// use nalgebra::SVector;
/// use rand_core::SeedableRng;
/// use rand_xoshiro::Xoshiro256PlusPlus;
/// use xil_core::nn::mlp::Mlp;
///
/// let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
/// let model: Mlp<4, 8, 6, 3> = Mlp::new(0.1, &mut rng)?;
/// let x = SVector::from([1.0, 0.0, 2.0, -1.0]);
/// let log_p = model.log_probabilities(&x);
/// assert!(approx::abs_diff_eq!(log_p.map(f32::exp).sum(), 1.0, epsilon = 1e-5));
/// // The explanation: how each input moves the predicted class's log-probability.
/// let why = model.input_gradient(&x, model.predict(&x))?;
/// assert_eq!(why.len(), 4);
/// # Ok::<(), xil_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp<const I: usize, const H1: usize, const H2: usize, const O: usize> {
    hidden1: Dense<I, H1>,
    hidden2: Dense<H1, H2>,
    output: Dense<H2, O>,
}

impl<const I: usize, const H1: usize, const H2: usize, const O: usize> Mlp<I, H1, H2, O> {
    /// A network whose weights and biases are drawn from `N(0, scale^2)` (the
    /// decoy experiment: `scale = 0.1`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`]: `"layers"` when a size is 0, `"scale"`
    /// when `scale` is not finite and positive.
    pub fn new<R: Rng + ?Sized>(scale: f32, rng: &mut R) -> Result<Self, Error> {
        if I == 0 || H1 == 0 || H2 == 0 || O == 0 {
            return Err(Error::InvalidParameter { name: "layers" });
        }
        if !(scale.is_finite() && scale > 0.0) {
            return Err(Error::InvalidParameter { name: "scale" });
        }
        let mut model = Self::zeros();
        for parameter in model.parameters_mut().into_iter().flat_map(|p| p.iter_mut()) {
            *parameter = scale * standard_normal(rng);
        }
        Ok(model)
    }

    /// All weights and biases zero: the shape of a gradient or of Adam's
    /// moments.
    pub fn zeros() -> Self {
        Self { hidden1: Dense::zeros(), hidden2: Dense::zeros(), output: Dense::zeros() }
    }

    /// Sets every weight and bias to zero (reuses a gradient buffer).
    pub fn set_zero(&mut self) {
        for parameter in self.parameters_mut() {
            parameter.fill(0.0);
        }
    }

    /// The first hidden layer.
    pub fn hidden1(&self) -> &Dense<I, H1> {
        &self.hidden1
    }

    /// The second hidden layer.
    pub fn hidden2(&self) -> &Dense<H1, H2> {
        &self.hidden2
    }

    /// The output layer (logits).
    pub fn output(&self) -> &Dense<H2, O> {
        &self.output
    }

    /// Every parameter as six flat slices (weights and bias per layer).
    pub fn parameters(&self) -> [&[f32]; 6] {
        let [w1, b1] = self.hidden1.parameters();
        let [w2, b2] = self.hidden2.parameters();
        let [w3, b3] = self.output.parameters();
        [w1, b1, w2, b2, w3, b3]
    }

    /// Every parameter as six flat mutable slices.
    pub fn parameters_mut(&mut self) -> [&mut [f32]; 6] {
        let [w1, b1] = self.hidden1.parameters_mut();
        let [w2, b2] = self.hidden2.parameters_mut();
        let [w3, b3] = self.output.parameters_mut();
        [w1, b1, w2, b2, w3, b3]
    }

    /// The number of weights and biases.
    pub const fn parameter_count() -> usize {
        I * H1 + H1 + H1 * H2 + H2 + H2 * O + O
    }

    /// The sum of all squared parameters (the L2 penalty without weight).
    pub fn squared_norm(&self) -> f32 {
        self.parameters().iter().map(|p| dot(p, p)).sum()
    }

    pub(crate) fn trace(&self, x: &SVector<f32, I>) -> Trace<H1, H2, O> {
        let pre1 = self.hidden1.affine(x);
        let post1 = pre1.map(|a| a.max(0.0));
        let pre2 = self.hidden2.affine(&post1);
        let post2 = pre2.map(|a| a.max(0.0));
        let logits = self.output.affine(&post2);
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let log_sum = max + libm::logf(logits.iter().map(|z| libm::expf(z - max)).sum());
        Trace { pre1, post1, pre2, post2, log_probabilities: logits.add_scalar(-log_sum) }
    }

    /// Backpropagates `r = ∂/∂z` to the hidden pre-activations.
    fn pull_back(&self, trace: &Trace<H1, H2, O>, r: &SVector<f32, O>) -> Pullback<H1, H2> {
        let pre2 = through_relu(&trace.pre2, self.output.transpose_product(r));
        let pre1 = through_relu(&trace.pre1, self.hidden2.transpose_product(&pre2));
        Pullback { pre1, pre2 }
    }

    /// The logits `z`.
    pub fn logits(&self, x: &SVector<f32, I>) -> SVector<f32, O> {
        let hidden = self.hidden2.affine(&self.hidden1.affine(x).map(|a| a.max(0.0))).map(|a| a.max(0.0));
        self.output.affine(&hidden)
    }

    /// The log-probabilities `log p = z - logsumexp(z)`.
    pub fn log_probabilities(&self, x: &SVector<f32, I>) -> SVector<f32, O> {
        self.trace(x).log_probabilities
    }

    /// The most probable class (the first on ties).
    pub fn predict(&self, x: &SVector<f32, I>) -> usize {
        let logits = self.logits(x);
        let mut best = 0;
        for (class, &z) in logits.iter().enumerate() {
            if logits.get(best).is_some_and(|&top| z > top) {
                best = class;
            }
        }
        best
    }

    /// The input gradient `∇_x log p_class(x)`: the explanation of the
    /// network's belief in `class`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class `>= O`.
    pub fn input_gradient(&self, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error> {
        if class >= O {
            return Err(Error::OutOfRange { index: class, len: O });
        }
        let trace = self.trace(x);
        // ∂ log p_c / ∂z = e_c - p.
        let mut r = -trace.probabilities();
        if let Some(r) = r.get_mut(class) {
            *r += 1.0;
        }
        Ok(self.hidden1.transpose_product(&self.pull_back(&trace, &r).pre1))
    }
}

impl<const I: usize, const H1: usize, const H2: usize, const O: usize> AddAssign<&Self> for Mlp<I, H1, H2, O> {
    /// Adds another network's parameters (sums gradients).
    fn add_assign(&mut self, other: &Self) {
        for (mine, theirs) in self.parameters_mut().into_iter().zip(other.parameters()) {
            axpy(mine, 1.0, theirs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    type Small = Mlp<5, 6, 4, 3>;

    fn input() -> SVector<f32, 5> {
        SVector::from([0.8, 0.0, -1.2, 2.0, 0.5])
    }

    #[test]
    fn empty_layers_and_bad_scales_are_rejected() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
        assert_eq!(Mlp::<3, 0, 2, 2>::new(0.1, &mut rng).err(), Some(Error::InvalidParameter { name: "layers" }));
        assert_eq!(Small::new(f32::NAN, &mut rng).err(), Some(Error::InvalidParameter { name: "scale" }));
    }

    #[test]
    fn the_forward_pass_matches_dense_matrix_algebra() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let model = Small::new(0.5, &mut rng).unwrap();
        let x = input();
        let relu = |v: SVector<f32, 6>| v.map(|a| a.max(0.0));
        let h1 = relu(model.hidden1.weights * x + model.hidden1.bias);
        let h2 = (model.hidden2.weights * h1 + model.hidden2.bias).map(|a| a.max(0.0));
        let z = model.output.weights * h2 + model.output.bias;
        assert!((model.logits(&x) - z).norm() < 1e-5);
        let log_p = model.log_probabilities(&x);
        let expected = z.map(|zi| zi - z.map(f32::exp).sum().ln());
        assert!((log_p - expected).norm() < 1e-5);
        assert_eq!(model.predict(&x), z.argmax().0);
    }

    #[test]
    fn the_input_gradient_matches_finite_differences() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let model = Small::new(0.5, &mut rng).unwrap();
        let x = input();
        for class in 0..3 {
            let gradient = model.input_gradient(&x, class).unwrap();
            for i in 0..5 {
                let mut e = SVector::<f32, 5>::zeros();
                // Small steps: a hidden unit sits 0.009 from its kink.
                e[i] = 1e-3;
                let numeric =
                    (model.log_probabilities(&(x + e))[class] - model.log_probabilities(&(x - e))[class]) / 2e-3;
                assert!(
                    approx::abs_diff_eq!(numeric, gradient[i], epsilon = 2e-3),
                    "class {class}, input {i}: {numeric} vs {}",
                    gradient[i]
                );
            }
        }
        assert_eq!(model.input_gradient(&x, 3).err(), Some(Error::OutOfRange { index: 3, len: 3 }));
    }

    #[test]
    fn parameters_are_normal_with_the_given_scale_and_add_up() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let model: Mlp<100, 50, 30, 10> = Mlp::new(0.1, &mut rng).unwrap();
        let count = Mlp::<100, 50, 30, 10>::parameter_count();
        assert_eq!(model.parameters().iter().map(|p| p.len()).sum::<usize>(), count);
        let variance = model.squared_norm() / count as f32;
        assert!(approx::abs_diff_eq!(variance, 0.01, epsilon = 0.001), "variance {variance}");
        let mut doubled = model.clone();
        doubled += &model;
        assert!(approx::abs_diff_eq!(doubled.squared_norm(), 4.0 * model.squared_norm(), epsilon = 1e-2));
        doubled.set_zero();
        assert_eq!(doubled, Mlp::zeros());
    }
}
