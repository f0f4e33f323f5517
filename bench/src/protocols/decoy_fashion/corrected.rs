//! The network an image session corrects, and how an answer reaches it:
//! the decoy experiment's perceptron through its loss (the input-gradient
//! penalty on the painted pixels, "right for the right reasons"), or seed
//! 003's Bayesian `LeNet-5` through its ELBO (the painted pixels, max-pooled
//! to the second convolution's maps, select activations that get the
//! evidence "= 0").

use super::run::{accuracy, run};
use super::settings::{DecoySettings, Input, Network, Setting, Trainer};
use crate::data::decoy::{DecoyData, patch};
use crate::data::fashion::{CLASSES, ImageSet, PIXELS};
use crate::error::{Error, Result};
use crate::harness::observe::ticking;
use crate::harness::seeds::Stream;
use crate::harness::threads::STACK;
use crate::protocols::attributions::methods::{Budgets, Method, attribute};
use crate::protocols::bayes_feedback::train::{
    Example, Image, Trainer as BayesTrainer, entropy, epoch, evidence, trainer as bayes_trainer,
};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::ThreadPool;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use xil_core::metrics::attribution_overlap;
use xil_core::nn::cnn::BayesLeNet5;
use xil_core::nn::mlp::{MlpExample, MlpLoss};
use xil_core::random::uniform_below;

/// Which network a session corrects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionModel {
    /// The decoy experiment's perceptron; answers enter its loss as the
    /// input-gradient penalty (sessions saved before the choice existed).
    #[default]
    Perceptron,
    /// Seed 003's Bayesian `LeNet-5`; answers enter its ELBO as activation
    /// evidence.
    BayesLenet,
}

impl SessionModel {
    /// Both, in the order the app offers them.
    pub const ALL: [Self; 2] = [Self::Perceptron, Self::BayesLenet];

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Perceptron => "perceptron, input-gradient penalty",
            Self::BayesLenet => "Bayesian LeNet-5, activation evidence",
        }
    }
}

/// Monte Carlo samples of the Bayesian network's uncertainty.
pub const UNCERTAINTY_SAMPLES: usize = 10;

/// The Bayesian network's uncertainty about one image over
/// [`UNCERTAINTY_SAMPLES`] Monte Carlo samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Uncertainty {
    /// Entropy of the predictive distribution (the samples' mean softmax),
    /// in nats (`ln 10` ≈ 2.30 at most).
    pub entropy: f32,
    /// The predicted class's mean probability over the samples.
    pub probability: f32,
    /// Its standard deviation over the samples.
    pub spread: f32,
}

/// What an answer is turned into and trained on: the image, its class and
/// the pixels it must not depend on.
pub struct Answer<'a> {
    /// The training image.
    pub index: usize,
    /// Its class.
    pub label: u8,
    /// The painted pixels.
    pub irrelevant: &'a [usize],
}

/// A network and its optimiser.
#[derive(Clone)]
pub enum Corrected {
    /// The perceptron, Adam on the cross-entropy plus the penalty.
    Perceptron {
        /// The network.
        model: Box<Network>,
        /// Its optimiser.
        trainer: Box<Trainer>,
        /// The penalty's weight.
        penalty: f32,
    },
    /// The Bayesian `LeNet-5`, Adam on the negative ELBO.
    Bayes {
        /// The network.
        model: Box<BayesLeNet5>,
        /// Its optimiser.
        trainer: Box<BayesTrainer>,
        /// Threads with stacks that hold copies of the network (1 MB each,
        /// built by value), on which its passes run.
        threads: Arc<ThreadPool>,
    },
}

/// The Bayesian network's input: pixels in `[0, 1]`.
fn bayes_image(data: &DecoyData, index: usize) -> Image {
    let mut x = Image::zeros();
    data.input_scaled(index, 1.0 / 255.0, x.as_mut_slice());
    x
}

/// The pixels as a mask.
fn mask(pixels: &[usize]) -> Vec<bool> {
    let mut mask = vec![false; PIXELS];
    for &p in pixels {
        if let Some(flag) = mask.get_mut(p) {
            *flag = true;
        }
    }
    mask
}

