//! The settings of a decoy Fashion-MNIST run: the network, the correction and the optimiser.

use crate::data::fashion::{CLASSES, PIXELS};
use crate::error::{Error, Result};
use crate::harness::limits;
use nalgebra::SVector;
use serde::{Deserialize, Serialize};
use xil_core::Adam;
use xil_core::nn::mlp::{Mlp, MlpTrainer};

/// The network of the experiment: 784-50-30-10.
pub type Network = Mlp<PIXELS, 50, 30, CLASSES>;

/// One input image as the network sees it.
pub type Input = SVector<f32, PIXELS>;

/// How the decoy is (or is not) corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    /// No correction.
    None,
    /// One counterexample per training image.
    Ce1,
    /// Three counterexamples per training image.
    Ce3,
    /// Five counterexamples per training image.
    Ce5,
    /// The input-gradient penalty inside the decoy.
    InputGradients,
}

impl Setting {
    /// All five, in the paper's order.
    pub const ALL: [Setting; 5] = [Setting::None, Setting::Ce1, Setting::Ce3, Setting::Ce5, Setting::InputGradients];

    /// Counterexamples per training image.
    pub fn copies(self) -> usize {
        match self {
            Setting::Ce1 => 1,
            Setting::Ce3 => 3,
            Setting::Ce5 => 5,
            Setting::None | Setting::InputGradients => 0,
        }
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Setting::None => "none",
            Setting::Ce1 => "ce1",
            Setting::Ce3 => "ce3",
            Setting::Ce5 => "ce5",
            Setting::InputGradients => "input-gradients",
        }
    }

    /// The row name of Table 1.
    pub fn label(self) -> &'static str {
        match self {
            Setting::None => "no corrections",
            Setting::Ce1 => "counterexamples c=1",
            Setting::Ce3 => "counterexamples c=3",
            Setting::Ce5 => "counterexamples c=5",
            Setting::InputGradients => "input gradients",
        }
    }

    /// The paper's (train, test) accuracy.
    pub fn paper(self) -> (f32, f32) {
        match self {
            Setting::None => (0.978, 0.482),
            Setting::Ce1 => (0.938, 0.821),
            Setting::Ce3 => (0.922, 0.851),
            Setting::Ce5 => (0.924, 0.858),
            Setting::InputGradients => (0.898, 0.853),
        }
    }
}

/// Everything that defines one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecoySettings {
    /// The correction.
    pub setting: Setting,
    /// Passes over the (augmented) training set.
    pub epochs: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Adam's step size.
    pub learning_rate: f32,
    /// Weight of `|theta|^2`.
    pub l2: f32,
    /// Standard deviation of the initial weights.
    pub init_scale: f32,
    /// Weight of the input-gradient penalty (used by `input-gradients`).
    pub penalty: f32,
    /// Use only the first this many training images.
    pub train_limit: Option<usize>,
    /// Seed of decoys, counterexamples, initial weights and shuffling.
    pub seed: u64,
}

/// The optimiser of [`Network`].
pub type Trainer = MlpTrainer<PIXELS, 50, 30, CLASSES>;

impl DecoySettings {
    /// The protocol's optimiser: Adam with the settings' learning rate
    /// (betas 0.9 and 0.999, epsilon 1e-8) and their L2 weight.
    ///
    /// # Errors
    /// A one-line message for a learning rate or L2 weight Adam refuses.
    pub fn trainer(&self) -> Result<Trainer> {
        let adam = Adam { learning_rate: self.learning_rate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
        MlpTrainer::new(adam, self.l2).map_err(|e| Error::core("invalid optimiser", e))
    }

    /// The paper's protocol for a setting.
    pub fn paper(setting: Setting, seed: u64) -> Self {
        Self {
            setting,
            epochs: 64,
            batch: 256,
            learning_rate: 1e-3,
            l2: 1e-4,
            init_scale: 0.1,
            penalty: 1000.0,
            train_limit: None,
            seed,
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// A one-line message naming the offending option.
    pub fn validate(&self) -> Result<()> {
        limits::check("--epochs", self.epochs, &limits::EPOCHS)?;
        limits::check("--batch", self.batch, &(2..=*limits::IMAGES.end()))?;
        if let Some(limit) = self.train_limit {
            limits::check("--train-limit", limit, &limits::IMAGES)?;
        }
        Ok(())
    }
}
