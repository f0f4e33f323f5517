//! Rows as records. Every protocol's row is a struct that derives
//! `Serialize`; the `csv` crate writes `metrics.csv` from it, with the field
//! names as the header, so no header string is kept by hand. Floating-point
//! fields say how many decimals they are written with
//! (`#[serde(serialize_with = "record::decimals::<6, _, _>")]`), which keeps the
//! files as compact as they have always been.
//!
//! A row also says which fold and step it belongs to and lists its
//! [`Metric`]s once ([`Record::METRICS`]): the command line's figures, the
//! app's live plots and summaries all read the quantities from that list.

use crate::error::Result;
use serde::{Serialize, Serializer};
use std::fmt::Display;

/// A quantity every row measures, and the plot it is drawn in.
pub struct Metric<R> {
    /// Short name: the legend of its curve, and the figure's file stem
    /// with spaces as underscores.
    pub name: &'static str,
    /// The plot it belongs to (metrics with the same panel share one); also
    /// the y-axis label of its figure.
    pub panel: &'static str,
    /// Reads it from a row.
    pub value: fn(&R) -> f32,
}

impl<R> Metric<R> {
    /// The figure's file stem: the name with spaces and brackets as
    /// underscores, lower case.
    pub fn stem(&self) -> String {
        let words: Vec<String> = self
            .name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect();
        words.join("_")
    }
}

/// A row of a run: written as a CSV record, placed by fold and step, and
/// plotted through its metrics.
pub trait Record: Serialize + Clone + Send + Sync + 'static {
    /// The quantities plotted and summarised, in the order the app lists them.
    const METRICS: &'static [Metric<Self>];

    /// The fold the row belongs to (0 for runs without folds).
    fn fold(&self) -> usize;

    /// The step within the fold, from 1 (the query or epoch).
    fn step(&self) -> usize;
}

/// The metric of `R` called `name`.
///
/// # Panics
/// When `R` has no such metric: a caller's typo, found by every test that
/// draws the figure.
pub fn metric<R: Record>(name: &str) -> &'static Metric<R> {
    R::METRICS.iter().find(|metric| metric.name == name).unwrap_or_else(|| panic!("no metric called {name}"))
}

/// The rows of the last step any fold reached (each fold's final row in a
/// finished run).
pub fn last_step<R: Record>(rows: &[R]) -> Vec<&R> {
    let last = rows.iter().map(R::step).max().unwrap_or(0);
    rows.iter().filter(|r| r.step() == last).collect()
}

/// The mean of `value` over the rows of the last step (0 without rows).
pub fn mean_at_last_step<R: Record>(rows: &[R], value: impl Fn(&R) -> f32) -> f32 {
    let last = last_step(rows);
    last.iter().map(|r| value(r)).sum::<f32>() / last.len().max(1) as f32
}

/// `summary` as a JSON object with the `settings` that produced it added
/// under "settings".
pub fn with_settings(summary: &impl Serialize, settings: &impl Serialize) -> serde_json::Value {
    let mut object = serde_json::to_value(summary).unwrap_or_default();
    if let Some(map) = object.as_object_mut() {
        map.insert("settings".into(), serde_json::to_value(settings).unwrap_or_default());
    }
    object
}

/// A number written with `DECIMALS` decimals, for
/// `#[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]`.
/// Formats for people (CSV, JSON) get the rounded text; binary formats (the
/// CBOR of a sweep's outcomes) get the number itself, every bit of it, so a
/// merged sweep computes with the values a single process had.
///
/// # Errors
/// The serializer's.
pub fn decimals<const DECIMALS: usize, T: Display + Serialize, S: Serializer>(
    value: &T,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        serializer.collect_str(&format_args!("{value:.DECIMALS$}"))
    } else {
        value.serialize(serializer)
    }
}

/// `rows` as CSV: a header of the field names, then one line per row. No
/// rows give an empty file (the header comes from a record).
///
/// # Errors
/// [`crate::Error::Csv`] when a row cannot be written.
pub fn to_csv<R: Serialize>(rows: &[R]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row)?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()).into())
}

/// A table whose columns are known only at run time (a session's chosen
/// quantities, a long table of many runs) as CSV: the `header`, then each
/// row's fields, quoted where CSV needs it.
///
/// # Errors
/// [`crate::Error::Csv`] when a row cannot be written.
pub fn table_to_csv<F: AsRef<[u8]>>(
    header: impl IntoIterator<Item = F>,
    rows: impl IntoIterator<Item = Vec<F>>,
) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row)?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Sample {
        fold: usize,
        #[serde(serialize_with = "decimals::<6, _, _>")]
        f1: f32,
        #[serde(serialize_with = "decimals::<3, _, _>")]
        seconds: f64,
    }

    #[test]
    fn the_header_is_the_field_names_and_floats_keep_their_decimals() {
        let rows = [Sample { fold: 0, f1: 0.5, seconds: 1.23456 }, Sample { fold: 1, f1: f32::NAN, seconds: 0.0 }];
        let text = String::from_utf8(to_csv(&rows).unwrap()).unwrap();
        assert_eq!(text, "fold,f1,seconds\n0,0.500000,1.235\n1,NaN,0.000\n");
        assert!(to_csv::<Sample>(&[]).unwrap().is_empty());
    }

    #[test]
    fn binary_formats_keep_every_bit_that_csv_rounds() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Exact {
            #[serde(serialize_with = "decimals::<3, _, _>")]
            f1: f32,
            #[serde(serialize_with = "decimals::<3, _, _>")]
            seconds: f64,
        }
        let row = Exact { f1: 0.123_456_79, seconds: std::f64::consts::PI };
        assert_eq!(String::from_utf8(to_csv(&[&row]).unwrap()).unwrap(), "f1,seconds\n0.123,3.142\n");
        let mut bytes = Vec::new();
        ciborium::into_writer(&row, &mut bytes).unwrap();
        let back: Exact = ciborium::from_reader(bytes.as_slice()).unwrap();
        assert_eq!((back.f1.to_bits(), back.seconds.to_bits()), (row.f1.to_bits(), row.seconds.to_bits()));
    }

    #[test]
    fn a_run_time_table_quotes_what_csv_must() {
        let rows = vec![vec!["1".to_string(), "CAIPI, rule 0, \"quoted\"".to_string()]];
        let text = String::from_utf8(table_to_csv(["run", "experiment"].map(String::from), rows).unwrap()).unwrap();
        assert_eq!(text, "run,experiment\n1,\"CAIPI, rule 0, \"\"quoted\"\"\"\n");
    }
}
