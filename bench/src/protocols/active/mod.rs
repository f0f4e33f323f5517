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

pub mod learners;
pub mod pool;
pub mod reasons;
pub mod reproduce;
pub mod run;
pub mod session;
pub mod settings;
pub mod sources;
#[cfg(test)]
mod tests;
pub mod write;

pub use learners::ActiveModel;
pub use run::ActiveRow;
pub use settings::{ActiveSettings, Strategy};
pub use sources::ActiveData;

use crate::data::fashion::{CLASSES, ImageSet, PIXELS};
use crate::error::{Error, Result};
use crate::harness::observe::Observer;
use crate::harness::protocol::Protocol;
use crate::harness::threads::with_large_stacks;
use crate::protocols::attributions::DataSet;
use crate::protocols::attributions::models::Perceptron;
use learners::linear::Linear;
use learners::networks::Network;
use sources::{COLOR_FEATURES, Instances, MAIL_FEATURES};
use std::path::{Path, PathBuf};
use xil_core::nn::cnn::{AlexCnn, LeNet5};

/// The data of a run, loaded.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// MNIST or Fashion-MNIST.
    Images(ImageSet),
    /// The e-mails as TF-IDF rows.
    Mails(Instances<MAIL_FEATURES>),
    /// The colors images as equal-colour pair features.
    Colors(Instances<COLOR_FEATURES>),
}

/// `xil-bench active`.
#[derive(Debug, Clone, Copy)]
pub struct Active;

impl Protocol for Active {
    const NAME: &'static str = "active";
    const STEP: &'static str = "steps";
    type Settings = ActiveSettings;
    /// The data set's folder (else its environment variable, else its default).
    type Source = Option<PathBuf>;
    type Data = Loaded;
    type Row = ActiveRow;
    type Outcome = Vec<ActiveRow>;

    fn check(settings: &ActiveSettings) -> Result<()> {
        settings.validate()
    }

    fn rows(settings: &ActiveSettings) -> usize {
        settings.runs * (settings.steps + 1)
    }

    fn load(settings: &ActiveSettings, folder: &Option<PathBuf>) -> Result<Loaded> {
        let folder = folder.as_deref();
        Ok(match settings.data {
            ActiveData::Mnist => Loaded::Images(DataSet::Mnist.load(folder)?),
            ActiveData::Fashion => Loaded::Images(DataSet::Fashion.load(folder)?),
            ActiveData::Spam => Loaded::Mails(sources::mails(folder, settings.seed)?),
            ActiveData::Colors => Loaded::Colors(sources::colors_images(settings.seed)),
        })
    }

    fn run(settings: &ActiveSettings, data: &Loaded, observe: Observer<'_, ActiveRow>) -> Result<Vec<ActiveRow>> {
        settings.validate()?;
        with_large_stacks(|| match (data, settings.model) {
            (Loaded::Images(images), ActiveModel::AlexCnn) => {
                run::run::<PIXELS, CLASSES, _>(settings, &Network::<AlexCnn>::new(settings), images, observe)
            }
            (Loaded::Images(images), ActiveModel::Lenet) => {
                run::run::<PIXELS, CLASSES, _>(settings, &Network::<LeNet5>::new(settings), images, observe)
            }
            (Loaded::Images(images), ActiveModel::Mlp) => {
                run::run::<PIXELS, CLASSES, _>(settings, &Network::<Perceptron>::new(settings), images, observe)
            }
            (Loaded::Images(images), _) => {
                run::run::<PIXELS, CLASSES, _>(settings, &Linear::new(settings)?, images, observe)
            }
            (Loaded::Mails(mails), _) => {
                run::run::<MAIL_FEATURES, 2, _>(settings, &Linear::new(settings)?, mails, observe)
            }
            (Loaded::Colors(colors), _) => {
                run::run::<COLOR_FEATURES, 2, _>(settings, &Linear::new(settings)?, colors, observe)
            }
        })
        .map_err(|e| match e {
            Error::Settings(_) => e,
            other => other,
        })
    }

    fn write(
        dir: &Path,
        settings: &ActiveSettings,
        _: &Loaded,
        rows: &Vec<ActiveRow>,
        _: f64,
    ) -> Result<serde_json::Value> {
        write::write(dir, settings, rows)
    }
}
