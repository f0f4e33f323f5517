//! [`Classifier`]: convolutional `features` followed by a dense `head`
//! whose `O` outputs are class logits, with a softmax over them; trained on
//! the summed cross-entropy by [`ClassifierTrainer`] (Adam with L2).
//!
//! The split between `features` and `head` is where Grad-CAM looks: the
//! gradient of a logit with respect to the features' output (the last
//! convolutional layer's maps) is [`Classifier::feature_gradient`]. Moving
//! the split moves the layer explained; every other activation's gradient is
//! a step of [`Network::backward`].

use super::layer::{Network, Values};
use super::tensor::Vector;
use crate::error::Error;
use crate::nn::adam::{Adam, AdamState};
use rand_core::Rng;

/// `head(features(x))`: logits of `O` classes.
#[derive(Debug, Clone, PartialEq)]
pub struct Classifier<F, Hd> {
    /// The convolutional part, ending in the maps Grad-CAM explains.
    pub features: F,
    /// The dense part, from those maps to the logits.
    pub head: Hd,
}

/// One labelled input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifierExample<'a, X> {
    /// The input.
    pub x: &'a X,
    /// Its class.
    pub label: u8,
}

/// The features' pass at an input: their output, the gradient of a logit
/// with respect to it, and every activation on the way.
struct FeaturePass<F: Network> {
    maps: F::Output,
    gradient: F::Output,
    trace: F::Trace,
}

/// `z - logsumexp(z)`.
pub(crate) fn log_softmax<const O: usize>(logits: &Vector<O>) -> Vector<O> {
    let z = logits.as_slice();
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let log_sum = max + libm::logf(z.iter().map(|&z| libm::expf(z - max)).sum());
    let mut out = *logits;
    for value in out.as_mut_slice() {
        *value -= log_sum;
    }
    out
}

/// The first index of the largest value.
pub(crate) fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (index, &value) in values.iter().enumerate() {
        if values.get(best).is_some_and(|&top| value > top) {
            best = index;
        }
    }
    best
}

/// `e_class`, or an error for a class the network does not have.
pub(crate) fn unit<const O: usize>(class: usize) -> Result<Vector<O>, Error> {
    let mut r = Vector::<O>::zeros();
    *r.as_mut_slice().get_mut(class).ok_or(Error::OutOfRange { index: class, len: O })? = 1.0;
    Ok(r)
}

