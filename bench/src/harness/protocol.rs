//! The shape of every experiment.
//!
//! A [`Protocol`] is one experiment of a paper as the command line runs it
//! (`xil-bench <NAME>`): settings checked once, the data it reads, a run that
//! hands each [`Record`] to an observer (progress bars, the app's live plots,
//! pause and stop), and the files it leaves. A [`Reproduction`] is a paper's
//! whole figure or table (`xil-bench reproduce <NAME>`): many runs of a
//! protocol at a quick or a full [`Scale`], cut into independent units of
//! work whose outcomes are merged into figures and a report beside the
//! paper's targets — in one process ([`reproduce`]) or as the jobs of a
//! cluster's scheduler ([`crate::sweep`]), with the same files. The command
//! line drives both through the same few functions, so an experiment added
//! here gets its progress bar, staged output folder, JSON summary line and
//! sweep without code of its own.

use crate::error::Result;
use crate::harness::observe::Observer;
use crate::harness::record::Record;
use crate::report::files::prepare_dir;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One experiment as `xil-bench <NAME>` runs it.
pub trait Protocol {
    /// The subcommand, e.g. `caipi`.
    const NAME: &'static str;
    /// What one row stands for, plural: "queries", "epochs".
    const STEP: &'static str;
    /// Everything that defines a run; serialised into its summary.
    type Settings: Clone + Serialize + Send + Sync;
    /// Where the run's data comes from (a folder of a real data set, or
    /// nothing when it is generated from the settings).
    type Source: Sync;
    /// The data a run reads, loaded once.
    type Data: Sync;
    /// What the run measures after each step.
    type Row: Record;
    /// What a run returns beside its rows (a model, a trace, nothing).
    type Outcome: Send;

    /// Checks the settings; a run with settings that pass does not fail on
    /// them.
    ///
    /// # Errors
    /// [`crate::Error::Settings`] naming the first impossible option.
    fn check(settings: &Self::Settings) -> Result<()>;

    /// How many rows the whole run measures (the progress bar's total).
    fn rows(settings: &Self::Settings) -> usize;

    /// Reads or generates the data.
    ///
    /// # Errors
    /// A data set that is missing or malformed, named.
    fn load(settings: &Self::Settings, source: &Self::Source) -> Result<Self::Data>;

    /// What loading found, for the command's standard error (e-mails read
    /// and skipped); nothing by default.
    fn loaded(_data: &Self::Data) -> Option<String> {
        None
    }

    /// Runs, handing every row to `observe` as it is measured; stops early
    /// (with the rows so far) when `observe` says so.
    ///
    /// # Errors
    /// A step that fails, named.
    fn run(settings: &Self::Settings, data: &Self::Data, observe: Observer<'_, Self::Row>) -> Result<Self::Outcome>;

    /// Writes the run's files into `dir` (`metrics.csv`, `summary.json`,
    /// figures) and returns the summary, which the command prints as its
    /// last line. `wall_seconds` is the run's time without loading.
    ///
    /// # Errors
    /// A file that cannot be written or drawn, named.
    fn write(
        dir: &Path,
        settings: &Self::Settings,
        data: &Self::Data,
        outcome: &Self::Outcome,
        wall_seconds: f64,
    ) -> Result<serde_json::Value>;
}

/// How much of a paper's figure to run: a first look or the paper's sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Small enough for CI and a first look (minutes).
    Quick,
    /// The paper's sizes.
    Full,
}

/// The sizes of a reproduction at each [`Scale`].
pub trait Sizes: Sized + Copy {
    /// A first look.
    const QUICK: Self;
    /// The paper's sizes.
    const FULL: Self;

    /// The sizes of `scale`.
    fn of(scale: Scale) -> Self {
        match scale {
            Scale::Quick => Self::QUICK,
            Scale::Full => Self::FULL,
        }
    }
}

/// What most reproductions are asked for: how much, and the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReproduceSettings {
    /// Quick or full.
    pub scale: Scale,
    /// Seed of data, folds and every random choice.
    pub seed: u64,
}