impl Corrected {
    /// A network trained without corrections on the first `images` of
    /// `train` for `epochs` epochs (the perceptron by the decoy protocol, the
    /// Bayesian network in minibatches of `batch`, one Monte Carlo sample,
    /// Adam 1e-3, prior `N(0, 0.1²)`).
    ///
    /// # Errors
    /// A training step that fails, named.
    pub fn pretrain(
        model: SessionModel,
        (fashion, train): (&ImageSet, &DecoyData),
        (images, epochs, batch): (usize, usize, usize),
        (penalty, seed): (f32, u64),
    ) -> Result<Self> {
        match model {
            SessionModel::Perceptron => {
                let decoy =
                    DecoySettings { epochs, train_limit: Some(images), ..DecoySettings::paper(Setting::None, seed) };
                let outcome = run(&decoy, fashion, &ticking(&|| {}))?;
                let trainer = Box::new(DecoySettings::paper(Setting::InputGradients, seed).trainer()?);
                Ok(Self::Perceptron { model: outcome.model, trainer, penalty })
            }
            SessionModel::BayesLenet => {
                let threads = rayon::ThreadPoolBuilder::new()
                    .num_threads(rayon::current_num_threads())
                    .stack_size(STACK)
                    .build()
                    .map_err(|e| Error::Threads(e.to_string()))?;
                let count = images.min(train.len());
                let (model, trainer) = threads.install(|| -> Result<_> {
                    let examples: Vec<Example> = (0..count)
                        .map(|i| Example { x: bayes_image(train, i), label: train.labels[i], evidence: None })
                        .collect();
                    let mut model = Box::new(BayesLeNet5::new(&mut Stream::ImageBayesInit.rng(seed)));
                    let mut trainer = bayes_trainer(1e-3, 0.1, count)?;
                    for e in 1..=epochs {
                        epoch(&mut model, &mut trainer, &examples, (batch, 1), (PRETRAINING, e, seed))?;
                    }
                    Ok((model, trainer))
                })?;
                Ok(Self::Bayes { model, trainer, threads: Arc::new(threads) })
            }
        }
    }

    /// The predicted class of training or test image `index` of `data`.
    pub fn predict(&self, data: &DecoyData, index: usize) -> usize {
        match self {
            Self::Perceptron { model, .. } => {
                let mut x = Input::zeros();
                data.input_scaled(index, 1.0, x.as_mut_slice());
                model.predict(&x)
            }
            // The optimiser leaves the network without noise: its means.
            Self::Bayes { model, .. } => model.predict(&bayes_image(data, index)),
        }
    }

    /// `method`'s map of the predicted class at image `index` of `data`
    /// (`None` when the method does not apply to the network).
    ///
    /// # Errors
    /// The method's failure.
    pub fn attribute(
        &self,
        method: Method,
        (data, index): (&DecoyData, usize),
        rng: &mut Xoshiro256PlusPlus,
    ) -> std::result::Result<Option<Input>, xil_core::Error> {
        let class = self.predict(data, index);
        match self {
            Self::Perceptron { model, .. } => {
                let mut x = Input::zeros();
                data.input_scaled(index, 1.0, x.as_mut_slice());
                attribute(&**model, method, &x, class, Budgets::DEFAULT, rng)
            }
            Self::Bayes { model, threads, .. } => {
                let x = Input::from_column_slice(bayes_image(data, index).as_slice());
                threads.install(|| attribute(&**model, method, &x, class, Budgets::DEFAULT, rng))
            }
        }
    }

    /// The Bayesian network's uncertainty about image `index` (none for the
    /// perceptron); the samples' noise comes from `rng`.
    pub fn uncertainty(&self, data: &DecoyData, index: usize, rng: &mut Xoshiro256PlusPlus) -> Option<Uncertainty> {
        let Self::Bayes { model, threads, .. } = self else { return None };
        threads.install(|| Self::sampled(model, data, index, rng))
    }

    /// [`uncertainty`](Self::uncertainty)'s samples.
    fn sampled(
        model: &BayesLeNet5,
        data: &DecoyData,
        index: usize,
        rng: &mut Xoshiro256PlusPlus,
    ) -> Option<Uncertainty> {
        let x = bayes_image(data, index);
        let class = model.predict(&x);
        let mut sampled = model.clone();
        let mut mean = [0.0f32; CLASSES];
        let mut chosen = Vec::with_capacity(UNCERTAINTY_SAMPLES);
        for _ in 0..UNCERTAINTY_SAMPLES {
            sampled.sample_noise(rng);
            let logits = sampled.logits(&x);
            let top = logits.as_slice().iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let total: f32 = logits.as_slice().iter().map(|&z| (z - top).exp()).sum();
            for (m, &z) in mean.iter_mut().zip(logits.as_slice()) {
                *m += (z - top).exp() / total / UNCERTAINTY_SAMPLES as f32;
            }
            chosen.push(logits.as_slice().get(class).map_or(0.0, |&z| (z - top).exp() / total));
        }
        let probability = chosen.iter().sum::<f32>() / chosen.len() as f32;
        let variance = chosen.iter().map(|p| (p - probability) * (p - probability)).sum::<f32>() / chosen.len() as f32;
        Some(Uncertainty { entropy: entropy(&mean), probability, spread: variance.sqrt() })
    }

