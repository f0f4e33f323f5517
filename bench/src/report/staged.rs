//! A result folder built aside and put in place whole.

use super::files::{prepare_dir, sync_folder, temporary_name, write_atomically};
use crate::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// The file that marks a folder as a finished result of xil-bench: only
/// such a folder, an empty one or none is replaced by a new run.
pub const RESULT_MARKER: &str = ".xil-result";

/// A result folder under construction. Everything is written into a fresh
/// folder beside `out`; [`StagedDir::commit`] flushes it to disk and puts it
/// in place of `out` whole, so `out` holds either the previous result or the
/// new one, never a mix, and a run that fails or is killed leaves only a
/// hidden `.NAME.partial-…` folder (removed on failure; after a kill it is
/// plainly unfinished).
#[derive(Debug)]
pub struct StagedDir {
    out: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl StagedDir {
    /// Starts a result for `out`, which must not exist, be empty, or hold a
    /// previous result (it has [`RESULT_MARKER`]).
    ///
    /// # Errors
    /// A one-line message naming `out` when it is a file, holds files that
    /// are not a xil-bench result, or its folder cannot be written.
    pub fn begin(out: &Path) -> Result<Self> {
        match fs::read_dir(out) {
            Ok(mut entries) => {
                if entries.next().is_some() && !out.join(RESULT_MARKER).is_file() {
                    return Err(Error::Settings(format!(
                        "--out {} holds files that are not a xil-bench result; name a new or empty folder",
                        out.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("use output folder", out, e)),
        }
        let name =
            out.file_name().ok_or_else(|| Error::Settings(format!("--out {} names no folder", out.display())))?;
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        prepare_dir(parent)?;
        let staging = temporary_name(&parent.join(name));
        prepare_dir(&staging)?;
        Ok(Self { out: out.to_path_buf(), staging, committed: false })
    }

    /// Where the run writes its files until [`StagedDir::commit`].
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Marks the result finished, flushes its folders to disk and replaces
    /// `out` with it: the previous result is renamed aside, the new one
    /// renamed into place, then the previous one removed. The files were
    /// flushed as they were written
    /// ([`write_through_temporary`](super::files::write_through_temporary)), so only
    /// the folders' entries are flushed here.
    ///
    /// # Errors
    /// A one-line message naming the folder that could not be flushed or
    /// renamed; the new result then stays in its staging folder, named.
    pub fn commit(mut self) -> Result<()> {
        write_atomically(&self.staging.join(RESULT_MARKER), b"a finished xil-bench result\n")?;
        sync_folders(&self.staging)?;
        let previous = temporary_name(&self.out);
        let replaced = self.out.exists();
        if replaced {
            fs::rename(&self.out, &previous).map_err(|e| Error::io("move aside the previous result", &self.out, e))?;
        }
        fs::rename(&self.staging, &self.out).map_err(|e| Error::io("put in place", &self.out, e))?;
        self.committed = true;
        if let Some(parent) = self.out.parent() {
            sync_folder(parent)?;
        }
        if replaced {
            fs::remove_dir_all(&previous).map_err(|e| Error::io("remove the previous result, now at", &previous, e))?;
        }
        Ok(())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Flushes every folder below `dir`, and `dir` itself (the names of the
/// files and folders they hold).
fn sync_folders(dir: &Path) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read", dir, e))?;
        let path = entry.path();
        if entry.file_type().map_err(|e| Error::io("read", &path, e))?.is_dir() {
            sync_folders(&path)?;
        }
    }
    sync_folder(dir)
}
