//! Training and measuring the Bayesian `LeNet-5` on the bench's threads.
//!
//! A minibatch is cut into chunks of [`CHUNK`] examples; each chunk runs on
//! a clone of the network with its own noise stream, so the numbers do not
//! depend on the thread count. The chunks' gradients are summed, divided by
//! the batch size, the KL term's `1/n` share is added, and Adam steps.

use crate::error::{Error, Result};
use crate::harness::folds::shuffle;
use crate::harness::seeds::Stream;
use rayon::prelude::*;
use xil_core::Adam;
use xil_core::nn::bayes::feedback::{adaptive_max_pool, selected_activations};
use xil_core::nn::bayes::{BayesExample, BayesTrainer, ElboTerms};
use xil_core::nn::cnn::architectures::{BayesLeNet5Conv, BayesLeNet5Front, BayesLeNet5Head};
use xil_core::nn::cnn::{BayesLeNet5, Tensor};

/// One image as the network reads it.
pub type Image = Tensor<1, 28, 28>;

/// The second convolution's pre-activations (where the evidence goes).
pub type Activations = Tensor<16, 10, 10>;

/// The trainer of the Bayesian `LeNet-5`.
pub type Trainer = BayesTrainer<BayesLeNet5Front, BayesLeNet5Conv, BayesLeNet5Head>;

/// Examples per chunk of a minibatch.
pub const CHUNK: usize = 16;

/// A training example: image, class and, when annotated, the activations
/// that get the evidence.
#[derive(Clone)]
pub struct Example {
    /// The image, pixels in `[0, 1]`.
    pub x: Image,
    /// Its class.
    pub label: u8,
    /// The selected activations, for an annotated image.
    pub evidence: Option<Box<Activations>>,
}

/// What an epoch measured: the mean label and evidence terms per example
/// and `KL / n` at the end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochTerms {
    /// Mean `-ln p(y | x)` per example.
    pub label: f32,
    /// Mean `-Σ ln N(0; m, v)` per example (0 without feedback).
    pub evidence: f32,
    /// `KL / n` after the epoch.
    pub kl: f32,
}

/// A new trainer: Adam with `learning_rate`, the prior, `n` training images.
///
/// # Errors
/// Settings core refuses, named.
pub fn trainer(learning_rate: f32, prior: f32, n: usize) -> Result<Box<Trainer>> {
    Trainer::new(Adam::default().learning_rate(learning_rate), prior, n)
        .map(Box::new)
        .map_err(|e| Error::core("Bayesian trainer", e))
}

/// One epoch over `examples` in the order `order` (shuffled here from the
/// phase's stream), in minibatches of `batch`, `mc` samples per example.
///
/// # Errors
/// A step that fails (a non-finite input, a label out of range), named.
pub fn epoch(
    model: &mut BayesLeNet5,
    trainer: &mut Trainer,
    examples: &[Example],
    (batch, mc): (usize, usize),
    (phase, epoch, seed): (usize, usize, u64),
) -> Result<EpochTerms> {
    let mut order: Vec<u32> = (0..examples.len() as u32).collect();
    shuffle(&mut order, &mut Stream::BayesShuffle { phase, epoch }.rng(seed));
    let mut totals = ElboTerms::default();
    let mut gradient = Box::new(BayesLeNet5::zeros());
    for (index, minibatch) in order.chunks(batch.max(1)).enumerate() {
        let sums: Vec<(Box<BayesLeNet5>, ElboTerms)> = minibatch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(chunk, members)| {
                let mut local = Box::new(model.clone());
                let mut local_gradient = Box::new(BayesLeNet5::zeros());
                let chunk_examples: Vec<BayesExample<'_, Image, Activations>> = members
                    .iter()
                    .map(|&i| {
                        let e = &examples[i as usize];
                        BayesExample { x: &e.x, label: e.label, evidence: e.evidence.as_deref() }
                    })
                    .collect();
                let mut rng = Stream::BayesNoise { phase, epoch, batch: index, chunk }.rng(seed);
                let terms = local
                    .accumulate(&chunk_examples, mc, &mut rng, &mut local_gradient)
                    .map_err(|e| Error::core("Bayesian training", e))?;
                Ok((local_gradient, terms))
            })
            .collect::<Result<_>>()?;
        gradient.set_zero();
        for (part, terms) in &sums {
            gradient.add(part);
            totals.label += terms.label;
            totals.evidence += terms.evidence;
        }
        let size = minibatch.len() as f32;
        gradient.parameters_mut().flatten().for_each(|g| *g /= size);
        trainer.add_kl_term(model, &mut gradient);
        trainer.apply(model, &gradient);
    }
    let n = examples.len().max(1) as f32;
    Ok(EpochTerms { label: totals.label / n, evidence: totals.evidence / n, kl: trainer.kl_term(model) })
}

/// The means' network's class for every image (noise cleared).
pub fn predictions(model: &BayesLeNet5, images: &[Image]) -> Vec<u8> {
    let mut means = model.clone();
    means.clear_noise();
    images.par_iter().with_min_len(32).map(|x| means.predict(x) as u8).collect()
}

/// The predictive distribution (`samples` Monte Carlo samples) of every
/// image, each from its own stream.
pub fn predictive(model: &BayesLeNet5, images: &[Image], samples: usize, seed: u64) -> Vec<[f32; 10]> {
    images
        .par_iter()
        .enumerate()
        .with_min_len(16)
        .map_init(
            || Box::new(model.clone()),
            |local, (index, x)| {
                let p = local.predictive(x, samples, &mut Stream::BayesPredictive(index).rng(seed));
                core::array::from_fn(|c| p.as_slice().get(c).copied().unwrap_or(0.0))
            },
        )
        .collect()
}

/// The entropy of a distribution, in nats.
pub fn entropy(p: &[f32]) -> f32 {
    p.iter().filter(|&&v| v > 0.0).map(|&v| -v * v.ln()).sum()
}

/// The selected activations of an annotated image: the mask of irrelevant
/// pixels max-pooled to the second convolution's `10 x 10` maps, where the
/// means' network's summed logits depend on the activation.
pub fn evidence(model: &BayesLeNet5, x: &Image, irrelevant: &[bool]) -> Activations {
    let pooled = adaptive_max_pool::<28, 28, 10, 10>(irrelevant);
    let mut means = model.clone();
    means.clear_noise();
    selected_activations(&pooled, &means.activation_gradient(x))
}
