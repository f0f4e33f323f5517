//! The settings of an active-learning run: data, model, strategy, seed set
//! and budgets.

use super::learners::ActiveModel;
use super::sources::ActiveData;
use crate::error::{Error, Result};
use crate::harness::limits;
use crate::protocols::attributions::methods::Method;
use serde::{Deserialize, Serialize};

/// Which pool instances to label next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Uniformly at random (RS).
    Random,
    /// Lowest top-class probability (US-P).
    LeastConfident,
    /// Smallest gap between the two top classes (US-M).
    Margin,
    /// Highest entropy of the class distribution.
    Entropy,
    /// Least confident, weighted by centrality in k-means clusters (DW).
    Density,
    /// ALEX: the most divergent explanations among the 3b least confident.
    Alex,
    /// Seed 004: retrieval by explained pairs that disagree.
    ExplanationRetrieval,
}

impl Strategy {
    /// Every strategy.
    pub const ALL: [Strategy; 7] = [
        Strategy::Random,
        Strategy::LeastConfident,
        Strategy::Margin,
        Strategy::Entropy,
        Strategy::Density,
        Strategy::Alex,
        Strategy::ExplanationRetrieval,
    ];

    /// The five of seed 002's Table 1, in its order.
    pub const TABLE: [Strategy; 5] =
        [Strategy::Random, Strategy::LeastConfident, Strategy::Margin, Strategy::Density, Strategy::Alex];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Random => "random",
            Strategy::LeastConfident => "least-confident",
            Strategy::Margin => "margin",
            Strategy::Entropy => "entropy",
            Strategy::Density => "density",
            Strategy::Alex => "alex",
            Strategy::ExplanationRetrieval => "explanation-retrieval",
        }
    }

    /// Seed 002's row name.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::Random => "random (RS)",
            Strategy::LeastConfident => "uncertainty, posteriors (US-P)",
            Strategy::Margin => "uncertainty, margins (US-M)",
            Strategy::Entropy => "entropy",
            Strategy::Density => "density-weighted (DW)",
            Strategy::Alex => "ALEX",
            Strategy::ExplanationRetrieval => "explanation-based retrieval",
        }
    }
}

/// Everything that defines one run of a strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveSettings {
    /// The data.
    pub data: ActiveData,
    /// The model, refitted after every step (a network from the same initial
    /// weights).
    pub model: ActiveModel,
    /// The strategy.
    pub strategy: Strategy,
    /// Seed-set labels per class.
    pub q: usize,
    /// Labelling steps.
    pub steps: usize,
    /// Instances labelled per step (default: the seed set's size).
    pub batch: Option<usize>,
    /// Pool instances explained per step by explanation retrieval, `B_E`
    /// (default: the batch size).
    pub explained: Option<usize>,
    /// Independent runs (each with its own seed set; every strategy gets the
    /// same seed set in a run).
    pub runs: usize,
    /// Epochs of each training.
    pub epochs: usize,
    /// The explainer of ALEX and retrieval.
    pub explainer: Method,
    /// Model evaluations of Kernel SHAP (and samples of LIME) per explanation.
    pub explainer_samples: usize,
    /// Pool size: this many training images, drawn once from the seed.
    pub pool: usize,
    /// Test images: this many, drawn once from the seed.
    pub test: usize,
    /// Seed of seed sets, initial weights, training order and strategies.
    pub seed: u64,
}

impl ActiveSettings {
    /// Seed 002's protocol for a strategy: q per class, 10 steps of the seed
    /// set's size, ALEX's CNN, 5 runs, 10 epochs per training, Kernel SHAP
    /// with 2,146 evaluations, the whole MNIST pool.
    pub fn paper(data: ActiveData, strategy: Strategy, q: usize, seed: u64) -> Self {
        Self {
            data,
            model: ActiveModel::AlexCnn,
            strategy,
            q,
            steps: 10,
            batch: None,
            explained: None,
            runs: 5,
            epochs: 10,
            explainer: Method::KernelShap,
            explainer_samples: 2146,
            pool: 8000,
            test: 2000,
            seed,
        }
    }

    /// Instances labelled per step.
    pub fn batch_size(&self) -> usize {
        self.batch.unwrap_or(self.q * self.data.classes())
    }

    /// Pool instances explained per step by explanation retrieval.
    pub fn explained_size(&self) -> usize {
        self.explained.unwrap_or_else(|| self.batch_size())
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// A one-line message naming the option.
    pub fn validate(&self) -> Result<()> {
        limits::check("--q", self.q, &(1..=1000))?;
        limits::check("--steps", self.steps, &(1..=1000))?;
        limits::check("--runs", self.runs, &(1..=1000))?;
        limits::check("--epochs", self.epochs, &limits::EPOCHS)?;
        limits::check("--explainer-samples", self.explainer_samples, &limits::LIME_SAMPLES)?;
        limits::check("--pool", self.pool, &limits::IMAGES)?;
        limits::check("--test", self.test, &limits::IMAGES)?;
        if let Some(batch) = self.batch {
            limits::check("--batch", batch, &limits::IMAGES)?;
        }
        if let Some(explained) = self.explained {
            limits::check("--explained", explained, &limits::IMAGES)?;
        }
        let needed = self.q * self.data.classes() + self.steps * self.batch_size();
        if needed > self.pool {
            return Err(Error::Settings(format!(
                "--pool {} cannot supply the seed set and {} steps of {} (needs {needed})",
                self.pool,
                self.steps,
                self.batch_size()
            )));
        }
        if self.explainer == Method::GradCam && self.model == ActiveModel::Mlp {
            return Err(Error::Settings("--explainer grad-cam needs a convolutional --model".into()));
        }
        if self.model.is_network() && self.data.images().is_none() {
            return Err(Error::Settings(format!(
                "--model {} needs --data mnist or fashion (the e-mails and colors take linear-svm or logreg)",
                self.model.name()
            )));
        }
        let linear_explainers = [Method::KernelShap, Method::Saliency, Method::InputXGradient];
        if !self.model.is_network() && !linear_explainers.contains(&self.explainer) {
            return Err(Error::Settings(format!(
                "--explainer {} does not apply to --model {} (kernel_shap, saliency or input_x_gradient)",
                self.explainer.name(),
                self.model.name()
            )));
        }
        Ok(())
    }
}
