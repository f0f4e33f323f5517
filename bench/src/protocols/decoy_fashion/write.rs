//! A decoy run's files: `metrics.csv`, `summary.json` and `explanations.png`.

use super::explain::{EXPLAINED_IMAGES, explained};
use super::run::Outcome;
use super::settings::DecoySettings;
use crate::data::fashion::SIDE;
use crate::error::Result;
use crate::report::files::write_results;
use crate::report::heatmap::save_grid;
use std::path::Path;

/// The summary JSON of a run: the keys the command promises, the decoy share
/// of the explanations, and the settings.
pub fn summary_json(settings: &DecoySettings, outcome: &Outcome) -> serde_json::Value {
    serde_json::json!({
        "train_accuracy": outcome.train_accuracy,
        "test_accuracy": outcome.test_accuracy,
        "seconds_per_epoch": outcome.seconds_per_epoch,
        "decoy_gradient_share": outcome.decoy_share,
        "settings": settings,
    })
}

/// Writes `dir/metrics.csv` (one row per epoch), `dir/summary.json` and
/// `dir/explanations.png` (the first test images and their explanations).
///
/// # Errors
/// A one-line message when a file cannot be written.
pub fn write(dir: &Path, settings: &DecoySettings, outcome: &Outcome) -> Result<()> {
    write_results(dir, &outcome.epochs, &summary_json(settings, outcome))?;
    let row = (settings.setting.label().to_string(), explained(outcome, EXPLAINED_IMAGES));
    save_grid(&dir.join("explanations.png"), SIDE, &[row])
}
