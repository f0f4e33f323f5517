//! `xil-bench sweep merge DIR`: the report of a finished sweep.
//!
//! Every job's own files are laid into one folder as `reproduce` lays them,
//! then the reproduction's merge writes its figures, tables and report from
//! the jobs' outcomes, in the order of the plan. The outcomes keep every
//! bit of every number, so the folder equals a single-process run's except
//! for timings (see [`crate::report::compare`]).

use super::job::{FILES, done_dir, read_outcome};
use super::plan::read_plan;
use super::status::status;
use crate::error::{Error, Result};
use crate::harness::protocol::Reproduction;
use crate::report::files::prepare_dir;
use crate::report::staged::StagedDir;
use std::fs;
use std::path::Path;

/// Merges the finished sweep in `dir` into `out` (built aside and put in
/// place whole); returns the runs' summaries.
///
/// # Errors
/// [`Error::Results`] listing the jobs that are not done; an outcome or a
/// file that cannot be read or written.
pub fn merge<R: Reproduction>(dir: &Path, out: &Path) -> Result<Vec<serde_json::Value>> {
    let plan = read_plan::<R>(dir)?;
    let state = status(dir)?;
    if !state.complete() {
        let not_done: Vec<String> =
            (0..state.jobs).filter(|i| !state.done.contains(i)).map(|i| i.to_string()).collect();
        return Err(Error::Results(format!(
            "{} of {} jobs are not done ({}); see `xil-bench sweep status {}`",
            not_done.len(),
            state.jobs,
            not_done.join(","),
            dir.display()
        )));
    }
    let units = R::units(&plan.settings)?;
    let staged = StagedDir::begin(out)?;
    let mut outcomes = Vec::with_capacity(units.len());
    for (index, unit) in units.into_iter().enumerate() {
        copy_tree(&done_dir(dir, index).join(FILES), staged.path())?;
        outcomes.push((unit, read_outcome::<R>(dir, index)?));
    }
    let runs = R::merge(staged.path(), &plan.settings, outcomes)?;
    staged.commit()?;
    Ok(runs)
}

/// Copies every file under `from` to the same place under `to`, making
/// folders as needed.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    prepare_dir(to)?;
    let entries = fs::read_dir(from).map_err(|e| Error::io("read", from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read", from, e))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().map_err(|e| Error::io("read", &source, e))?.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            fs::copy(&source, &target).map_err(|e| Error::io("copy into the report", &target, e))?;
        }
    }
    Ok(())
}
