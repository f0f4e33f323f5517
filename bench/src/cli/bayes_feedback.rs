//! `xil-bench bayes-feedback`: the options of one Bayesian feedback run.

use super::values::IMAGES_DATA_HELP;
use std::path::PathBuf;
use xil_bench::protocols::attributions::DataSet;
use xil_bench::protocols::bayes_feedback::BayesSettings;

#[derive(clap::Args)]
pub struct BayesFeedbackArgs {
    /// The images, decoyed with a square in every corner.
    #[arg(long, value_enum)]
    pub data: DataSet,
    /// Share of the training images the annotator marks.
    #[arg(long, default_value_t = 0.004)]
    pub feedback_share: f32,
    /// Epochs without feedback.
    #[arg(long, default_value_t = 1)]
    pub epochs_before: usize,
    /// Epochs of fine-tuning with feedback, at most (the best by validation macro-F1 is kept).
    #[arg(long, default_value_t = 17)]
    pub epochs_after: usize,
    /// Monte Carlo samples per training example and step.
    #[arg(long, default_value_t = 1)]
    pub mc: usize,
    /// Monte Carlo samples of the predictive distribution at test.
    #[arg(long, default_value_t = 10)]
    pub eval_samples: usize,
    /// Minibatch size.
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// Adam's step size.
    #[arg(long, default_value_t = 1e-3)]
    pub learning_rate: f32,
    /// Weight of the deterministic LeNet-5 baseline's input-gradient penalty (Ross et al.'s "right for the right reasons") on the same annotated images.
    #[arg(long, default_value_t = 1000.0)]
    pub penalty_weight: f32,
    /// Use only the first N training images.
    #[arg(long)]
    pub train_limit: Option<usize>,
    /// Annotated test images whose attributions are measured.
    #[arg(long, default_value_t = 200)]
    pub explained: usize,
    /// Seed of split, decoys, weights, noise and the annotated images.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, help = IMAGES_DATA_HELP)]
    pub data_dir: Option<PathBuf>,
    /// Output folder for metrics.csv, summary.json, tables.md and deeplift.png.
    #[arg(long)]
    pub out: PathBuf,
}

impl BayesFeedbackArgs {
    /// The run these options describe.
    pub fn settings(&self) -> BayesSettings {
        BayesSettings {
            feedback_share: self.feedback_share,
            epochs_before: self.epochs_before,
            epochs_after: self.epochs_after,
            mc: self.mc,
            eval_samples: self.eval_samples,
            batch: self.batch,
            learning_rate: self.learning_rate,
            penalty_weight: self.penalty_weight,
            train_limit: self.train_limit,
            explained: self.explained,
            ..BayesSettings::paper(self.data, self.seed)
        }
    }
}
