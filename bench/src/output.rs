//! Writing results: whole files or nothing.
//!
//! Every file is written to a temporary name beside its destination and then
//! renamed, so a run that fails or is interrupted never leaves a half-written
//! file under the final name.

use crate::caipi::{CSV_HEADER, CaipiSettings, Row, Summary, summarize};
use std::fs;
use std::path::{Path, PathBuf};

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
    write_results(dir, CSV_HEADER, rows.iter().map(Row::csv), &summary_json(settings, &summary))?;
    Ok(summary)
}

/// Writes `dir/metrics.csv` (a header and one line per row) and
/// `dir/summary.json`, each atomically.
///
/// # Errors
/// A one-line message when the folder or a file cannot be written.
pub fn write_results(
    dir: &Path,
    header: &str,
    lines: impl Iterator<Item = String>,
    summary: &serde_json::Value,
) -> Result<(), String> {
    prepare_dir(dir)?;
    let mut csv = String::from(header);
    csv.push('\n');
    for line in lines {
        csv.push_str(&line);
        csv.push('\n');
    }
    write_atomically(&dir.join("metrics.csv"), csv.as_bytes())?;
    write_atomically(&dir.join("summary.json"), format!("{summary:#}\n").as_bytes())
}

/// Creates `dir` (and parents) and checks that files can be written in it.
///
/// # Errors
/// A one-line message naming the folder.
pub fn prepare_dir(dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create output folder {}: {e}", dir.display()))?;
    let probe = dir.join(".xil-write-test");
    fs::write(&probe, b"").map_err(|e| format!("cannot write in output folder {}: {e}", dir.display()))?;
    fs::remove_file(&probe).map_err(|e| format!("cannot write in output folder {}: {e}", dir.display()))
}

/// Writes `contents` to `path` atomically (temporary file, then rename).
///
/// # Errors
/// A one-line message naming the file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), String> {
    let temporary = temporary_name(path);
    fs::write(&temporary, contents).map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
    fs::rename(&temporary, path).map_err(|e| {
        let _ = fs::remove_file(&temporary);
        format!("cannot rename {} to {}: {e}", temporary.display(), path.display())
    })
}

/// The temporary name of `path` used while it is being written.
pub fn temporary_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_leave_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("xil-output-{}", std::process::id()));
        prepare_dir(&dir).unwrap();
        let path = dir.join("a.txt");
        write_atomically(&path, b"hello").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"hello");
        assert!(!temporary_name(&path).exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unwritable_folder_is_an_error() {
        let file = std::env::temp_dir().join(format!("xil-not-a-dir-{}", std::process::id()));
        fs::write(&file, b"").unwrap();
        let message = prepare_dir(&file.join("sub")).unwrap_err();
        assert!(message.contains("cannot create output folder"), "{message}");
        fs::remove_file(&file).unwrap();
    }
}
