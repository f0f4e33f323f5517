//! [`BayesClassifier`]: a classifier with Gaussian weights whose last
//! convolution can take feedback evidence (seed 003), trained on the
//! negative ELBO.
//!
//! The network is split where the evidence enters: `front` (the input to the
//! last convolution's input), the last convolution `conv` (a [`Bayesian`]
//! layer, whose pre-activations are Gaussian under the local
//! reparameterisation), and `head` (those pre-activations to the logits,
//! starting with the `ReLU`). The loss of eqs. 14 and 16 per example, with
//! `M` Monte Carlo samples (fresh noise in every layer for each):
//!
//! `-(1/M) Σ_m [ln p(y | x, a_L = 0, ε_m) + Σ_{i ∈ L} ln N(0; m_i, v_i)]`,
//!
//! the evidence only for annotated examples, `L` their selected activations
//! ([`feedback`](super::feedback)), which are also set to 0 when the label's
//! likelihood is computed (eq. 16 conditions it on `a_L = 0`); the KL term
//! `KL / n` is added by the trainer. No weight trades the evidence off against the labels: the ELBO
//! does.

use super::layer::Bayesian;
use crate::error::Error;
use crate::nn::adam::{Adam, AdamState};
use crate::nn::cnn::classifier::{argmax, log_softmax, unit};
use crate::nn::cnn::{Layer, Network, Values, Vector};
use rand_core::Rng;

/// `front`, then the last convolution `conv`, then `head`.
#[derive(Clone)]
pub struct BayesClassifier<Fr, Cv: Layer, Hd> {
    /// From the input to the last convolution's input.
    pub front: Fr,
    /// The last convolution: its pre-activations take the evidence.
    pub conv: Bayesian<Cv>,
    /// From the last convolution's pre-activations to the logits.
    pub head: Hd,
}

/// One training example: an input, its class and, when an annotator marked
/// it, the selected activations of the last convolution (0 / 1 values).
#[derive(Clone, Copy)]
pub struct BayesExample<'a, X, A> {
    /// The input.
    pub x: &'a X,
    /// Its class.
    pub label: u8,
    /// The activations that get the evidence "= 0", if any.
    pub evidence: Option<&'a A>,
}

/// What [`BayesClassifier::accumulate`] measured, summed over the examples
/// (each averaged over the Monte Carlo samples).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ElboTerms {
    /// `-Σ ln p(y | x)`.
    pub label: f32,
    /// `-Σ ln N(0; m, v)` over the evidence.
    pub evidence: f32,
}