/// A paper's figure or table as `xil-bench reproduce <NAME>` builds it: a
/// list of independent units of work (a fold of a run, a run, a study),
/// each run on its own, and a merge of their outcomes into the figures and
/// the report. [`reproduce`] runs every unit in this process;
/// [`crate::sweep`] runs each as a job of a scheduler (Slurm's array jobs)
/// and merges the same outcomes, so both give the same files.
pub trait Reproduction {
    /// The subcommand of `reproduce`, e.g. `caipi-colors`.
    const NAME: &'static str;
    /// What one tick of the progress bar stands for, plural.
    const STEP: &'static str;
    /// Whether one process runs its units side by side (units that each
    /// hold a large network run one after another, folds in parallel).
    const PARALLEL_UNITS: bool = false;
    /// What a reproduction is asked for: scale, seed and any variant.
    type Settings: Clone + Sync + Serialize + DeserializeOwned;
    /// Where its data comes from.
    type Source: Clone + Sync + Serialize + DeserializeOwned;
    /// The data, loaded once.
    type Data: Sync;
    /// One unit of work, with the checked settings, fold or run and the
    /// named random stream it draws from: a line of a sweep's `jobs.jsonl`.
    type Unit: Serialize + DeserializeOwned + PartialEq + Send + Sync;
    /// What a unit hands to the merge (stored as CBOR by a sweep, whose
    /// floats keep every bit).
    type Outcome: Serialize + DeserializeOwned + Send;

    /// Progress ticks of the whole reproduction.
    fn ticks(settings: &Self::Settings) -> usize;

    /// Reads or generates the data.
    ///
    /// # Errors
    /// A data set that is missing or malformed, named.
    fn load(settings: &Self::Settings, source: &Self::Source) -> Result<Self::Data>;

    /// What loading found, for the command's standard error (e-mails read
    /// and skipped); nothing by default.
    fn loaded(_data: &Self::Data) -> Option<String> {
        None
    }

    /// The units of work, in the order the merge expects them.
    ///
    /// # Errors
    /// [`crate::Error::Settings`] when a unit's settings do not pass their
    /// check.
    fn units(settings: &Self::Settings) -> Result<Vec<Self::Unit>>;

    /// Runs one unit; writes the files that belong to it alone (a run's
    /// folder) under `dir`, the reproduction's folder, and returns what the
    /// merge needs.
    ///
    /// # Errors
    /// A failing run or a file that cannot be written, named.
    fn run_unit(
        dir: &Path,
        settings: &Self::Settings,
        data: &Self::Data,
        unit: &Self::Unit,
        tick: &(dyn Fn() + Sync),
    ) -> Result<Self::Outcome>;

    /// Writes what needs every unit (figures, tables, `report.md`) into
    /// `dir` from the units' outcomes alone (no data: a sweep's merge loads
    /// none), in the order of [`Self::units`], and
    /// returns the runs' summaries (the command prints them beside the wall
    /// time).
    ///
    /// # Errors
    /// A file that cannot be written, named.
    fn merge(
        dir: &Path,
        settings: &Self::Settings,
        outcomes: Vec<(Self::Unit, Self::Outcome)>,
    ) -> Result<Vec<serde_json::Value>>;
}

/// Runs every unit of `R` in this process (side by side when
/// [`Reproduction::PARALLEL_UNITS`]) and merges them into `dir`.
///
/// # Errors
/// The first failing unit's error, or the merge's.
pub fn reproduce<R: Reproduction>(
    dir: &Path,
    settings: &R::Settings,
    data: &R::Data,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<serde_json::Value>> {
    use rayon::prelude::*;
    prepare_dir(dir)?;
    let units = R::units(settings)?;
    let run = |unit: &R::Unit| R::run_unit(dir, settings, data, unit, tick);
    let outcomes: Vec<R::Outcome> = if R::PARALLEL_UNITS {
        units.par_iter().map(run).collect::<Result<_>>()?
    } else {
        units.iter().map(run).collect::<Result<_>>()?
    };
    R::merge(dir, settings, units.into_iter().zip(outcomes).collect())
}
