//! `xil-bench cali`: the options of one CALIMOCHO run.

use super::values::{OnOff, named};
use std::path::PathBuf;
use xil_bench::protocols::cali::CaliSettings;
use xil_core::tasks::colors::Rule;
use xil_core::{CaliStrategy, ExplanationLoss};

#[derive(clap::Args)]
pub struct CaliArgs {
    /// The rule: 0 (corners share a colour) or 1 (top-middle pixels differ).
    #[arg(long, value_parser = named(Rule::ALL, Rule::name))]
    pub rule: Rule,
    /// Layers of the network computing w(x): 1, 3 or 5.
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Whether the simulated user corrects explanations.
    #[arg(long, value_enum, default_value = "on")]
    pub corrections: OnOff,
    /// The query strategy.
    #[arg(long, default_value = "uncertainty", value_parser = named(CaliStrategy::ALL, CaliStrategy::name))]
    pub strategy: CaliStrategy,
    /// The explanation loss: the paper's ranking loss or the authors' squared loss.
    #[arg(long, default_value = "ranking", value_parser = named(ExplanationLoss::ALL, ExplanationLoss::name))]
    pub explanation_loss: ExplanationLoss,
    /// Explanation entries the user corrects per query.
    #[arg(long, default_value_t = 4)]
    pub corrected_entries: usize,
    /// Weight of the label loss (1 - lambda weighs the explanation loss).
    #[arg(long, default_value_t = 0.9)]
    pub lambda: f32,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Queries per fold.
    #[arg(long, default_value_t = 300)]
    pub iterations: usize,
    /// Random labels before the first query.
    #[arg(long, default_value_t = 5)]
    pub initial: usize,
    /// Adam steps per fit.
    #[arg(long, default_value_t = 100)]
    pub steps_per_fit: usize,
    /// Generated images, split into the folds.
    #[arg(long, default_value_t = 5000)]
    pub images: usize,
    /// Seed of data, folds and every random choice.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output folder for metrics.csv, summary.json and the loss curves.
    #[arg(long)]
    pub out: PathBuf,
}

impl CaliArgs {
    /// The run these options describe (lambda is 1 without corrections).
    pub fn settings(&self) -> CaliSettings {
        CaliSettings {
            rule: self.rule,
            depth: self.depth,
            corrections: self.corrections.on(),
            strategy: self.strategy,
            explanation_loss: self.explanation_loss,
            corrected_entries: self.corrected_entries,
            lambda: if self.corrections.on() { self.lambda } else { 1.0 },
            folds: self.folds,
            iterations: self.iterations,
            initial: self.initial,
            steps_per_fit: self.steps_per_fit,
            images: self.images,
            seed: self.seed,
        }
    }
}
