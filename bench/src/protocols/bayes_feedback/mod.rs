//! Bayesian explanation feedback (seed 003): a Bayesian `LeNet-5` (core's
//! [`BayesLeNet5`](xil_core::nn::cnn::BayesLeNet5): mean-field Gaussian
//! weights, the local reparameterisation trick, prior `N(0, 0.1²)`) on
//! decoy images with a `4 x 4` square in every corner, trained on the
//! negative ELBO without feedback, then fine-tuned with the annotator's
//! evidence on a few training images: the decoy squares, max-pooled to the
//! second convolution's maps, say "these activations are 0" in the ELBO.
//! Table 1 (accuracy, no feedback vs feedback), Table 2 (attribution
//! overlap with the decoys of saliency, `DeepLIFT`, Grad-CAM and 3 x 3
//! occlusion) and the accuracy of the same network on clean images; a
//! control fine-tunes as long without the evidence, and a deterministic
//! `LeNet-5` with Ross et al.'s input-gradient penalty gets the same
//! feedback.

pub mod reproduce;
pub mod right_reasons;
pub mod run;
pub mod settings;
#[cfg(test)]
mod tests;
pub mod train;
pub mod write;

pub use run::{BayesOutcome, FeedbackEpoch};
pub use settings::BayesSettings;

use crate::data::fashion::ImageSet;
use crate::error::Result;
use crate::harness::observe::Observer;
use crate::harness::protocol::Protocol;
use crate::harness::threads::with_large_stacks;
use crate::protocols::attributions::DataSet;
use std::path::{Path, PathBuf};

/// `xil-bench bayes-feedback`.
#[derive(Debug, Clone, Copy)]
pub struct BayesFeedback;

impl Protocol for BayesFeedback {
    const NAME: &'static str = "bayes-feedback";
    const STEP: &'static str = "epochs";
    type Settings = BayesSettings;
    /// The data set's folder (else its environment variable, else its
    /// default).
    type Source = Option<PathBuf>;
    /// The images, and the other data set's (for the out-of-distribution
    /// entropy) when it is found.
    type Data = (ImageSet, Option<ImageSet>);
    type Row = FeedbackEpoch;
    type Outcome = BayesOutcome;

    fn check(settings: &BayesSettings) -> Result<()> {
        settings.validate()
    }

    fn rows(settings: &BayesSettings) -> usize {
        3 * (settings.epochs_before + settings.epochs_after) + settings.epochs_after
    }

    fn load(settings: &BayesSettings, folder: &Option<PathBuf>) -> Result<(ImageSet, Option<ImageSet>)> {
        let other = match settings.data {
            DataSet::Mnist => DataSet::Fashion,
            DataSet::Fashion => DataSet::Mnist,
        };
        Ok((settings.data.load(folder.as_deref())?, other.load_default().ok()))
    }

    fn run(
        settings: &BayesSettings,
        (images, other): &(ImageSet, Option<ImageSet>),
        observe: Observer<'_, FeedbackEpoch>,
    ) -> Result<BayesOutcome> {
        with_large_stacks(|| run::run(settings, (images, other.as_ref()), observe))
    }

    fn write(
        dir: &Path,
        settings: &BayesSettings,
        _: &(ImageSet, Option<ImageSet>),
        outcome: &BayesOutcome,
        _: f64,
    ) -> Result<serde_json::Value> {
        write::write(dir, settings, outcome)
    }
}
