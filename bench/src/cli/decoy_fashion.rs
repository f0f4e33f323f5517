//! `xil-bench decoy-fashion`: the options of one decoy Fashion-MNIST run.

use super::values::FASHION_DATA_HELP;
use std::path::PathBuf;
use xil_bench::protocols::decoy_fashion::{DecoySettings, Setting};

#[derive(clap::Args)]
pub struct DecoyArgs {
    /// The correction: none, c counterexamples per image, or the input-gradient penalty.
    #[arg(long, value_enum)]
    pub setting: Setting,
    /// Passes over the training set (with its counterexamples).
    #[arg(long, default_value_t = 64)]
    pub epochs: usize,
    /// Use only the first N training images (quick runs).
    #[arg(long)]
    pub train_limit: Option<usize>,
    /// Seed of decoys, counterexamples, initial weights and shuffling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, help = FASHION_DATA_HELP)]
    pub data: Option<PathBuf>,
    /// Output folder for metrics.csv, summary.json and explanations.png.
    #[arg(long)]
    pub out: PathBuf,
}

impl DecoyArgs {
    /// The run these options describe.
    pub fn settings(&self) -> DecoySettings {
        DecoySettings {
            epochs: self.epochs,
            train_limit: self.train_limit,
            ..DecoySettings::paper(self.setting, self.seed)
        }
    }
}
