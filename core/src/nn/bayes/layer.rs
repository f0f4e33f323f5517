//! [`Bayesian`]: an affine layer whose weights and biases are Gaussian,
//! sampled by the local reparameterisation trick.
//!
//! For an affine layer `y_o = Σ_j w_oj x_j + b_o` with independent
//! `w_oj ~ N(μ_oj, σ_oj²)`, `b_o ~ N(μ_o, σ_o²)`, the pre-activation given
//! `x` is Gaussian with
//!
//! `m_o = Σ_j μ_oj x_j + μ_o`,  `v_o = Σ_j σ_oj² x_j² + σ_o²`,
//!
//! so a Monte Carlo sample is `y_o = m_o + √v_o ε_o` with `ε_o ~ N(0, 1)`:
//! the mean is the layer with the means as weights applied to `x`, the
//! variance the layer with the variances as weights applied to `x²`. The
//! layer keeps its noise `ε` between passes ([`Layer::sample_noise`] draws
//! it, [`Layer::clear_noise`] zeroes it for the mean activations), so a
//! network with its noise drawn is an ordinary deterministic network:
//! backpropagation, finite differences and the attribution methods apply as
//! they are. Gradients: `∂y/∂m = 1`, `∂y/∂v = ε / (2 √v)`, and through the
//! variance layer to `x²` (times `2x`) and to `σ²` (times `∂σ²/∂ρ`).
//!
//! The variance layer (every weight's `σ² = softplus(ρ)²`) and the slopes
//! `∂σ²/∂ρ` are kept beside `ρ` and recomputed with the next noise after `ρ`
//! changed, so a Monte Carlo pass costs two passes of the affine layer and
//! no transcendental function per weight; until then (after
//! [`Layer::parameters_mut`]) they are computed on the fly.

use super::gaussian::{kl, kl_gradient, sigma, variance_slope};
use crate::nn::cnn::{Layer, Values};
use crate::random::standard_normal;
use rand_core::Rng;

/// The `ρ` every weight starts from (`σ = softplus(-5) ≈ 0.0067`), with a
/// spread of 0.1.
const RHO_START: f32 = -5.0;

/// Affine layer `L` (a [`Dense`](crate::nn::cnn::Dense) or
/// [`Conv2d`](crate::nn::cnn::Conv2d)) with Gaussian weights.
///
/// # Examples
/// With its noise cleared the layer is its mean; with noise drawn its
/// outputs spread around it.
/// ```
/// use rand_core::SeedableRng;
/// use rand_xoshiro::Xoshiro256PlusPlus;
/// use xil_core::nn::bayes::Bayesian;
/// use xil_core::nn::cnn::{Dense, Layer, Values, Vector};
///
/// let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
/// let mut layer = Bayesian::<Dense<3, 2>>::zeros();
/// layer.initialize(&mut rng);
/// let x = Vector::<3>::from_slice(&[1.0, -2.0, 0.5]);
/// let (mut mean, mut sample) = (Vector::<2>::zeros(), Vector::<2>::zeros());
/// layer.forward(&x, &mut mean);
/// layer.mean().forward(&x, &mut sample);
/// assert_eq!(mean, sample);
/// layer.sample_noise(&mut rng);
/// layer.forward(&x, &mut sample);
/// assert_ne!(mean, sample);
/// ```
#[derive(Clone)]
pub struct Bayesian<L: Layer> {
    mean: L,
    rho: L,
    /// `σ²` of every weight, valid when `fresh`.
    variances: L,
    /// `∂σ²/∂ρ` of every weight, valid when `fresh`.
    slopes: L,
    /// Whether `variances` and `slopes` are `rho`'s (false after
    /// `parameters_mut`; all-zero bytes read as false).
    fresh: bool,
    noise: L::Output,
}

impl<L: Layer> Bayesian<L> {
    /// The layer of the weights' means.
    pub fn mean(&self) -> &L {
        &self.mean
    }

    /// The layer of the weights' `ρ` (`σ = softplus(ρ)`).
    pub fn rho(&self) -> &L {
        &self.rho
    }

    /// The noise of the current Monte Carlo sample (one per activation).
    pub fn noise(&self) -> &L::Output {
        &self.noise
    }

    /// The layer with the weights' variances `σ²` as weights.
    pub fn variance_layer(&self) -> L {
        if self.fresh { self.variances.clone() } else { self.computed(|r| sigma(r) * sigma(r)) }
    }

    /// `f(ρ)` of every weight, as a layer.
    fn computed(&self, f: impl Fn(f32) -> f32) -> L {
        let mut layer = self.rho.clone();
        for v in layer.parameters_mut().flatten() {
            *v = f(*v);
        }
        layer
    }

    /// Brings the kept variances and slopes up to date with `ρ`.
    fn refresh(&mut self) {
        if !self.fresh {
            self.variances = self.computed(|r| sigma(r) * sigma(r));
            self.slopes = self.computed(variance_slope);
            self.fresh = true;
        }
    }

