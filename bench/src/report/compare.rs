//! Two result folders, equal except for timings (`xil-bench compare A B`):
//! a merged sweep against a single-process run, a reproduction before and
//! after a refactoring.
//!
//! Every file must be in both folders. Figures, pages and other files must
//! be equal byte for byte. Timings are the one thing two runs of the same
//! seed do not share, so they are left out where they are written:
//! - JSON: keys that name seconds, wall time or milliseconds per step;
//! - CSV: columns whose header names seconds;
//! - Markdown: table columns headed `s / …` or naming seconds, table rows
//!   headed `s / …`, and the numbers of any other line that names seconds.

use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The differences between folders `a` and `b` other than timings, one line
/// each (empty when they agree).
///
/// # Errors
/// A folder or file that cannot be read.
pub fn differences(a: &Path, b: &Path) -> Result<Vec<String>> {
    let (files_a, files_b) = (files(a)?, files(b)?);
    let mut found = Vec::new();
    for only in files_a.symmetric_difference(&files_b) {
        let side = if files_a.contains(only) { a } else { b };
        found.push(format!("{}: only in {}", only.display(), side.display()));
    }
    for file in files_a.intersection(&files_b) {
        let (path_a, path_b) = (a.join(file), b.join(file));
        let read = |path: &Path| fs::read(path).map_err(|e| Error::io("read", path, e));
        let (bytes_a, bytes_b) = (read(&path_a)?, read(&path_b)?);
        let same = match file.extension().and_then(|e| e.to_str()) {
            Some("json") => without_timings_json(&bytes_a) == without_timings_json(&bytes_b),
            Some("csv") => without_timings_csv(&bytes_a) == without_timings_csv(&bytes_b),
            Some("md") => without_timings_markdown(&bytes_a) == without_timings_markdown(&bytes_b),
            _ => bytes_a == bytes_b,
        };
        if !same {
            found.push(format!("{}: differs", file.display()));
        }
    }
    Ok(found)
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> Result<BTreeSet<PathBuf>> {
    fn walk(dir: &Path, relative: &Path, found: &mut BTreeSet<PathBuf>) -> Result<()> {
        let entries = fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read", dir, e))?;
            let path = entry.path();
            let name = relative.join(entry.file_name());
            if entry.file_type().map_err(|e| Error::io("read", &path, e))?.is_dir() {
                walk(&path, &name, found)?;
            } else {
                found.insert(name);
            }
        }
        Ok(())
    }
    let mut found = BTreeSet::new();
    walk(dir, Path::new(""), &mut found)?;
    Ok(found)
}

/// Whether a column, key or line names a time (seconds, wall time,
/// milliseconds per step).
fn names_time(name: &str) -> bool {
    let name = name.to_lowercase();
    name.contains("second") || name.contains("wall") || name.contains("ms_per")
}

/// The JSON without timing keys (the text itself when it is not JSON).
fn without_timings_json(bytes: &[u8]) -> std::result::Result<serde_json::Value, Vec<u8>> {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.retain(|key, _| !names_time(key));
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| bytes.to_vec())?;
    strip(&mut value);
    Ok(value)
}

/// The CSV's records without timing columns (the text itself when it is
/// not CSV).
fn without_timings_csv(bytes: &[u8]) -> std::result::Result<Vec<Vec<String>>, Vec<u8>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.records();
    let Some(Ok(header)) = records.next() else { return Err(bytes.to_vec()) };
    let keep: Vec<bool> = header.iter().map(|name| !names_time(name)).collect();
    let mut rows = vec![header.iter().map(str::to_string).collect()];
    for record in records {
        let record = record.map_err(|_| bytes.to_vec())?;
        rows.push(
            record
                .iter()
                .zip(keep.iter().chain(std::iter::repeat(&true)))
                .filter(|(_, k)| **k)
                .map(|(f, _)| f.to_string())
                .collect(),
        );
    }
    Ok(rows)
}

/// The Markdown's lines without timings.
fn without_timings_markdown(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let cells = |line: &str| -> Vec<String> {
        line.trim().trim_matches('|').split('|').map(|cell| cell.trim().to_string()).collect()
    };
    let timing_header = |cell: &str| cell.starts_with("s /") || names_time(cell);
    let mut timing_columns: Vec<bool> = Vec::new();
    let mut in_table = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if !line.trim_start().starts_with('|') {
            in_table = false;
            if names_time(line) {
                lines.push(without_numbers(line));
            } else {
                lines.push(line.to_string());
            }
            continue;
        }
        let row = cells(line);
        if !in_table {
            in_table = true;
            timing_columns = row.iter().map(|cell| timing_header(cell)).collect();
        }
        if row.first().is_some_and(|first| first.starts_with("s /")) {
            continue;
        }
        let kept: Vec<String> = row
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !timing_columns.get(*i).copied().unwrap_or(false))
            .map(|(_, cell)| cell)
            .collect();
        lines.push(kept.join(" | "));
    }
    lines
}

/// `line` with every number (`12`, `0.5`, `2.4e-6`) as `#`.
fn without_numbers(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut number = false;
    for c in line.chars() {
        let continues = number && (c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'));
        if c.is_ascii_digit() || continues {
            if !number {
                out.push('#');
                number = true;
            }
        } else {
            number = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xil-compare-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        dir
    }

    const REPORT: &str =
        "# R\n\n| setting | F1 | s / query |\n|---|---:|---:|\n| a | 0.500 | 0.0123 |\n\nSeconds per epoch: 1.5.\n";

    #[test]
    fn timings_are_left_out_and_every_other_number_counts() {
        let a = folder(
            "a",
            &[
                ("report.md", REPORT),
                ("run/metrics.csv", "fold,f1,seconds\n0,0.5,1.0\n"),
                ("run/summary.json", r#"{"f1": 0.5, "seconds": 3.0, "wall_seconds": 9}"#),
                ("figure.svg", "<svg/>"),
            ],
        );
        let b = folder(
            "b",
            &[
                (
                    "report.md",
                    &REPORT.replace("0.0123", "0.0456").replace("1.5", "12.5").replace("2.403475e-6", "2.3e-5"),
                ),
                ("run/metrics.csv", "fold,f1,seconds\n0,0.5,2.0\n"),
                ("run/summary.json", r#"{"f1": 0.5, "seconds": 4.0, "wall_seconds": 7}"#),
                ("figure.svg", "<svg/>"),
            ],
        );
        assert_eq!(differences(&a, &b).unwrap(), Vec::<String>::new());

        let c = folder(
            "c",
            &[
                ("report.md", &REPORT.replace("0.500", "0.501")),
                ("run/metrics.csv", "fold,f1,seconds\n0,0.6,1.0\n"),
                ("run/summary.json", r#"{"f1": 0.4, "seconds": 3.0}"#),
                ("figure.svg", "<svg />"),
                ("extra.png", ""),
            ],
        );
        let found = differences(&a, &c).unwrap();
        for expected in
            ["report.md: differs", "run/metrics.csv: differs", "run/summary.json: differs", "figure.svg: differs"]
        {
            assert!(found.contains(&expected.to_string()), "{expected} not in {found:?}");
        }
        assert!(found.iter().any(|f| f.starts_with("extra.png: only in")), "{found:?}");
        for dir in [a, b, c] {
            fs::remove_dir_all(dir).unwrap();
        }
    }
}
