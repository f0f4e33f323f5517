//! The settings of a Bayesian feedback run (seed 003): data, share of
//! annotated training images, epochs before and after the feedback, Monte
//! Carlo samples, optimiser and prior.

use crate::error::{Error, Result};
use crate::harness::limits;
use crate::protocols::attributions::DataSet;
use serde::{Deserialize, Serialize};

/// Everything that defines one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BayesSettings {
    /// The images (with a decoy square in every corner).
    pub data: DataSet,
    /// Share of the training images an annotator marks (paper: 0.004).
    pub feedback_share: f32,
    /// Epochs without feedback (paper: 1).
    pub epochs_before: usize,
    /// Epochs of fine-tuning with the feedback, at most (paper: 17; the
    /// best by validation F1 is kept).
    pub epochs_after: usize,
    /// Monte Carlo samples per training example and step.
    pub mc: usize,
    /// Monte Carlo samples of the predictive distribution at test.
    pub eval_samples: usize,
    /// Minibatch size (paper: 256).
    pub batch: usize,
    /// Adam's step size (paper: 1e-3).
    pub learning_rate: f32,
    /// The prior's standard deviation (paper: 0.1).
    pub prior: f32,
    /// Weight of the deterministic baseline's input-gradient penalty (Ross et
    /// al.: 1,000).
    pub penalty_weight: f32,
    /// Use only the first N training images (all by default).
    pub train_limit: Option<usize>,
    /// Annotated test images whose attributions are measured.
    pub explained: usize,
    /// Seed of split, decoys, weights, noise and the annotated images.
    pub seed: u64,
}

impl BayesSettings {
    /// The paper's protocol on `data`: 0.4 % annotated, 1 epoch, then at most
    /// 17 of fine-tuning, batches of 256, Adam 1e-3, prior N(0, 0.1²), one
    /// Monte Carlo sample per step and 10 at test, 200 explained test images;
    /// the baseline's penalty weighs 1,000 (Ross et al.'s).
    pub fn paper(data: DataSet, seed: u64) -> Self {
        Self {
            data,
            feedback_share: 0.004,
            epochs_before: 1,
            epochs_after: 17,
            mc: 1,
            eval_samples: 10,
            batch: 256,
            learning_rate: 1e-3,
            prior: 0.1,
            penalty_weight: 1000.0,
            train_limit: None,
            explained: 200,
            seed,
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// A one-line message naming the option.
    pub fn validate(&self) -> Result<()> {
        if !(self.feedback_share.is_finite() && self.feedback_share > 0.0 && self.feedback_share <= 1.0) {
            return Err(Error::Settings(format!("--feedback-share {} must be in (0, 1]", self.feedback_share)));
        }
        limits::check("--epochs-before", self.epochs_before, &limits::EPOCHS)?;
        limits::check("--epochs-after", self.epochs_after, &limits::EPOCHS)?;
        limits::check("--mc", self.mc, &(1..=1000))?;
        limits::check("--eval-samples", self.eval_samples, &(1..=1000))?;
        limits::check("--batch", self.batch, &limits::IMAGES)?;
        limits::check("--explained", self.explained, &limits::IMAGES)?;
        if let Some(limit) = self.train_limit {
            limits::check("--train-limit", limit, &limits::IMAGES)?;
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::Settings(format!("--learning-rate {} must be positive", self.learning_rate)));
        }
        if !(self.penalty_weight.is_finite() && self.penalty_weight >= 0.0) {
            return Err(Error::Settings(format!("--penalty-weight {} must be 0 or more", self.penalty_weight)));
        }
        if !(self.prior.is_finite() && self.prior > 0.0) {
            return Err(Error::Settings(format!("--prior {} must be positive", self.prior)));
        }
        Ok(())
    }
}