    /// `f` of the variance layer: the kept one, or one computed now.
    fn with_variances<T>(&self, f: impl FnOnce(&L) -> T) -> T {
        if self.fresh { f(&self.variances) } else { f(&self.computed(|r| sigma(r) * sigma(r))) }
    }

    /// Adds `∂L/∂σ² · ∂σ²/∂ρ` to `gradient_rho`.
    fn add_rho_gradient(&self, variances_gradient: &L, gradient_rho: &mut L) {
        let add = |slopes: &L, gradient_rho: &mut L| {
            let terms = variances_gradient.parameters().flatten().zip(slopes.parameters().flatten());
            for (g, (&d, &slope)) in gradient_rho.parameters_mut().flatten().zip(terms) {
                *g += d * slope;
            }
        };
        if self.fresh { add(&self.slopes, gradient_rho) } else { add(&self.computed(variance_slope), gradient_rho) }
    }

    fn noisy(&self) -> bool {
        self.noise.as_slice().iter().any(|&e| e != 0.0)
    }

    /// `x ⊙ x`.
    fn squared(input: &L::Input) -> L::Input {
        let mut squared = input.clone();
        for v in squared.as_mut_slice() {
            *v *= *v;
        }
        squared
    }

    /// The variance `v` at `x²`.
    fn variance(&self, squared: &L::Input) -> L::Output {
        let mut variance = L::Output::zeros();
        self.with_variances(|layer| layer.forward(squared, &mut variance));
        variance
    }

    /// The log-likelihood of the evidence "the selected pre-activations are
    /// 0" at `input`: `Σ_{i ∈ selected} ln N(0; m_i, v_i)` with `(m, v)` the
    /// local reparameterisation's mean and variance (seed 003, eq. 16); a
    /// value of `selected` other than 0 selects.
    pub fn evidence_log_likelihood(&self, input: &L::Input, selected: &L::Output) -> f32 {
        let mut mean = L::Output::zeros();
        self.mean.forward(input, &mut mean);
        let variance = self.variance(&Self::squared(input));
        let terms = mean.as_slice().iter().zip(variance.as_slice()).zip(selected.as_slice());
        terms
            .filter(|(_, s)| **s != 0.0)
            .map(|((&m, &v), _)| {
                let v = v.max(f32::MIN_POSITIVE);
                -0.5 * libm::logf(core::f32::consts::TAU * v) - m * m / (2.0 * v)
            })
            .sum()
    }

    /// Adds `scale ∂/∂input` of [`evidence_log_likelihood`](Self::evidence_log_likelihood)
    /// to `input_gradient` and `scale ∂/∂parameters` to `gradient`:
    /// `∂ ln N(0; m, v)/∂m = -m / v`, `∂/∂v = -1/(2v) + m² / (2v²)`, then
    /// through the mean layer and the variance layer as in the backward pass.
    pub fn add_evidence_gradient(
        &self,
        input: &L::Input,
        selected: &L::Output,
        scale: f32,
        input_gradient: &mut L::Input,
        gradient: &mut Self,
    ) {
        let mut mean = L::Output::zeros();
        self.mean.forward(input, &mut mean);
        let squared = Self::squared(input);
        let variance = self.variance(&squared);
        let (mut by_mean, mut by_variance) = (L::Output::zeros(), L::Output::zeros());
        let terms = mean.as_slice().iter().zip(variance.as_slice()).zip(selected.as_slice());
        let slots = by_mean.as_mut_slice().iter_mut().zip(by_variance.as_mut_slice().iter_mut());
        for (((&m, &v), &s), (dm, dv)) in terms.zip(slots) {
            if s != 0.0 {
                let v = v.max(f32::MIN_POSITIVE);
                *dm = scale * -m / v;
                *dv = scale * (-0.5 / v + m * m / (2.0 * v * v));
            }
        }
        let mut from_mean = L::Input::zeros();
        self.mean.backward(input, &mean, &by_mean, &mut from_mean, Some(&mut gradient.mean));
        let mut from_squared = L::Input::zeros();
        let mut variances_gradient = L::zeros();
        self.with_variances(|layer| {
            layer.backward(&squared, &variance, &by_variance, &mut from_squared, Some(&mut variances_gradient));
        });
        let chain = input.as_slice().iter().zip(from_mean.as_slice().iter().zip(from_squared.as_slice()));
        for (dx, (&x, (&a, &b))) in input_gradient.as_mut_slice().iter_mut().zip(chain) {
            *dx += a + 2.0 * x * b;
        }
        self.add_rho_gradient(&variances_gradient, &mut gradient.rho);
    }

