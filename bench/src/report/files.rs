//! Files written whole or not at all.
//!
//! Every file is written to a temporary name of this process beside its
//! destination, flushed to disk and then renamed, so a run that fails or is
//! killed never leaves a half-written file under the final name. A run's
//! whole folder is built aside by [`super::staged::StagedDir`].

use crate::error::{Error, Result};
use crate::harness::record::to_csv;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `dir/metrics.csv` (the rows as records, see [`crate::harness::record`])
/// and `dir/summary.json`, each atomically.
///
/// # Errors
/// A one-line message when the folder or a file cannot be written.
pub fn write_results<R: serde::Serialize>(dir: &Path, rows: &[R], summary: &serde_json::Value) -> Result<()> {
    prepare_dir(dir)?;
    write_atomically(&dir.join("metrics.csv"), &to_csv(rows)?)?;
    write_atomically(&dir.join("summary.json"), format!("{summary:#}\n").as_bytes())
}

/// Creates `dir` (and parents) and checks that files can be written in it.
///
/// # Errors
/// A one-line message naming the folder.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io("create output folder", dir, e))?;
    let probe = temporary_name(&dir.join("write-test"));
    fs::write(&probe, b"").map_err(|e| Error::io("write in output folder", dir, e))?;
    fs::remove_file(&probe).map_err(|e| Error::io("write in output folder", dir, e))
}

/// Writes `contents` to `path` atomically and durably: a temporary file of
/// this process, flushed to disk, then renamed over `path`.
///
/// # Errors
/// A one-line message naming the file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    write_through_temporary(path, |temporary| {
        fs::write(temporary, contents).map_err(|e| Error::io("write", temporary, e))
    })
}

/// Has `write` create a file at a temporary path of this process, flushes
/// that file to disk and renames it to `path`; on any error the temporary
/// file is removed. For writers that need a path, such as plotters' image
/// backends (the temporary name keeps the extension, which picks the format).
///
/// # Errors
/// `write`'s error, or a one-line message naming the file.
pub fn write_through_temporary(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let temporary = temporary_name(path);
    let result = write(&temporary)
        .and_then(|()| sync_file(&temporary))
        .and_then(|()| fs::rename(&temporary, path).map_err(|e| Error::io("put in place", path, e)))
        .and_then(|()| path.parent().map_or(Ok(()), sync_folder));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

fn sync_file(path: &Path) -> Result<()> {
    fs::File::open(path).and_then(|file| file.sync_all()).map_err(|e| Error::io("flush", path, e))
}

/// Flushes a folder's entries (new names, renames) to disk; an empty path
/// is the current folder.
pub(crate) fn sync_folder(dir: &Path) -> Result<()> {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    fs::File::open(dir).and_then(|folder| folder.sync_all()).map_err(|e| Error::io("flush", dir, e))
}

/// The temporary name of `path` while this process writes it:
/// `.STEM.partial-PID-N.EXT` beside it. The process id and a counter keep
/// two writers (two app instances, two threads) off each other's files; the
/// extension is kept because image writers choose the format by it.
pub fn temporary_name(path: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut name = format!(".{stem}.partial-{}-{n}", std::process::id());
    if let Some(extension) = path.extension() {
        name.push('.');
        name.push_str(&extension.to_string_lossy());
    }
    path.with_file_name(name)
}

/// Removes the temporary files of `path` that processes which no longer run
/// left behind (a kill during a write); returns how many. Whether a process
/// runs is read from `/proc`: where there is none, nothing is removed.
pub fn remove_stale_temporaries(path: &Path) -> usize {
    let (Some(dir), Some(stem)) = (path.parent(), path.file_stem()) else { return 0 };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let prefix = format!(".{}.partial-", stem.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    let proc_exists = Path::new("/proc/self").exists();
    let mut removed = 0;
    for entry in entries.filter_map(std::result::Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(&prefix).and_then(|rest| rest.split('-').next()) else { continue };
        let stale = proc_exists && pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists();
        if stale && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
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
    fn a_writer_that_fails_midway_leaves_neither_the_file_nor_its_temporary() {
        let dir = std::env::temp_dir().join(format!("xil-cut-{}", std::process::id()));
        prepare_dir(&dir).unwrap();
        let figure = dir.join("figure.png");
        let message = write_through_temporary(&figure, |temporary| {
            assert_eq!(temporary.extension().unwrap(), "png", "the format is chosen by the extension");
            fs::write(temporary, b"\x89PNG half a figure").unwrap();
            Err(Error::draw(temporary, "the plot failed"))
        })
        .unwrap_err()
        .to_string();
        assert!(message.to_string().contains("the plot failed"));
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "no file under any name");
        write_through_temporary(&figure, |temporary| {
            fs::write(temporary, b"whole").map_err(|e| Error::io("write", temporary, e))
        })
        .unwrap();
        assert_eq!(fs::read(&figure).unwrap(), b"whole");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn temporaries_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = std::env::temp_dir().join(format!("xil-stale-{}", std::process::id()));
        prepare_dir(&dir).unwrap();
        let path = dir.join("session.json");
        // Process ids are below 2^22 on Linux: 4,194,304 + 7 never runs.
        let dead = dir.join(".session.partial-4194311-0.json");
        let live = dir.join(format!(".session.partial-{}-0.json", std::process::id()));
        let other = dir.join(".other.partial-4194311-0.json");
        for file in [&dead, &live, &other] {
            fs::write(file, b"{ cut").unwrap();
        }
        assert_eq!(remove_stale_temporaries(&path), 1);
        assert!(!dead.exists() && live.exists() && other.exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unwritable_folder_is_an_error() {
        let file = std::env::temp_dir().join(format!("xil-not-a-dir-{}", std::process::id()));
        fs::write(&file, b"").unwrap();
        let message = prepare_dir(&file.join("sub")).unwrap_err().to_string();
        assert!(message.contains("cannot create output folder"), "{message}");
        fs::remove_file(&file).unwrap();
    }
}