impl<F, Hd, const O: usize> Classifier<F, Hd>
where
    F: Network,
    Hd: Network<Input = F::Output, Output = Vector<O>>,
{
    /// All parameters zero (the shape of a gradient); on a desktop, build
    /// large networks on a thread with a large stack and box them.
    pub fn zeros() -> Self {
        Self { features: F::zeros(), head: Hd::zeros() }
    }

    /// A network initialised as `PyTorch` initialises its layers.
    pub fn new<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut model = Self::zeros();
        model.initialize(rng);
        model
    }

    /// Draws every parameter in place, as [`new`](Self::new) does: for a
    /// network that already sits in a box or a static buffer.
    pub fn initialize<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.features.initialize(rng);
        self.head.initialize(rng);
    }

    /// Every parameter as flat slices.
    pub fn parameters(&self) -> impl Iterator<Item = &[f32]> {
        self.features.parameters().chain(self.head.parameters())
    }

    /// Every parameter as flat mutable slices.
    pub fn parameters_mut(&mut self) -> impl Iterator<Item = &mut [f32]> {
        self.features.parameters_mut().chain(self.head.parameters_mut())
    }

    /// The number of weights and biases.
    pub fn parameter_count(&self) -> usize {
        self.parameters().map(<[f32]>::len).sum()
    }

    /// Sets every parameter to zero (reuses a gradient buffer).
    pub fn set_zero(&mut self) {
        for block in self.parameters_mut() {
            block.fill(0.0);
        }
    }

    /// `self += other`, parameter by parameter (sums gradients).
    pub fn add(&mut self, other: &Self) {
        for (mine, theirs) in self.parameters_mut().zip(other.parameters()) {
            for (a, &b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
    }

    /// The logits `z`.
    pub fn logits(&self, x: &F::Input) -> Vector<O> {
        *Hd::output(&self.head.trace(F::output(&self.features.trace(x))))
    }

    /// The log-probabilities `z - logsumexp(z)`.
    pub fn log_probabilities(&self, x: &F::Input) -> Vector<O> {
        log_softmax(&self.logits(x))
    }

    /// The most probable class (the first on ties).
    pub fn predict(&self, x: &F::Input) -> usize {
        argmax(self.logits(x).as_slice())
    }

    /// The gradient of the logit of `class` with respect to the input.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class `>= O`.
    pub fn logit_gradient(&self, x: &F::Input, class: usize) -> Result<F::Input, Error> {
        let pass = self.feature_pass(x, class)?;
        let mut input_gradient = F::Input::zeros();
        self.features.backward(x, &pass.trace, &pass.gradient, &mut input_gradient, None);
        Ok(input_gradient)
    }

    /// The features' output (the maps Grad-CAM weighs) and the gradient of
    /// the logit of `class` with respect to it.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class `>= O`.
    pub fn feature_gradient(&self, x: &F::Input, class: usize) -> Result<(F::Output, F::Output), Error> {
        let pass = self.feature_pass(x, class)?;
        Ok((pass.maps, pass.gradient))
    }

    fn feature_pass(&self, x: &F::Input, class: usize) -> Result<FeaturePass<F>, Error> {
        let r = unit::<O>(class)?;
        let features = self.features.trace(x);
        let maps = F::output(&features).clone();
        let head = self.head.trace(&maps);
        let mut gradient = F::Output::zeros();
        self.head.backward(&maps, &head, &r, &mut gradient, None);
        Ok(FeaturePass { maps, gradient, trace: features })
    }

    /// `DeepLIFT`'s multipliers (rescale rule) of the inputs for the logit of
    /// `class` against `reference`: `Σ (x - r) m = z(x) - z(r)`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class `>= O`.
    pub fn multipliers(&self, x: &F::Input, reference: &F::Input, class: usize) -> Result<F::Input, Error> {
        let r = unit::<O>(class)?;
        let (at, from) = (self.features.trace(x), self.features.trace(reference));
        let (head_at, head_from) = (self.head.trace(F::output(&at)), self.head.trace(F::output(&from)));
        let mut map_multipliers = F::Output::zeros();
        self.head.multipliers([(F::output(&at), &head_at), (F::output(&from), &head_from)], &r, &mut map_multipliers);
        let mut multipliers = F::Input::zeros();
        self.features.multipliers([(x, &at), (reference, &from)], &map_multipliers, &mut multipliers);
        Ok(multipliers)
    }

    /// The summed cross-entropy `-Σ log p_y(x)` of `examples`.
    ///
    /// # Errors
    /// As [`accumulate`](Self::accumulate).
    pub fn loss(&self, examples: &[ClassifierExample<'_, F::Input>]) -> Result<f32, Error> {
        check::<F::Input, O>(examples)?;
        Ok(examples
            .iter()
            .map(|e| -self.log_probabilities(e.x).as_slice().get(usize::from(e.label)).copied().unwrap_or(0.0))
            .sum())
    }

    /// Adds the gradient of the summed cross-entropy of `examples` to
    /// `gradient` and returns that loss; nothing is added when an example is
    /// invalid.
    ///
    /// # Errors
    /// [`Error::InvalidLabel`] for a label `>= O`, [`Error::NonFinite`] (with
    /// the example's index) for a NaN or infinite input.
    pub fn accumulate(&self, examples: &[ClassifierExample<'_, F::Input>], gradient: &mut Self) -> Result<f32, Error> {
        check::<F::Input, O>(examples)?;
        let mut total = 0.0;
        for example in examples {
            let features = self.features.trace(example.x);
            let maps = F::output(&features);
            let head = self.head.trace(maps);
            let log_p = log_softmax(Hd::output(&head));
            let label = usize::from(example.label);
            total -= log_p.as_slice().get(label).copied().unwrap_or(0.0);
            // ∂(-log p_y)/∂z = p - e_y.
            let mut dz = log_p;
            for (k, value) in dz.as_mut_slice().iter_mut().enumerate() {
                *value = libm::expf(*value) - if k == label { 1.0 } else { 0.0 };
            }
            let mut map_gradient = F::Output::zeros();
            self.head.backward(maps, &head, &dz, &mut map_gradient, Some(&mut gradient.head));
            let mut input_gradient = F::Input::zeros();
            self.features.backward(
                example.x,
                &features,
                &map_gradient,
                &mut input_gradient,
                Some(&mut gradient.features),
            );
        }
        Ok(total)
    }
}

fn check<X: Values, const O: usize>(examples: &[ClassifierExample<'_, X>]) -> Result<(), Error> {
    for (index, example) in examples.iter().enumerate() {
        if usize::from(example.label) >= O {
            return Err(Error::InvalidLabel { label: example.label });
        }
        if !example.x.as_slice().iter().all(|v| v.is_finite()) {
            return Err(Error::NonFinite { example: index });
        }
    }
    Ok(())
}

/// Adam with an L2 penalty `l2 |theta|^2` for a [`Classifier`]; its moments
/// persist between steps.
#[derive(Debug, Clone)]
pub struct ClassifierTrainer<F, Hd> {
    adam: Adam,
    l2: f32,
    state: AdamState,
    first: Classifier<F, Hd>,
    second: Classifier<F, Hd>,
}

impl<F, Hd, const O: usize> ClassifierTrainer<F, Hd>
where
    F: Network,
    Hd: Network<Input = F::Output, Output = Vector<O>>,
{
    /// A trainer with Adam's settings and the L2 weight.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for invalid Adam settings or an `l2` that
    /// is not finite and non-negative.
    pub fn new(adam: Adam, l2: f32) -> Result<Self, Error> {
        adam.check()?;
        if !(l2.is_finite() && l2 >= 0.0) {
            return Err(Error::InvalidParameter { name: "l2" });
        }
        Ok(Self { adam, l2, state: AdamState::default(), first: Classifier::zeros(), second: Classifier::zeros() })
    }

    /// One Adam step from the gradient of the data loss (the L2 term is
    /// added here).
    pub fn apply(&mut self, model: &mut Classifier<F, Hd>, gradient: &Classifier<F, Hd>) {
        let step = self.state.begin_step(self.adam);
        let moments = self.first.parameters_mut().zip(self.second.parameters_mut());
        for ((theta, g), (m, v)) in model.parameters_mut().zip(gradient.parameters()).zip(moments) {
            step.update(theta, g, m, v, 2.0 * self.l2);
        }
    }

    /// Computes the gradient of `examples` into `gradient` (overwriting it)
    /// and takes one step; returns the summed loss.
    ///
    /// # Errors
    /// As [`Classifier::accumulate`]; the model is unchanged on error.
    pub fn step(
        &mut self,
        model: &mut Classifier<F, Hd>,
        examples: &[ClassifierExample<'_, F::Input>],
        gradient: &mut Classifier<F, Hd>,
    ) -> Result<f32, Error> {
        gradient.set_zero();
        let value = model.accumulate(examples, gradient)?;
        self.apply(model, gradient);
        Ok(value)
    }
}