    /// Sets every weight's `ρ` to `rho` (the layer's spread at the start of
    /// training, or a test's).
    pub fn set_rho(&mut self, rho: f32) {
        self.rho.parameters_mut().flatten().for_each(|r| *r = rho);
        self.fresh = false;
        self.refresh();
    }
}

impl<L: Layer> Layer for Bayesian<L> {
    type Input = L::Input;
    type Output = L::Output;

    fn zeros() -> Self {
        Self {
            mean: L::zeros(),
            rho: L::zeros(),
            variances: L::zeros(),
            slopes: L::zeros(),
            fresh: false,
            noise: L::Output::zeros(),
        }
    }

    /// The means as `L` initialises its weights; every `ρ` from
    /// `N(-5, 0.1²)`; no noise.
    fn initialize<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.mean.initialize(rng);
        for r in self.rho.parameters_mut().flatten() {
            *r = RHO_START + 0.1 * standard_normal(rng);
        }
        self.fresh = false;
        self.refresh();
        self.noise = L::Output::zeros();
    }

    fn forward(&self, input: &Self::Input, output: &mut Self::Output) {
        self.mean.forward(input, output);
        if self.noisy() {
            let variance = self.variance(&Self::squared(input));
            let spread = variance.as_slice().iter().zip(self.noise.as_slice());
            for (y, (&v, &e)) in output.as_mut_slice().iter_mut().zip(spread) {
                *y += libm::sqrtf(v.max(0.0)) * e;
            }
        }
    }

    fn backward(
        &self,
        input: &Self::Input,
        output: &Self::Output,
        output_gradient: &Self::Output,
        input_gradient: &mut Self::Input,
        gradient: Option<&mut Self>,
    ) {
        let (gradient_mean, gradient_rho) = match gradient {
            Some(g) => (Some(&mut g.mean), Some(&mut g.rho)),
            None => (None, None),
        };
        self.mean.backward(input, output, output_gradient, input_gradient, gradient_mean);
        if !self.noisy() {
            return;
        }
        let squared = Self::squared(input);
        let variance = self.variance(&squared);
        // ∂L/∂v = ∂L/∂y · ε / (2 √v).
        let mut variance_gradient = L::Output::zeros();
        let terms = output_gradient.as_slice().iter().zip(self.noise.as_slice()).zip(variance.as_slice());
        for (g, ((&dy, &e), &v)) in variance_gradient.as_mut_slice().iter_mut().zip(terms) {
            *g = if v > 0.0 { dy * e / (2.0 * libm::sqrtf(v)) } else { 0.0 };
        }
        let mut squared_gradient = L::Input::zeros();
        let mut variances_gradient = gradient_rho.as_ref().map(|_| L::zeros());
        self.with_variances(|layer| {
            layer.backward(&squared, &variance, &variance_gradient, &mut squared_gradient, variances_gradient.as_mut());
        });
        let chain = input.as_slice().iter().zip(squared_gradient.as_slice());
        for (dx, (&x, &d2)) in input_gradient.as_mut_slice().iter_mut().zip(chain) {
            *dx += 2.0 * x * d2;
        }
        if let (Some(gradient_rho), Some(variances_gradient)) = (gradient_rho, variances_gradient) {
            self.add_rho_gradient(&variances_gradient, gradient_rho);
        }
    }

    /// The means' parameters, then the `ρ`s (the noise is not a parameter).
    fn parameters(&self) -> impl Iterator<Item = &[f32]> {
        self.mean.parameters().chain(self.rho.parameters())
    }

    /// (The kept variance layer is recomputed after `ρ` may have changed.)
    fn parameters_mut(&mut self) -> impl Iterator<Item = &mut [f32]> {
        self.fresh = false;
        self.mean.parameters_mut().chain(self.rho.parameters_mut())
    }

    /// One standard normal per activation (and the variance layer brought
    /// up to date).
    fn sample_noise<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.refresh();
        for e in self.noise.as_mut_slice() {
            *e = standard_normal(rng);
        }
    }

    /// (And the variance layer brought up to date.)
    fn clear_noise(&mut self) {
        self.refresh();
        self.noise = L::Output::zeros();
    }

    fn kl(&self, prior: f32) -> f32 {
        let pairs = self.mean.parameters().flatten().zip(self.rho.parameters().flatten());
        pairs.map(|(&mu, &rho)| kl(mu, rho, prior)).sum()
    }

    fn add_kl_gradient(&self, prior: f32, scale: f32, gradient: &mut Self) {
        let pairs = self.mean.parameters().flatten().zip(self.rho.parameters().flatten());
        let slots = gradient.mean.parameters_mut().flatten().zip(gradient.rho.parameters_mut().flatten());
        for ((&mu, &rho), (g_mu, g_rho)) in pairs.zip(slots) {
            let (d_mu, d_rho) = kl_gradient(mu, rho, prior);
            *g_mu += scale * d_mu;
            *g_rho += scale * d_rho;
        }
    }
}