impl<Fr, Cv, Hd, const O: usize> BayesClassifier<Fr, Cv, Hd>
where
    Fr: Network,
    Cv: Layer<Input = Fr::Output>,
    Hd: Network<Input = Cv::Output, Output = Vector<O>>,
{
    /// All parameters zero.
    pub fn zeros() -> Self {
        Self { front: Fr::zeros(), conv: <Bayesian<Cv> as Layer>::zeros(), head: Hd::zeros() }
    }

    /// A network drawn from `rng` (means as `PyTorch` initialises the
    /// layers, `ρ` around -5).
    pub fn new<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut network = Self::zeros();
        network.initialize(rng);
        network
    }

    /// Draws every parameter anew from `rng`, in place (as [`new`](Self::new);
    /// a device keeps the network in static RAM and never holds a second copy
    /// on its stack).
    pub fn initialize<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.front.initialize(rng);
        Layer::initialize(&mut self.conv, rng);
        self.head.initialize(rng);
    }

    /// Every parameter (means and `ρ`s).
    pub fn parameters(&self) -> impl Iterator<Item = &[f32]> {
        self.front.parameters().chain(Layer::parameters(&self.conv)).chain(self.head.parameters())
    }

    /// Every parameter, mutable, in [`parameters`](Self::parameters)' order.
    pub fn parameters_mut(&mut self) -> impl Iterator<Item = &mut [f32]> {
        self.front.parameters_mut().chain(Layer::parameters_mut(&mut self.conv)).chain(self.head.parameters_mut())
    }

    /// Sets every parameter to zero (a gradient's start).
    pub fn set_zero(&mut self) {
        self.parameters_mut().flatten().for_each(|p| *p = 0.0);
    }

    /// Adds `other`'s parameters (summing gradients).
    pub fn add(&mut self, other: &Self) {
        for (a, b) in self.parameters_mut().flatten().zip(other.parameters().flatten()) {
            *a += b;
        }
    }

    /// Draws the noise of every layer: one Monte Carlo sample.
    pub fn sample_noise<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.front.sample_noise(rng);
        Layer::sample_noise(&mut self.conv, rng);
        self.head.sample_noise(rng);
    }

    /// Clears every layer's noise: the network of the weights' means.
    pub fn clear_noise(&mut self) {
        self.front.clear_noise();
        Layer::clear_noise(&mut self.conv);
        self.head.clear_noise();
    }

    /// `KL(q || N(0, prior²))` of every weight.
    pub fn kl(&self, prior: f32) -> f32 {
        self.front.kl(prior) + Layer::kl(&self.conv, prior) + self.head.kl(prior)
    }

    /// Adds `scale ∂KL/∂parameters` to `gradient`.
    pub fn add_kl_gradient(&self, prior: f32, scale: f32, gradient: &mut Self) {
        self.front.add_kl_gradient(prior, scale, &mut gradient.front);
        Layer::add_kl_gradient(&self.conv, prior, scale, &mut gradient.conv);
        self.head.add_kl_gradient(prior, scale, &mut gradient.head);
    }

    /// The logits at `x` under the current noise.
    pub fn logits(&self, x: &Fr::Input) -> Vector<O> {
        let front = self.front.trace(x);
        let mut pre = Cv::Output::zeros();
        self.conv.forward(Fr::output(&front), &mut pre);
        *Hd::output(&self.head.trace(&pre))
    }

    /// The class of largest logit under the current noise.
    pub fn predict(&self, x: &Fr::Input) -> usize {
        argmax(self.logits(x).as_slice())
    }

    /// The predictive distribution: the mean of the softmaxes of `samples`
    /// Monte Carlo samples (noise drawn from `rng`; the noise is cleared
    /// afterwards). With no sample, the softmax of the means' network.
    pub fn predictive<R: Rng + ?Sized>(&mut self, x: &Fr::Input, samples: usize, rng: &mut R) -> Vector<O> {
        let mut mean = Vector::<O>::zeros();
        for _ in 0..samples {
            self.sample_noise(rng);
            let log_p = log_softmax(&self.logits(x));
            for (m, &l) in mean.as_mut_slice().iter_mut().zip(log_p.as_slice()) {
                *m += libm::expf(l) / samples as f32;
            }
        }
        self.clear_noise();
        if samples == 0 {
            let log_p = log_softmax(&self.logits(x));
            for (m, &l) in mean.as_mut_slice().iter_mut().zip(log_p.as_slice()) {
                *m = libm::expf(l);
            }
        }
        mean
    }

    /// The gradient of the summed logits `Σ_j z_j` with respect to the last
    /// convolution's pre-activations, under the current noise: not 0 where
    /// an activation affects the output (`ReLU` on, passed by the pooling).
    pub fn activation_gradient(&self, x: &Fr::Input) -> Cv::Output {
        let front = self.front.trace(x);
        let mut pre = Cv::Output::zeros();
        self.conv.forward(Fr::output(&front), &mut pre);
        let head = self.head.trace(&pre);
        let mut gradient = Cv::Output::zeros();
        let mut ones = Vector::<O>::zeros();
        ones.as_mut_slice().fill(1.0);
        self.head.backward(&pre, &head, &ones, &mut gradient, None);
        gradient
    }

    /// Adds the gradient of the examples' negative log-likelihoods (labels
    /// and evidence), each averaged over `samples` Monte Carlo samples with
    /// fresh noise from `rng`, to `gradient`; returns the two sums. The noise
    /// is cleared afterwards.
    ///
    /// # Errors
    /// [`Error::InvalidLabel`] for a label `>= O`, [`Error::NonFinite`] for
    /// an input that is not finite, [`Error::InvalidParameter`] for no
    /// sample; nothing is added then.
    pub fn accumulate<R: Rng + ?Sized>(
        &mut self,
        examples: &[BayesExample<'_, Fr::Input, Cv::Output>],
        samples: usize,
        rng: &mut R,
        gradient: &mut Self,
    ) -> Result<ElboTerms, Error> {
        if samples == 0 {
            return Err(Error::InvalidParameter { name: "samples" });
        }
        for (index, example) in examples.iter().enumerate() {
            if usize::from(example.label) >= O {
                return Err(Error::InvalidLabel { label: example.label });
            }
            if !example.x.as_slice().iter().all(|v| v.is_finite()) {
                return Err(Error::NonFinite { example: index });
            }
        }
        let weight = 1.0 / samples as f32;
        let mut terms = ElboTerms::default();
        for example in examples {
            for _ in 0..samples {
                self.sample_noise(rng);
                let sample = self.backpropagate(example, weight, gradient);
                terms.label += sample.label;
                terms.evidence += sample.evidence;
            }
        }
        self.clear_noise();
        Ok(terms)
    }

    /// One example under the current noise: adds `weight` times the gradient
    /// of its negative log-likelihoods and returns them times `weight`.
    fn backpropagate(
        &self,
        example: &BayesExample<'_, Fr::Input, Cv::Output>,
        weight: f32,
        gradient: &mut Self,
    ) -> ElboTerms {
        let front = self.front.trace(example.x);
        let conv_input = Fr::output(&front);
        let mut pre = Cv::Output::zeros();
        self.conv.forward(conv_input, &mut pre);
        // Eq. 16: the label is predicted with the selected activations at 0.
        let silence = |values: &mut Cv::Output| {
            if let Some(selected) = example.evidence {
                for (v, &s) in values.as_mut_slice().iter_mut().zip(selected.as_slice()) {
                    if s != 0.0 {
                        *v = 0.0;
                    }
                }
            }
        };
        silence(&mut pre);
        let head = self.head.trace(&pre);
        let log_p = log_softmax(Hd::output(&head));
        let label = usize::from(example.label);
        let mut terms =
            ElboTerms { label: -weight * log_p.as_slice().get(label).copied().unwrap_or(0.0), evidence: 0.0 };
        // ∂(-ln p_y)/∂z = p - e_y.
        let mut dz = log_p;
        for (k, value) in dz.as_mut_slice().iter_mut().enumerate() {
            *value = weight * (libm::expf(*value) - if k == label { 1.0 } else { 0.0 });
        }
        let mut pre_gradient = Cv::Output::zeros();
        self.head.backward(&pre, &head, &dz, &mut pre_gradient, Some(&mut gradient.head));
        silence(&mut pre_gradient);
        let mut conv_input_gradient = Cv::Input::zeros();
        Layer::backward(
            &self.conv,
            conv_input,
            &pre,
            &pre_gradient,
            &mut conv_input_gradient,
            Some(&mut gradient.conv),
        );
        if let Some(selected) = example.evidence {
            terms.evidence = -weight * self.conv.evidence_log_likelihood(conv_input, selected);
            self.conv.add_evidence_gradient(
                conv_input,
                selected,
                -weight,
                &mut conv_input_gradient,
                &mut gradient.conv,
            );
        }
        let mut input_gradient = Fr::Input::zeros();
        self.front.backward(example.x, &front, &conv_input_gradient, &mut input_gradient, Some(&mut gradient.front));
        terms
    }

    /// The gradient of logit `class` with respect to the input under the
    /// current noise (saliency; clear the noise for the means' network).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class `>= O`.
    pub fn logit_gradient(&self, x: &Fr::Input, class: usize) -> Result<Fr::Input, Error> {
        let r = unit::<O>(class)?;
        let front = self.front.trace(x);
        let conv_input = Fr::output(&front);
        let mut pre = Cv::Output::zeros();
        self.conv.forward(conv_input, &mut pre);
        let head = self.head.trace(&pre);
        let mut pre_gradient = Cv::Output::zeros();
        self.head.backward(&pre, &head, &r, &mut pre_gradient, None);
        let mut conv_input_gradient = Cv::Input::zeros();
        Layer::backward(&self.conv, conv_input, &pre, &pre_gradient, &mut conv_input_gradient, None);
        let mut input_gradient = Fr::Input::zeros();
        self.front.backward(x, &front, &conv_input_gradient, &mut input_gradient, None);
        Ok(input_gradient)
    }
}

