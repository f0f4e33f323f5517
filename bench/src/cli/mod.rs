//! The command line: one file per subcommand turns its options into a
//! protocol's settings; [`run`] runs any protocol or reproduction the same
//! way.

pub mod active;
pub mod attributions;
pub mod bayes_feedback;
pub mod caipi;
pub mod caipi_text;
pub mod cali;
pub mod decoy_fashion;
pub mod digits;
pub mod lime_faithfulness;
pub mod reproduce;
pub mod run;
pub mod sweep;
pub mod values;

use clap::{Parser, Subcommand};
use reproduce::Experiment;
use xil_bench::Result;
use xil_bench::protocols::active::Active;
use xil_bench::protocols::attributions::Attributions;
use xil_bench::protocols::bayes_feedback::BayesFeedback;
use xil_bench::protocols::caipi_colors::CaipiColors;
use xil_bench::protocols::caipi_text::CaipiText;
use xil_bench::protocols::cali::Cali;
use xil_bench::protocols::decoy_fashion::DecoyFashion;
use xil_bench::protocols::digits::Digits;
use xil_bench::protocols::lime_faithfulness::LimeFaithfulness;

#[derive(Parser)]
#[command(
    name = "xil-bench",
    version,
    about = "Run explanatory interactive learning experiments and write their results"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// CAIPI on generated colors data with cross-validation (seed 000, Fig. 2).
    #[command(visible_alias = "caipi-colors")]
    Caipi(caipi::CaipiArgs),
    /// CALIMOCHO on generated colors data: a SENN learnt from labels and corrected explanations (seed 001).
    Cali(cali::CaliArgs),
    /// Decoy Fashion-MNIST: an MLP trained with a label-revealing patch, corrected or not (seed 000, Table 1).
    DecoyFashion(decoy_fashion::DecoyArgs),
    /// CAIPI on real e-mails (SpamAssassin) with word corrections (seed 000, Fig. 3).
    CaipiText(caipi_text::TextArgs),
    /// How faithful LIME is to a SENN's exact explanation during training (seed 001, Fig. 2).
    LimeFaithfulness(lime_faithfulness::FaithfulnessArgs),
    /// Seven attribution methods on a network trained on decoyed MNIST or Fashion-MNIST (seeds 002 and 003).
    Attributions(attributions::AttributionArgs),
    /// Batch active learning on MNIST, Fashion-MNIST, e-mails or colors: ALEX, explanation retrieval and the standard strategies (seeds 002, 004).
    Active(active::ActiveArgs),
    /// A Bayesian LeNet-5 on four-corner decoy images, fine-tuned with activation evidence from a few annotated images (seed 003).
    BayesFeedback(bayes_feedback::BayesFeedbackArgs),
    /// The device's 8x8 CNN trained on the 1,797 UCI digits, with saliency and Grad-CAM maps.
    Digits(digits::DigitsArgs),
    /// Reproduce a paper's figure with figures and a report beside its targets.
    Reproduce {
        #[command(subcommand)]
        experiment: Experiment,
    },
    /// A reproduction as a sweep of jobs for Slurm (or any machine): plan, run a job, status, merge.
    Sweep {
        #[command(subcommand)]
        command: sweep::SweepCommand,
    },
    /// Whether two result folders hold the same results, timings aside (a merged sweep against `reproduce`, a
    /// run before and after a change); lists every difference and exits 1 when there is one.
    Compare {
        /// One result folder.
        before: std::path::PathBuf,
        /// The other.
        after: std::path::PathBuf,
    },
}

impl Cli {
    /// Runs the subcommand.
    ///
    /// # Errors
    /// The first failing step's error.
    pub fn run(self) -> Result<()> {
        match self.command {
            Command::Caipi(args) => run::protocol::<CaipiColors>(&args.settings(), &(), &args.out),
            Command::Cali(args) => run::protocol::<Cali>(&args.settings(), &(), &args.out),
            Command::DecoyFashion(args) => run::protocol::<DecoyFashion>(&args.settings(), &args.data, &args.out),
            Command::CaipiText(args) => run::protocol::<CaipiText>(&args.settings(), &args.source(), &args.out),
            Command::LimeFaithfulness(args) => run::protocol::<LimeFaithfulness>(&args.settings(), &(), &args.out),
            Command::Attributions(args) => run::protocol::<Attributions>(&args.settings(), &args.data_dir, &args.out),
            Command::Active(args) => run::protocol::<Active>(&args.settings(), &args.data_dir, &args.out),
            Command::BayesFeedback(args) => run::protocol::<BayesFeedback>(&args.settings(), &args.data_dir, &args.out),
            Command::Digits(args) => run::protocol::<Digits>(&args.settings(), &args.data_dir, &args.out),
            Command::Reproduce { experiment } => experiment.dispatch(reproduce::Build),
            Command::Sweep { command } => command.run(),
            Command::Compare { before, after } => compare(&before, &after),
        }
    }
}

/// `xil-bench compare`: the differences on standard error, an error when
/// there is one.
fn compare(before: &std::path::Path, after: &std::path::Path) -> Result<()> {
    let found = xil_bench::report::compare::differences(before, after)?;
    for difference in &found {
        eprintln!("{difference}");
    }
    if found.is_empty() {
        eprintln!("{} and {} hold the same results (timings aside)", before.display(), after.display());
        Ok(())
    } else {
        Err(xil_bench::Error::Results(format!(
            "{} and {} differ in {} file(s), listed above",
            before.display(),
            after.display(),
            found.len()
        )))
    }
}
