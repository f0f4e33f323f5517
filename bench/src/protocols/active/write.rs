//! An active-learning run's files: `metrics.csv` (a row per run and step),
//! `summary.json` and `accuracy.{png,svg}` (mean and 95 % interval per step).

use super::run::ActiveRow;
use super::settings::ActiveSettings;
use crate::error::Result;
use crate::harness::record::with_settings;
use crate::report::figures::{Figure, PALETTE, Series, confidence_band, fold_curves};
use crate::report::files::write_results;
use std::path::Path;

/// Mean and 95 % interval per step of a metric over the runs.
pub fn per_step(rows: &[ActiveRow], metric: impl Fn(&ActiveRow) -> f32) -> Vec<(f32, f32, f32, f32)> {
    confidence_band(&fold_curves(rows, |r| r.run, metric))
}

/// The summary: per step the mean test accuracy and macro-F1 over runs with
/// their 95 % half-widths, and the mean seconds per step.
pub fn summary(settings: &ActiveSettings, rows: &[ActiveRow]) -> serde_json::Value {
    let means = |band: &[(f32, f32, f32, f32)]| band.iter().map(|p| p.1).collect::<Vec<f32>>();
    let halves = |band: &[(f32, f32, f32, f32)]| band.iter().map(|p| (p.3 - p.1).max(0.0)).collect::<Vec<f32>>();
    let accuracy = per_step(rows, |r| r.accuracy);
    let f1 = per_step(rows, |r| r.f1_macro);
    let seconds = rows.iter().map(|r| r.seconds).sum::<f64>() / rows.len().max(1) as f64;
    with_settings(
        &serde_json::json!({
            "strategy": settings.strategy.name(),
            "accuracy": means(&accuracy),
            "accuracy_ci95": halves(&accuracy),
            "f1_macro": means(&f1),
            "f1_macro_ci95": halves(&f1),
            "seconds_per_step": seconds,
        }),
        settings,
    )
}

/// Writes the files and returns the summary.
///
/// # Errors
/// A file that cannot be written or drawn, named.
pub fn write(dir: &Path, settings: &ActiveSettings, rows: &[ActiveRow]) -> Result<serde_json::Value> {
    let summary = summary(settings, rows);
    write_results(dir, rows, &summary)?;
    Figure {
        title: format!("{} on {}, q = {}", settings.strategy.label(), settings.data.label(), settings.q),
        x_label: "step (1: the seed set)".into(),
        y_label: "test accuracy".into(),
        series: vec![Series {
            label: settings.strategy.label().into(),
            colour: PALETTE[0],
            dashed: false,
            points: per_step(rows, |r| r.accuracy),
        }],
    }
    .save(&dir.join("accuracy"))?;
    Ok(summary)
}