impl<Fr, Cv, Hd, const O: usize> BayesClassifier<Fr, Cv, Hd>
where
    Fr: Network,
    Cv: Layer<Input = Fr::Output>,
    Hd: Network<Input = Cv::Output, Output = Vector<O>>,
{
    /// `DeepLIFT`'s multipliers (rescale rule) of the inputs for logit
    /// `class` against `reference`, under the current noise (exact
    /// completeness for the means' network, noise cleared).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class `>= O`.
    pub fn multipliers(&self, x: &Fr::Input, reference: &Fr::Input, class: usize) -> Result<Fr::Input, Error> {
        let r = unit::<O>(class)?;
        let (at, from) = (self.front.trace(x), self.front.trace(reference));
        let (conv_at, conv_from) = (Fr::output(&at), Fr::output(&from));
        let (mut pre_at, mut pre_from) = (Cv::Output::zeros(), Cv::Output::zeros());
        self.conv.forward(conv_at, &mut pre_at);
        self.conv.forward(conv_from, &mut pre_from);
        let (head_at, head_from) = (self.head.trace(&pre_at), self.head.trace(&pre_from));
        let mut pre_multipliers = Cv::Output::zeros();
        self.head.multipliers([(&pre_at, &head_at), (&pre_from, &head_from)], &r, &mut pre_multipliers);
        let mut conv_multipliers = Cv::Input::zeros();
        Layer::multipliers(
            &self.conv,
            [(conv_at, &pre_at), (conv_from, &pre_from)],
            &pre_multipliers,
            &mut conv_multipliers,
        );
        let mut multipliers = Fr::Input::zeros();
        self.front.multipliers([(x, &at), (reference, &from)], &conv_multipliers, &mut multipliers);
        Ok(multipliers)
    }

    /// The last convolution's activations (`ReLU` of its pre-activations,
    /// the maps Grad-CAM weighs) and the gradient of logit `class` with
    /// respect to its pre-activations, under the current noise.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class `>= O`.
    pub fn feature_gradient(&self, x: &Fr::Input, class: usize) -> Result<(Cv::Output, Cv::Output), Error> {
        let r = unit::<O>(class)?;
        let front = self.front.trace(x);
        let mut pre = Cv::Output::zeros();
        self.conv.forward(Fr::output(&front), &mut pre);
        let head = self.head.trace(&pre);
        let mut gradient = Cv::Output::zeros();
        self.head.backward(&pre, &head, &r, &mut gradient, None);
        let mut maps = pre;
        maps.as_mut_slice().iter_mut().for_each(|v| *v = v.max(0.0));
        Ok((maps, gradient))
    }
}

