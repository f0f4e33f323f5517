//! Rows as records. Every protocol's row is a struct that derives
//! `Serialize`; the `csv` crate writes `metrics.csv` from it, with the field
//! names as the header, so no header string is kept by hand. Floating-point
//! fields say how many decimals they are written with
//! (`#[serde(serialize_with = "record::decimals::<6, _, _>")]`), which keeps the
//! files as compact as they have always been.

use serde::Serializer;
use std::fmt::Display;

/// A number written with `DECIMALS` decimals, for
/// `#[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]`.
///
/// # Errors
/// The serializer's.
pub fn decimals<const DECIMALS: usize, T: Display, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!("{value:.DECIMALS$}"))
}

/// `rows` as CSV: a header of the field names, then one line per row. No
/// rows give an empty file (the header comes from a record).
///
/// # Errors
/// A one-line message when a row cannot be written.
pub fn to_csv<R: serde::Serialize>(rows: &[R]) -> Result<Vec<u8>, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).map_err(|e| format!("cannot write a CSV row: {e}"))?;
    }
    writer.into_inner().map_err(|e| format!("cannot write the CSV: {e}"))
}

/// A table whose columns are known only at run time (a session's chosen
/// quantities, a long table of many runs) as CSV: the `header`, then each
/// row's fields, quoted where CSV needs it.
///
/// # Errors
/// A one-line message when a row cannot be written.
pub fn table_to_csv<F: AsRef<[u8]>>(
    header: impl IntoIterator<Item = F>,
    rows: impl IntoIterator<Item = Vec<F>>,
) -> Result<Vec<u8>, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).map_err(|e| format!("cannot write a CSV header: {e}"))?;
    for row in rows {
        writer.write_record(row).map_err(|e| format!("cannot write a CSV row: {e}"))?;
    }
    writer.into_inner().map_err(|e| format!("cannot write the CSV: {e}"))
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
    fn a_run_time_table_quotes_what_csv_must() {
        let rows = vec![vec!["1".to_string(), "CAIPI, rule 0, \"quoted\"".to_string()]];
        let text = String::from_utf8(table_to_csv(["run", "experiment"].map(String::from), rows).unwrap()).unwrap();
        assert_eq!(text, "run,experiment\n1,\"CAIPI, rule 0, \"\"quoted\"\"\"\n");
    }
}
