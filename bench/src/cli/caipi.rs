//! `xil-bench caipi`: the options of one CAIPI colors run.

use super::values::{OnOff, named};
use std::path::PathBuf;
use xil_bench::protocols::caipi_colors::{CaipiSettings, Learner, Solver};
use xil_core::QueryStrategy;
use xil_core::tasks::colors::Rule;

#[derive(clap::Args)]
pub struct CaipiArgs {
    /// The rule the simulated user knows: 0 (corners share a colour) or 1 (top-middle pixels differ).
    #[arg(long, value_parser = named(Rule::ALL, Rule::name))]
    pub rule: Rule,
    /// The learner.
    #[arg(long, value_enum, default_value = "l1-svm")]
    pub learner: Learner,
    /// How the learner is solved: liblinear (its stopping rule at 1e-4, random order, cold refits, as the
    /// authors' scikit-learn) or loose (xil's first settings: 0.01, cyclic, warm refits).
    #[arg(long, value_enum, default_value = "liblinear")]
    pub solver: Solver,
    /// Whether the simulated user corrects explanations.
    #[arg(long, value_enum, default_value = "on")]
    pub corrections: OnOff,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 10)]
    pub folds: usize,
    /// Queries per fold.
    #[arg(long, default_value_t = 100)]
    pub iterations: usize,
    /// LIME samples per explanation.
    #[arg(long, default_value_t = 2000)]
    pub lime_samples: usize,
    /// LIME repeats per explanation (majority vote of pixel and sign).
    #[arg(long, default_value_t = 10)]
    pub lime_repeats: usize,
    /// Pixels an explanation names (default: 4 for rule 0, 3 for rule 1).
    #[arg(long)]
    pub k: Option<usize>,
    /// Labels per class before the first query.
    #[arg(long, default_value_t = 3)]
    pub initial_per_class: usize,
    /// Generated images, split into the folds.
    #[arg(long, default_value_t = 40_000)]
    pub images: usize,
    /// Seed of data, folds and every random choice.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The authors' code: the user marks every explained pixel as irrelevant.
    #[arg(long)]
    pub mark_all_explained: bool,
    /// How the next query is picked.
    #[arg(long, default_value = "closest-to-margin", value_parser = named(QueryStrategy::ALL, QueryStrategy::name))]
    pub query: QueryStrategy,
    /// The authors' code: LIME's perturbed pixel equals no other pixel.
    #[arg(long)]
    pub continuous_perturbation: bool,
    /// Output folder for metrics.csv and summary.json.
    #[arg(long)]
    pub out: PathBuf,
}

impl CaipiArgs {
    /// The run these options describe.
    pub fn settings(&self) -> CaipiSettings {
        CaipiSettings {
            rule: self.rule,
            learner: self.learner,
            solver: self.solver,
            corrections: self.corrections.on(),
            query: self.query,
            folds: self.folds,
            iterations: self.iterations,
            lime_samples: self.lime_samples,
            lime_repeats: self.lime_repeats,
            k: self.k.unwrap_or(self.rule.pixels().len()),
            initial_per_class: self.initial_per_class,
            images: self.images,
            seed: self.seed,
            mark_all_explained: self.mark_all_explained,
            continuous_perturbation: self.continuous_perturbation,
        }
    }
}
