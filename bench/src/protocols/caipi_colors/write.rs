//! A CAIPI colors run's files: `metrics.csv` and `summary.json`.

use super::{CaipiSettings, Row, Summary, summarize};
use crate::report::files::write_results;
use std::path::Path;

/// The JSON object of a run's summary: the fold means at the last iteration
/// and the settings that produced them.
pub fn summary_json(settings: &CaipiSettings, summary: &Summary) -> serde_json::Value {
    let mut object = serde_json::to_value(summary).unwrap_or_default();
    if let Some(map) = object.as_object_mut() {
        map.insert("settings".into(), serde_json::to_value(settings).unwrap_or_default());
    }
    object
}

/// Writes `dir/metrics.csv` (one row per fold and iteration) and
/// `dir/summary.json`; returns the summary.
///
/// # Errors
/// A one-line message when the folder or a file cannot be written.
pub fn write_run(dir: &Path, settings: &CaipiSettings, rows: &[Row]) -> Result<Summary, String> {
    let summary = summarize(rows);
    write_results(dir, rows, &summary_json(settings, &summary))?;
    Ok(summary)
}
