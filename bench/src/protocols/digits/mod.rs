//! The device's network on real digits: `DigitsCnn` (conv 3x3x8, pool,
//! dense 72-32-10; 2,746 parameters, 11 KB) trained with cross-entropy and
//! Adam on the 1,437 training digits of the UCI 8 x 8 set and measured on its
//! 360 test digits, with saliency and Grad-CAM maps of the first test digits.
//! It writes the trained parameters (`model.f32`) that the firmware's CNN
//! build can carry (`bench/firmware/run.py`).

pub mod run;

pub use run::{DigitsEpoch, DigitsOutcome, DigitsSettings};

use crate::data::digits;
use crate::data::fashion::ImageSet;
use crate::error::Result;
use crate::harness::observe::Observer;
use crate::harness::protocol::Protocol;
use std::path::{Path, PathBuf};

/// `xil-bench digits`.
#[derive(Debug, Clone, Copy)]
pub struct Digits;

impl Protocol for Digits {
    const NAME: &'static str = "digits";
    const STEP: &'static str = "epochs";
    type Settings = DigitsSettings;
    /// The folder of `digits.csv.gz` (else `$XIL_DIGITS`, else `data/digits`).
    type Source = Option<PathBuf>;
    type Data = ImageSet;
    type Row = DigitsEpoch;
    type Outcome = DigitsOutcome;

    fn check(settings: &DigitsSettings) -> Result<()> {
        settings.validate()
    }

    fn rows(settings: &DigitsSettings) -> usize {
        settings.epochs
    }

    fn load(_: &DigitsSettings, folder: &Option<PathBuf>) -> Result<ImageSet> {
        digits::load(&digits::locate(folder.as_deref()))
    }

    fn run(settings: &DigitsSettings, data: &ImageSet, observe: Observer<'_, DigitsEpoch>) -> Result<DigitsOutcome> {
        run::run(settings, data, observe)
    }

    fn write(
        dir: &Path,
        settings: &DigitsSettings,
        data: &ImageSet,
        outcome: &DigitsOutcome,
        _: f64,
    ) -> Result<serde_json::Value> {
        run::write(dir, settings, data, outcome)
    }
}
