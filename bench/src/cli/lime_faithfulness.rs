//! `xil-bench lime-faithfulness`: the options of one LIME faithfulness study.

use super::values::named;
use std::path::PathBuf;
use xil_bench::protocols::lime_faithfulness::FaithfulnessSettings;
use xil_core::tasks::colors::Rule;

#[derive(clap::Args)]
pub struct FaithfulnessArgs {
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// The rule the SENN learns (k = 4 for 0, 3 for 1).
    #[arg(long, default_value = "0", value_parser = named(Rule::ALL, Rule::name))]
    pub rule: Rule,
    /// Layers of w(x): 1, 3 or 5.
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Seed of data, training and sampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl FaithfulnessArgs {
    /// The study these options describe.
    pub fn settings(&self) -> FaithfulnessSettings {
        FaithfulnessSettings { rule: self.rule, depth: self.depth, seed: self.seed }
    }
}
