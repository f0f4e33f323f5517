//! `xil-bench caipi-text`: the options of one CAIPI run on e-mails.

use super::values::{CORPUS_HELP, OnOff};
use std::path::PathBuf;
use xil_bench::protocols::caipi_text::data::{GoldC, Headers, PAPER_GOLD_SHARE};
use xil_bench::protocols::caipi_text::{QueryExplainer, TextSettings, TextSource};

#[derive(clap::Args)]
pub struct TextArgs {
    /// Whether the simulated user corrects explanations.
    #[arg(long, value_enum)]
    pub corrections: OnOff,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 10)]
    pub folds: usize,
    /// Queries per fold.
    #[arg(long, default_value_t = 300)]
    pub iterations: usize,
    /// Random labels per class before the first query.
    #[arg(long, default_value_t = 5)]
    pub initial_per_class: usize,
    /// Whether header words are features (the paper stripped them).
    #[arg(long, value_enum, default_value = "strip")]
    pub headers: Headers,
    /// How the query's explanation is computed (the paper: LIME; the test set is always explained exactly).
    #[arg(long, value_enum, default_value = "lime")]
    pub explainer: QueryExplainer,
    /// The C of the gold model (default: the C of 1, 10, ..., 1e6 whose gold words come closest to a fifth of
    /// the vocabulary, as the paper's; 10 was xil's earlier choice).
    #[arg(long)]
    pub gold_c: Option<f32>,
    /// Seed of folds and initial labels.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, help = CORPUS_HELP)]
    pub corpus: Option<PathBuf>,
    /// Output folder for metrics.csv, summary.json and explained.html.
    #[arg(long)]
    pub out: PathBuf,
}

impl TextArgs {
    /// The run these options describe.
    pub fn settings(&self) -> TextSettings {
        TextSettings {
            folds: self.folds,
            iterations: self.iterations,
            initial_per_class: self.initial_per_class,
            explainer: self.explainer,
            ..TextSettings::paper(self.corrections.on(), self.seed)
        }
    }

    /// Where the e-mails come from.
    pub fn source(&self) -> TextSource {
        TextSource {
            corpus: self.corpus.clone(),
            headers: self.headers,
            gold: self.gold_c.map_or(GoldC::Share(PAPER_GOLD_SHARE), GoldC::Fixed),
        }
    }
}
