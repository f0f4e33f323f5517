//! CAIPI on colors (seed 000, Fig. 2): the protocol, run fold by fold.
//!
//! Per fold of a stratified k-fold split of the generated images: a session
//! starts from a few labels per class, then for each of `T` queries picks the
//! pool image closest to the margin, explains its prediction with LIME (top
//! `k` pixels), scores that explanation against the rule's pixels, lets a
//! simulated user who knows the rule label it and (with corrections on) mark
//! explained pixels outside the rule as irrelevant, adds counterexamples
//! (every alternative colour of each marked pixel, kept only when the rule
//! still gives the label) and refits. After every query the fold records the
//! explanation F1 (instant and running mean), the test accuracy, the weight
//! decomposition along the two rules and the number of counterexamples.

pub mod reproduce;
pub mod run;
pub mod settings;
pub mod write;

pub use run::{Row, Summary, run_all, run_fold, summarize};
pub use settings::{CAPACITY, CaipiSettings, Learner, Solver};

use crate::data::colors::ColorsData;
use crate::error::Result;
use crate::harness::observe::Observer;
use crate::harness::protocol::Protocol;
use std::path::Path;

/// CAIPI on colors as `xil-bench caipi` runs it: one setting over its folds.
#[derive(Debug, Clone, Copy)]
pub struct CaipiColors;

impl Protocol for CaipiColors {
    const NAME: &'static str = "caipi";
    const STEP: &'static str = "queries";
    type Settings = CaipiSettings;
    type Source = ();
    type Data = ColorsData;
    type Row = Row;
    type Outcome = Vec<Row>;

    fn check(settings: &CaipiSettings) -> Result<()> {
        settings.validate()
    }

    fn rows(settings: &CaipiSettings) -> usize {
        settings.folds * settings.iterations
    }

    fn load(settings: &CaipiSettings, (): &()) -> Result<ColorsData> {
        ColorsData::generate(settings.images, settings.folds, settings.seed)
    }

    fn run(settings: &CaipiSettings, data: &ColorsData, observe: Observer<'_, Row>) -> Result<Vec<Row>> {
        Ok(run_all(std::slice::from_ref(settings), data, observe)?.concat())
    }

    fn write(
        dir: &Path,
        settings: &CaipiSettings,
        _: &ColorsData,
        rows: &Vec<Row>,
        _: f64,
    ) -> Result<serde_json::Value> {
        let summary = write::write_run(dir, settings, rows)?;
        Ok(write::summary_json(settings, &summary))
    }
}
