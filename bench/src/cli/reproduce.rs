//! `xil-bench reproduce <experiment>`: the options of a paper's figure.

use super::run;
use super::values::{CORPUS_HELP, FASHION_DATA_HELP};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use xil_bench::Result;
use xil_bench::harness::{ReproduceSettings, Reproduction, Scale};
use xil_bench::protocols::active::reproduce::{AlexReproduction, RetrievalReproduction};
use xil_bench::protocols::bayes_feedback::reproduce::BayesReproduction;
use xil_bench::protocols::caipi_colors::Solver;
use xil_bench::protocols::caipi_colors::reproduce::Semantics;
use xil_bench::protocols::caipi_colors::reproduce::{ColorsReproduceSettings, ColorsReproduction};
use xil_bench::protocols::caipi_text::reproduce::TextReproduction;
use xil_bench::protocols::cali::reproduce::CaliReproduction;
use xil_bench::protocols::decoy_fashion::reproduce::DecoyReproduction;

/// What every reproduction is asked: where, how much, which seed.
#[derive(clap::Args)]
pub struct Common {
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// A first look instead of the paper's sizes (see each experiment's help).
    #[arg(long)]
    pub quick: bool,
    /// Seed of data, folds and every random choice.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl Common {
    /// Scale and seed.
    pub fn settings(&self) -> ReproduceSettings {
        ReproduceSettings { scale: if self.quick { Scale::Quick } else { Scale::Full }, seed: self.seed }
    }
}

#[derive(Subcommand)]
pub enum Experiment {
    /// ALEX's Table 1 (seed 002): random, US-P, US-M, density and ALEX on MNIST and Fashion-MNIST, q in
    /// {1, 5, 10}, 10 steps, 5 runs, ALEX's CNN. Quick: q = 1, 3 steps, 2 runs, 2,000 pool images.
    Alex {
        #[command(flatten)]
        common: Common,
    },
    /// Explanation-based retrieval (seed 004, Fig. 2) against entropy, margin and random with a linear
    /// SVM on the SpamAssassin e-mails and MNIST, after a search of the explainer's budget on a
    /// validation split of the seed set: 100 seed labels, a 3,000 pool, 2,000 test, 14 rounds of 200,
    /// 10 runs. Quick: 600 pool, 3 rounds of 40, 2 runs.
    ExplanationRetrieval {
        #[command(flatten)]
        common: Common,
        #[arg(long, help = CORPUS_HELP)]
        corpus: Option<PathBuf>,
    },
    /// Bayesian explanation feedback (seed 003, Tables 1 and 2): the Bayesian LeNet-5 on four-corner decoy
    /// MNIST and Fashion-MNIST, 1 epoch, then at most 17 with the evidence of 0.4 % annotated images, 3
    /// seeds. Quick: 1 + 1 epochs, one seed, the first 8,000 training images.
    BayesFeedback {
        #[command(flatten)]
        common: Common,
    },
    /// CALIMOCHO (seed 001): active runs at depths 1/3/5 with and without corrections, the passive
    /// depth study and the LIME faithfulness study. Quick: 2 folds of 1,000 images, 30 queries, 200
    /// passive steps.
    Cali {
        #[command(flatten)]
        common: Common,
    },
    /// CAIPI's Table 1 on decoy Fashion-MNIST: no correction, 1/3/5 counterexamples, input gradients.
    /// Quick: 12 epochs on the first 10,000 training images.
    DecoyFashion {
        #[command(flatten)]
        common: Common,
        #[arg(long, help = FASHION_DATA_HELP)]
        data: Option<PathBuf>,
    },
    /// CAIPI's Fig. 3 on e-mails: with and without word corrections, headers kept. Quick: 3 folds,
    /// 60 queries.
    CaipiText {
        #[command(flatten)]
        common: Common,
        #[arg(long, help = CORPUS_HELP)]
        corpus: Option<PathBuf>,
    },
    /// CAIPI's Fig. 2: L1 and L2 SVM, rules 0 and 1, with and without corrections. Quick: 2 folds of
    /// 10,000 images, 40 queries, LIME 500 x 3.
    CaipiColors {
        #[command(flatten)]
        common: Common,
        /// Paper semantics, the authors' code, or both.
        #[arg(long, value_enum, default_value = "both")]
        semantics: Semantics,
        /// How the learners are solved: liblinear (as the authors' scikit-learn) or loose (xil's first
        /// settings).
        #[arg(long, value_enum, default_value = "liblinear")]
        solver: Solver,
    },
}

/// What to do with the reproduction the command line chose: build it
/// (`reproduce`) or plan it as a sweep (`sweep plan`).
pub trait WithExperiment {
    /// Does it with reproduction `R`, asked for `settings`, its data from
    /// `source`, into `out`.
    ///
    /// # Errors
    /// The work's.
    fn with<R: Reproduction>(self, settings: &R::Settings, source: &R::Source, out: &Path) -> Result<()>;
}

impl Experiment {
    /// Hands the chosen reproduction, its settings, source and folder to
    /// `work`.
    ///
    /// # Errors
    /// The work's.
    pub fn dispatch(self, work: impl WithExperiment) -> Result<()> {
        match self {
            Experiment::Alex { common } => work.with::<AlexReproduction>(&common.settings(), &(), &common.out),
            Experiment::ExplanationRetrieval { common, corpus } => {
                work.with::<RetrievalReproduction>(&common.settings(), &corpus, &common.out)
            }
            Experiment::BayesFeedback { common } => {
                work.with::<BayesReproduction>(&common.settings(), &(), &common.out)
            }
            Experiment::Cali { common } => work.with::<CaliReproduction>(&common.settings(), &(), &common.out),
            Experiment::DecoyFashion { common, data } => {
                work.with::<DecoyReproduction>(&common.settings(), &data, &common.out)
            }
            Experiment::CaipiText { common, corpus } => {
                work.with::<TextReproduction>(&common.settings(), &corpus, &common.out)
            }
            Experiment::CaipiColors { common, semantics, solver } => {
                let ReproduceSettings { scale, seed } = common.settings();
                let settings = ColorsReproduceSettings { scale, seed, semantics, solver };
                work.with::<ColorsReproduction>(&settings, &(), &common.out)
            }
        }
    }
}

/// `xil-bench reproduce`: builds the reproduction in this process.
pub struct Build;

impl WithExperiment for Build {
    fn with<R: Reproduction>(self, settings: &R::Settings, source: &R::Source, out: &Path) -> Result<()> {
        run::reproduction::<R>(settings, source, out)
    }
}
