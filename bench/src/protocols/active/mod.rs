//! Active learning with explanation-aware strategies against the standard
//! ones (issue #16: seed 002's ALEX and its baselines, seed 004's
//! explanation-based retrieval), on MNIST or Fashion-MNIST.
//!
//! A run draws a seed set of `q` images per class from the pool (the same
//! for every strategy in that run), then `steps` times: trains the network
//! from the same initial weights on the labelled images (Adam 1e-3,
//! minibatches of 32, `--epochs` epochs), measures test accuracy and
//! macro-F1, and labels the batch the strategy chooses from the rest of the
//! pool (`xil_core::active::batch`). Runs go in parallel; every random choice
//! comes from a named stream, so a run's numbers do not depend on the thread
//! count. The summary gives the mean per step with a 95 % confidence
//! interval over runs (Student's t).

pub mod reproduce;
pub mod run;
pub mod settings;
#[cfg(test)]
mod tests;
pub mod write;

pub use run::ActiveRow;
pub use settings::{ActiveSettings, Strategy};

use crate::data::fashion::ImageSet;
use crate::error::Result;
use crate::harness::observe::Observer;
use crate::harness::protocol::Protocol;
use crate::harness::threads::with_large_stacks;
use crate::protocols::attributions::models::Perceptron;
use crate::protocols::attributions::{Attributions, ModelKind};
use std::path::{Path, PathBuf};
use xil_core::nn::cnn::{AlexCnn, LeNet5};

/// `xil-bench active`.
#[derive(Debug, Clone, Copy)]
pub struct Active;

impl Protocol for Active {
    const NAME: &'static str = "active";
    const STEP: &'static str = "steps";
    type Settings = ActiveSettings;
    /// The data set's folder (else its environment variable, else its default).
    type Source = Option<PathBuf>;
    type Data = ImageSet;
    type Row = ActiveRow;
    type Outcome = Vec<ActiveRow>;

    fn check(settings: &ActiveSettings) -> Result<()> {
        settings.validate()
    }

    fn rows(settings: &ActiveSettings) -> usize {
        settings.runs * (settings.steps + 1)
    }

    fn load(settings: &ActiveSettings, folder: &Option<PathBuf>) -> Result<ImageSet> {
        let attributions = crate::protocols::attributions::AttributionSettings::new(
            settings.data,
            crate::data::decoy::Decoy::OneCorner,
            settings.model,
            settings.seed,
        );
        Attributions::load(&attributions, folder)
    }

    fn run(settings: &ActiveSettings, images: &ImageSet, observe: Observer<'_, ActiveRow>) -> Result<Vec<ActiveRow>> {
        with_large_stacks(|| match settings.model {
            ModelKind::Lenet => run::run::<LeNet5>(settings, images, observe),
            ModelKind::AlexCnn => run::run::<AlexCnn>(settings, images, observe),
            ModelKind::Mlp => run::run::<Perceptron>(settings, images, observe),
        })
    }

    fn write(
        dir: &Path,
        settings: &ActiveSettings,
        _: &ImageSet,
        rows: &Vec<ActiveRow>,
        _: f64,
    ) -> Result<serde_json::Value> {
        write::write(dir, settings, rows)
    }
}