    /// Accuracy on `test` (the Bayesian network: its means).
    pub fn accuracy(&self, test: &DecoyData) -> f32 {
        match self {
            Self::Perceptron { model, .. } => accuracy(model, test),
            Self::Bayes { threads, .. } => {
                let correct: usize = threads.install(|| {
                    (0..test.len())
                        .into_par_iter()
                        .map(|i| usize::from(self.predict(test, i) == usize::from(test.labels[i])))
                        .sum()
                });
                correct as f32 / test.len().max(1) as f32
            }
        }
    }

    /// Mean share of the input x gradient explanation's magnitude inside
    /// the decoy patch, over `test`.
    pub fn decoy_share(&self, test: &DecoyData) -> f32 {
        match self {
            Self::Perceptron { model, .. } => super::explain::decoy_share(model, test, test.len()),
            Self::Bayes { threads, .. } => {
                let shares: Vec<f32> = threads.install(|| {
                    (0..test.len())
                        .into_par_iter()
                        .map(|index| {
                            let mut rng = Stream::AttributionsExplain(index).rng(0);
                            let map = self.attribute(Method::InputXGradient, (test, index), &mut rng);
                            let decoy = mask(&patch(test.corners[index]));
                            map.ok().flatten().map_or(0.0, |map| attribution_overlap(map.as_slice(), &decoy))
                        })
                        .collect()
                });
                shares.iter().sum::<f32>() / shares.len().max(1) as f32
            }
        }
    }

    /// Adam steps on every answer so far plus `batch` random training images
    /// from the first `pretrained` of `train` per step.
    ///
    /// # Errors
    /// A step core refuses (the network may have taken earlier steps).
    pub fn refit(
        &mut self,
        train: &DecoyData,
        answers: &[Answer<'_>],
        (steps, batch, pretrained): (usize, usize, usize),
        rng: &mut Xoshiro256PlusPlus,
    ) -> std::result::Result<(), xil_core::Error> {
        match self {
            Self::Perceptron { model, trainer, penalty } => {
                let loss = MlpLoss::right_reasons(*penalty)?;
                let mut gradient = Box::new(Network::zeros());
                let mut inputs: Vec<Input> = Vec::new();
                for _ in 0..steps {
                    let mut chosen: Vec<(usize, u8, &[usize])> =
                        answers.iter().map(|a| (a.index, a.label, a.irrelevant)).collect();
                    for _ in 0..batch {
                        let index = uniform_below(rng, pretrained as u32) as usize;
                        chosen.push((index, train.labels[index], &[]));
                    }
                    inputs.resize(chosen.len(), Input::zeros());
                    for (input, &(index, _, _)) in inputs.iter_mut().zip(&chosen) {
                        train.input_scaled(index, 1.0, input.as_mut_slice());
                    }
                    let examples: Vec<MlpExample<PIXELS>> = chosen
                        .iter()
                        .zip(&inputs)
                        .map(|(&(_, label, irrelevant), x)| MlpExample { x, label, irrelevant })
                        .collect();
                    trainer.step(model, &loss, &examples, &mut gradient)?;
                }
                Ok(())
            }
            Self::Bayes { model, trainer, threads } => threads.install(|| {
                let mut gradient = Box::new(BayesLeNet5::zeros());
                for _ in 0..steps {
                    // The evidence is selected anew from the current weights.
                    let mut examples: Vec<Example> = answers
                        .iter()
                        .map(|a| {
                            let x = bayes_image(train, a.index);
                            let selected =
                                (!a.irrelevant.is_empty()).then(|| Box::new(evidence(model, &x, &mask(a.irrelevant))));
                            Example { x, label: a.label, evidence: selected }
                        })
                        .collect();
                    for _ in 0..batch {
                        let index = uniform_below(rng, pretrained as u32) as usize;
                        examples.push(Example {
                            x: bayes_image(train, index),
                            label: train.labels[index],
                            evidence: None,
                        });
                    }
                    let borrowed: Vec<_> = examples
                        .iter()
                        .map(|e| xil_core::nn::bayes::BayesExample {
                            x: &e.x,
                            label: e.label,
                            evidence: e.evidence.as_deref(),
                        })
                        .collect();
                    trainer.step(model, &borrowed, 1, rng, &mut gradient)?;
                }
                Ok(())
            }),
        }
    }
}

/// The stream phase of the Bayesian network's first training.
const PRETRAINING: usize = 6;

/// Checks an answer's class and pixels.
///
/// # Errors
/// [`Error::Settings`] naming what is out of range.
pub fn check_answer(label: u8, irrelevant: &[usize]) -> Result<()> {
    if usize::from(label) >= CLASSES {
        return Err(Error::Settings(format!("the class must be 0 to 9, not {label}")));
    }
    if let Some(bad) = irrelevant.iter().find(|&&p| p >= PIXELS) {
        return Err(Error::Settings(format!("pixel {bad} is not one of the {PIXELS}")));
    }
    Ok(())
}
