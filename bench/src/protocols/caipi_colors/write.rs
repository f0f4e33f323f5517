//! A CAIPI colors run's files: `metrics.csv` and `summary.json`.

use super::{CaipiSettings, Row, Summary, summarize};
use crate::error::Result;
use crate::harness::record::with_settings;
use crate::report::files::write_results;
use std::path::Path;

/// The JSON object of a run's summary: the fold means at the last iteration
/// and the settings that produced them.
pub fn summary_json(settings: &CaipiSettings, summary: &Summary) -> serde_json::Value {
    with_settings(summary, settings)
}

/// Writes `dir/metrics.csv` (one row per fold and iteration) and
/// `dir/summary.json`; returns the summary.
///
/// # Errors
/// A one-line message when the folder or a file cannot be written.
pub fn write_run(dir: &Path, settings: &CaipiSettings, rows: &[Row]) -> Result<Summary> {
    let summary = summarize(rows);
    write_results(dir, rows, &summary_json(settings, &summary))?;
    Ok(summary)
}