/// Adam on the negative ELBO of a [`BayesClassifier`]: the data term's
/// gradient per example of a minibatch (mean over it) plus `KL / n`.
#[derive(Clone)]
pub struct BayesTrainer<Fr, Cv: Layer, Hd> {
    adam: Adam,
    prior: f32,
    training_size: usize,
    state: AdamState,
    first: BayesClassifier<Fr, Cv, Hd>,
    second: BayesClassifier<Fr, Cv, Hd>,
}

impl<Fr, Cv, Hd, const O: usize> BayesTrainer<Fr, Cv, Hd>
where
    Fr: Network,
    Cv: Layer<Input = Fr::Output>,
    Hd: Network<Input = Cv::Output, Output = Vector<O>>,
{
    /// A trainer with Adam's settings, the prior's standard deviation and
    /// the number of training examples `n` (the KL term is `KL / n` per
    /// example).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for invalid Adam settings, a prior that
    /// is not finite and positive, or no training example.
    pub fn new(adam: Adam, prior: f32, training_size: usize) -> Result<Self, Error> {
        adam.check()?;
        if !(prior.is_finite() && prior > 0.0) {
            return Err(Error::InvalidParameter { name: "prior" });
        }
        if training_size == 0 {
            return Err(Error::InvalidParameter { name: "training_size" });
        }
        Ok(Self {
            adam,
            prior,
            training_size,
            state: AdamState::default(),
            first: BayesClassifier::zeros(),
            second: BayesClassifier::zeros(),
        })
    }

    /// The gradient of the minibatch `examples`' mean negative ELBO into
    /// `gradient` (overwritten), then one Adam step; returns the minibatch's
    /// mean loss terms and `KL / n`.
    ///
    /// # Errors
    /// As [`BayesClassifier::accumulate`], or no example; the model is
    /// unchanged on error.
    pub fn step<R: Rng + ?Sized>(
        &mut self,
        model: &mut BayesClassifier<Fr, Cv, Hd>,
        examples: &[BayesExample<'_, Fr::Input, Cv::Output>],
        samples: usize,
        rng: &mut R,
        gradient: &mut BayesClassifier<Fr, Cv, Hd>,
    ) -> Result<(ElboTerms, f32), Error> {
        if examples.is_empty() {
            return Err(Error::EmptyData);
        }
        gradient.set_zero();
        let terms = model.accumulate(examples, samples, rng, gradient)?;
        let batch = examples.len() as f32;
        gradient.parameters_mut().flatten().for_each(|g| *g /= batch);
        self.add_kl_term(model, gradient);
        self.apply(model, gradient);
        let mean = ElboTerms { label: terms.label / batch, evidence: terms.evidence / batch };
        Ok((mean, self.kl_term(model)))
    }

    /// `KL / n`: the KL term's share per training example.
    pub fn kl_term(&self, model: &BayesClassifier<Fr, Cv, Hd>) -> f32 {
        model.kl(self.prior) / self.training_size as f32
    }

    /// Adds the gradient of [`kl_term`](Self::kl_term) to `gradient` (a
    /// minibatch's mean data gradient).
    pub fn add_kl_term(&self, model: &BayesClassifier<Fr, Cv, Hd>, gradient: &mut BayesClassifier<Fr, Cv, Hd>) {
        model.add_kl_gradient(self.prior, 1.0 / self.training_size as f32, gradient);
    }

    /// One Adam step along `gradient`; the model is left without noise, its
    /// kept variances those of the new `ρ` (so copies of it need not
    /// recompute them).
    pub fn apply(&mut self, model: &mut BayesClassifier<Fr, Cv, Hd>, gradient: &BayesClassifier<Fr, Cv, Hd>) {
        let step = self.state.begin_step(self.adam);
        let moments = self.first.parameters_mut().zip(self.second.parameters_mut());
        for ((theta, g), (m, v)) in model.parameters_mut().zip(gradient.parameters()).zip(moments) {
            step.update(theta, g, m, v, 0.0);
        }
        model.clear_noise();
    }
}
