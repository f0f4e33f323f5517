//! An attributions run's files: `metrics.csv` (epochs), one
//! `attributions_<method>.csv` per method (a row per explained image),
//! `summary.json`, `attributions.png` (the first test images under every
//! method), and for other tools to redo the same work (`scripts/
//! explainer_speed`): `model.f32` (the trained parameters, see
//! [`Model::flat_parameters`](super::models::Model::flat_parameters)),
//! `explained.f32` (the explained images, 784 values each) and
//! `maps_<method>.f32` (each method's maps in the same order), all raw
//! little-endian `f32`.

use super::methods::Method;
use super::run::{FIGURE_IMAGES, Outcome};
use super::settings::AttributionSettings;
use crate::data::fashion::{CLASSES, SIDE};
use crate::error::Result;
use crate::harness::record::{to_csv, with_settings};
use crate::report::files::{write_atomically, write_results};
use crate::report::heatmap::{Explained, save_grid};
use std::path::Path;

/// The mean of `values` (0 when empty).
fn mean(values: impl ExactSizeIterator<Item = f64>) -> f64 {
    let count = values.len().max(1) as f64;
    values.sum::<f64>() / count
}

/// The summary: test accuracy and, per method, the mean decoy overlap and
/// milliseconds per explanation (`null` for a method that does not apply).
pub fn summary(settings: &AttributionSettings, outcome: &Outcome) -> serde_json::Value {
    let methods: serde_json::Map<String, serde_json::Value> = Method::ALL
        .iter()
        .zip(&outcome.methods)
        .map(|(method, rows)| {
            let value = if rows.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::json!({
                    "overlap": mean(rows.iter().map(|r| f64::from(r.overlap))),
                    "ms_per_explanation": mean(rows.iter().map(|r| r.milliseconds)),
                })
            };
            (method.name().to_string(), value)
        })
        .collect();
    let decoy_pixels = outcome.test.decoy_pixels(0).len();
    with_settings(
        &serde_json::json!({
            "test_accuracy": outcome.test_accuracy,
            "train_accuracy": outcome.train_accuracy,
            "decoy_pixel_share": decoy_pixels as f64 / (SIDE * SIDE) as f64,
            "explained": outcome.methods.iter().map(Vec::len).max().unwrap_or(0),
            "methods": methods,
        }),
        &settings,
    )
}

/// Writes the run's files into `dir` and returns the summary.
///
/// # Errors
/// A file that cannot be written or drawn, named.
pub fn write(dir: &Path, settings: &AttributionSettings, outcome: &Outcome) -> Result<serde_json::Value> {
    let summary = summary(settings, outcome);
    write_results(dir, &outcome.epochs, &summary)?;
    for (method, rows) in Method::ALL.iter().zip(&outcome.methods) {
        if !rows.is_empty() {
            write_atomically(&dir.join(format!("attributions_{}.csv", method.name())), &to_csv(rows)?)?;
        }
    }
    let raw = |values: &mut dyn Iterator<Item = f32>| values.flat_map(f32::to_le_bytes).collect::<Vec<u8>>();
    write_atomically(&dir.join("model.f32"), &raw(&mut outcome.parameters.iter().copied()))?;
    write_atomically(&dir.join("explained.f32"), &raw(&mut outcome.inputs.iter().flat_map(|x| x.iter().copied())))?;
    for (column, method) in Method::ALL.iter().enumerate() {
        let mut values =
            outcome.maps.iter().filter_map(|maps| maps.get(column)?.as_ref()).flat_map(|m| m.iter().copied());
        let bytes = raw(&mut values);
        if !bytes.is_empty() {
            write_atomically(&dir.join(format!("maps_{}.f32", method.name())), &bytes)?;
        }
    }
    let class_name = |class: usize| if class < CLASSES { class.to_string() } else { "?".to_string() };
    let rows: Vec<(String, Vec<Explained>)> = Method::ALL
        .iter()
        .enumerate()
        .filter(|(column, _)| outcome.maps.iter().any(|maps| maps.get(*column).is_some_and(Option::is_some)))
        .map(|(column, method)| {
            let panels = outcome
                .maps
                .iter()
                .take(FIGURE_IMAGES)
                .enumerate()
                .filter_map(|(position, maps)| {
                    let map = maps.get(column)?.as_ref()?;
                    let row = outcome.methods.get(column)?.get(position)?;
                    let index = row.image;
                    Some(Explained {
                        pixels: outcome.test.image(index).to_vec(),
                        relevance: map.iter().copied().collect(),
                        outline: outcome.test.decoy_pixels(index),
                        caption: format!(
                            "{} (true {}), {:.0}% on decoy",
                            class_name(row.predicted),
                            class_name(usize::from(row.label)),
                            100.0 * row.overlap
                        ),
                    })
                })
                .collect();
            (method.name().to_string(), panels)
        })
        .collect();
    save_grid(&dir.join("attributions.png"), SIDE, &rows)?;
    Ok(summary)
}
