//! The few lines a finished run prints for a person, on stderr before the
//! JSON line: the key figures as a small table and where the files are.
//!
//! The table is built from the same summary JSON that stdout carries, so it
//! cannot disagree with it. A single run shows its top-level numbers one per
//! line. A reproduction shows one row per run and one column per number that
//! every run has; each row is labelled by what sets the run apart from the
//! others (the settings and names whose values differ between runs), the way
//! a run tracker labels runs.

use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::Path;

/// Keys that describe a run rather than measure it.
const SETTINGS: &str = "settings";

/// A number as a person reads it: whole numbers without a fraction, others
/// to four significant digits.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e12 {
        format!("{value:.0}")
    } else if value != 0.0 && (value.abs() >= 1e5 || value.abs() < 1e-3) {
        format!("{value:.3e}")
    } else {
        let decimals = (3 - value.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{value:.decimals$}")
    }
}

/// The top-level numbers of a summary, by key (alphabetical, as `serde_json`
/// keeps them).
fn figures(summary: &Map<String, Value>) -> Vec<(&str, f64)> {
    summary.iter().filter_map(|(key, value)| value.as_f64().map(|v| (key.as_str(), v))).collect()
}

/// Lines of `key  value` for one run's top-level numbers.
pub fn run_table(summary: &Value) -> String {
    let Some(object) = summary.as_object() else { return String::new() };
    let rows = figures(object);
    let width = rows.iter().map(|(key, _)| key.len()).max().unwrap_or(0);
    rows.iter().fold(String::new(), |mut text, (key, value)| {
        let _ = writeln!(text, "  {key:<width$}  {}", number(*value));
        text
    })
}

/// What describes a run: its top-level strings and booleans and its
/// settings, flattened to `key=value`.
fn descriptors(run: &Map<String, Value>) -> Vec<(String, String)> {
    let plain = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(n) => n.as_f64().map(number),
        _ => None,
    };
    let mut found: Vec<(String, String)> = run
        .iter()
        .filter(|(key, value)| key.as_str() != SETTINGS && !value.is_number())
        .filter_map(|(key, value)| plain(value).map(|v| (key.clone(), v)))
        .collect();
    if let Some(Value::Object(settings)) = run.get(SETTINGS) {
        found.extend(settings.iter().filter_map(|(key, value)| plain(value).map(|v| (key.clone(), v))));
    }
    found
}

/// Each run's label: the descriptors whose values are not the same in every
/// run (the run's number when none differ).
fn labels(runs: &[&Map<String, Value>]) -> Vec<String> {
    let described: Vec<Vec<(String, String)>> = runs.iter().map(|run| descriptors(run)).collect();
    let differs = |key: &str| {
        let mut values = described.iter().map(|d| d.iter().find(|(k, _)| k == key).map(|(_, v)| v));
        let first = values.next().flatten();
        values.any(|v| v != first)
    };
    described
        .iter()
        .enumerate()
        .map(|(index, descriptors)| {
            let parts: Vec<String> = descriptors
                .iter()
                .filter(|(key, _)| differs(key))
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            if parts.is_empty() { format!("run {}", index + 1) } else { parts.join(" ") }
        })
        .collect()
}

/// A table of a reproduction's runs: one row per run, labelled by what sets
/// it apart, one column per number every run reports.
pub fn runs_table(runs: &[Value]) -> String {
    let objects: Vec<&Map<String, Value>> = runs.iter().filter_map(Value::as_object).collect();
    let Some(first) = objects.first() else { return String::new() };
    let columns: Vec<&str> = figures(first)
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| objects.iter().all(|run| run.get(*key).is_some_and(Value::is_number)))
        .collect();
    let labels = labels(&objects);
    let cells: Vec<Vec<String>> = objects
        .iter()
        .map(|run| {
            columns.iter().map(|key| run.get(*key).and_then(Value::as_f64).map_or_else(String::new, number)).collect()
        })
        .collect();
    let label_width = labels.iter().map(String::len).max().unwrap_or(0).max("run".len());
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(c, key)| cells.iter().map(|row| row[c].len()).max().unwrap_or(0).max(key.len()))
        .collect();
    let mut text = format!("  {:<label_width$}", "run");
    for (key, width) in columns.iter().zip(&widths) {
        let _ = write!(text, "  {key:>width$}");
    }
    text.push('\n');
    for (label, row) in labels.iter().zip(&cells) {
        let _ = write!(text, "  {label:<label_width$}");
        for (cell, width) in row.iter().zip(&widths) {
            let _ = write!(text, "  {cell:>width$}");
        }
        text.push('\n');
    }
    text
}

/// Where a run's files are: `report.md` and the figures (PNG) directly in
/// `out` or in `out/figures`, when present.
pub fn files(out: &Path) -> String {
    let mut text = String::new();
    let report = out.join("report.md");
    if report.is_file() {
        let _ = writeln!(text, "report: {}", report.display());
    }
    for folder in [out.to_path_buf(), out.join("figures")] {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        let mut figures: Vec<String> = entries
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".png"))
            .collect();
        figures.sort();
        if !figures.is_empty() {
            let _ = writeln!(text, "figures in {}: {}", folder.display(), figures.join(", "));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_read_as_a_person_expects() {
        assert_eq!(number(300.0), "300");
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(12.3456), "12.35");
        assert_eq!(number(0.0004), "4.000e-4");
        assert_eq!(number(-1.5), "-1.500");
    }

    #[test]
    fn a_run_lists_its_top_level_numbers_only() {
        let table =
            run_table(&json!({"running_f1": 0.884, "counterexamples": 103.0, "settings": {"rule": 0}, "name": "x"}));
        assert_eq!(table, "  counterexamples  103\n  running_f1       0.8840\n");
    }

    #[test]
    fn runs_are_labelled_by_the_settings_that_differ() {
        let runs = [
            json!({"variant": "paper", "f1": 0.6, "only_here": 1.0, "settings": {"corrections": false, "folds": 10}}),
            json!({"variant": "paper", "f1": 0.61, "settings": {"corrections": true, "folds": 10}}),
            json!({"variant": "earlier", "f1": 0.3, "settings": {"corrections": true, "folds": 10}}),
        ];
        let table = runs_table(&runs);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[0].contains("f1") && !lines[0].contains("only_here"), "{table}");
        assert!(lines[1].contains("variant=paper corrections=false"), "{table}");
        assert!(lines[2].contains("variant=paper corrections=true"), "{table}");
        assert!(lines[3].contains("variant=earlier corrections=true"), "{table}");
        assert!(!table.contains("folds"), "a setting shared by every run is no label: {table}");
        assert!(lines[2].ends_with("0.6100"), "{table}");
    }

    #[test]
    fn identical_runs_are_numbered() {
        let table = runs_table(&[json!({"f1": 0.5}), json!({"f1": 0.5})]);
        assert!(table.contains("run 1") && table.contains("run 2"), "{table}");
    }
}
