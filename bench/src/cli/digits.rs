//! `xil-bench digits`: the options of one run of the device's network on the UCI digits.

use super::values::DIGITS_DATA_HELP;
use std::path::PathBuf;
use xil_bench::protocols::digits::DigitsSettings;

#[derive(clap::Args)]
pub struct DigitsArgs {
    /// Passes over the 1,437 training digits.
    #[arg(long, default_value_t = 30)]
    pub epochs: usize,
    /// Seed of the initial weights and the minibatch order.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, help = DIGITS_DATA_HELP)]
    pub data_dir: Option<PathBuf>,
    /// Output folder for metrics.csv, summary.json, model.f32 and explanations.png.
    #[arg(long)]
    pub out: PathBuf,
}

impl DigitsArgs {
    /// The run these options describe.
    pub fn settings(&self) -> DigitsSettings {
        DigitsSettings { epochs: self.epochs, seed: self.seed, ..DigitsSettings::default() }
    }
}
