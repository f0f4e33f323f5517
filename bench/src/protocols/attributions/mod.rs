//! Attribution methods on a network that learnt a decoy (issue #15; the
//! comparison of seed 003, Fig. 4 and Table 2, and the models of seed 002).
//!
//! A network ([`ModelKind`]: `LeNet-5`, ALEX's CNN or the decoy perceptron)
//! is trained with cross-entropy and Adam on MNIST or Fashion-MNIST whose
//! images carry label-revealing decoy squares ([`Decoy`]: one random corner
//! or all four). On the test images the decoys show a random class, so the
//! test accuracy says how much the network relies on them. Every method of
//! [`methods`] then explains the prediction on the first test images, and
//! the share of each map that falls on the decoy (seed 003's attribution
//! overlap) says whether the method exposes the shortcut. Chance is the
//! decoy's share of the pixels: 16/784 = 2.0 % (one corner), 64/784 = 8.2 %
//! (four).
//!
//! Training runs on a rayon pool whose threads have large stacks (ALEX's
//! network is 11 MB and is built in place on one); minibatches are split in
//! two halves summed in a fixed order, so the numbers do not depend on the
//! thread count.
//!
//! [`Decoy`]: crate::data::decoy::Decoy

pub mod methods;
pub mod models;
pub mod run;
pub mod settings;
#[cfg(test)]
mod tests;
pub mod write;

pub use methods::{Method, MethodRow};
pub use run::{Epoch, FIGURE_IMAGES, Outcome};
pub use settings::{AttributionSettings, DataSet, ModelKind};

use crate::data::fashion::ImageSet;
use crate::error::Result;
use crate::harness::observe::Observer;
use crate::harness::protocol::Protocol;
use crate::harness::threads::with_large_stacks;
use models::Perceptron;
use std::path::{Path, PathBuf};
use xil_core::nn::cnn::{AlexCnn, LeNet5};

/// `xil-bench attributions`.
#[derive(Debug, Clone, Copy)]
pub struct Attributions;

impl Protocol for Attributions {
    const NAME: &'static str = "attributions";
    const STEP: &'static str = "epochs";
    type Settings = AttributionSettings;
    /// The data set's folder (else its environment variable, else its
    /// default).
    type Source = Option<PathBuf>;
    type Data = ImageSet;
    type Row = Epoch;
    type Outcome = Outcome;

    fn check(settings: &AttributionSettings) -> Result<()> {
        settings.validate()
    }

    fn rows(settings: &AttributionSettings) -> usize {
        settings.epochs
    }

    fn load(settings: &AttributionSettings, folder: &Option<PathBuf>) -> Result<ImageSet> {
        settings.data.load(folder.as_deref())
    }

    fn run(settings: &AttributionSettings, images: &ImageSet, observe: Observer<'_, Epoch>) -> Result<Outcome> {
        with_large_stacks(|| match settings.model {
            ModelKind::Lenet => run::run::<LeNet5>(settings, images, observe),
            ModelKind::AlexCnn => run::run::<AlexCnn>(settings, images, observe),
            ModelKind::Mlp => run::run::<Perceptron>(settings, images, observe),
        })
    }

    fn write(
        dir: &Path,
        settings: &AttributionSettings,
        _: &ImageSet,
        outcome: &Outcome,
        _: f64,
    ) -> Result<serde_json::Value> {
        write::write(dir, settings, outcome)
    }
}
