//! `xil-bench sweep plan`: a reproduction's units written as a sweep's jobs.

use super::slurm::{Slurm, run_all_script, sbatch_script};
use crate::error::{Error, Result};
use crate::harness::protocol::Reproduction;
use crate::report::files::{prepare_dir, write_atomically};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

/// A sweep's `plan.json`: what every job of the folder belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan<S, O> {
    /// The experiment, as `reproduce` names it.
    pub experiment: String,
    /// What the reproduction is asked for (scale, seed, variants).
    pub settings: S,
    /// Where its data comes from.
    pub source: O,
    /// How many jobs `jobs.jsonl` holds.
    pub jobs: usize,
    /// How many jobs each array task runs one after another (1: task i is
    /// job i).
    pub jobs_per_task: usize,
    /// The version of xil-bench that planned it.
    pub version: String,
    /// The binary the scripts call (overridden by `$XIL_BENCH`).
    pub binary: PathBuf,
}

impl<S, O> Plan<S, O> {
    /// How many array tasks run the jobs.
    pub fn tasks(&self) -> usize {
        self.jobs.div_ceil(self.jobs_per_task.max(1))
    }

    /// The jobs of array task `task`, when there is such a task.
    pub fn task_jobs(&self, task: usize) -> Option<std::ops::Range<usize>> {
        let per_task = self.jobs_per_task.max(1);
        let first = task.checked_mul(per_task).filter(|&first| first < self.jobs)?;
        Some(first..first.saturating_add(per_task).min(self.jobs))
    }
}

/// A line of `jobs.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobLine<U> {
    /// The job's index: its array task id.
    pub index: usize,
    /// The experiment.
    pub experiment: String,
    /// The unit of work.
    pub unit: U,
}

/// The files of a sweep folder.
pub(crate) const PLAN: &str = "plan.json";
pub(crate) const JOBS: &str = "jobs.jsonl";
pub(crate) const RUNS: &str = "runs";
pub(crate) const LOGS: &str = "logs";

/// Plans a sweep of `R` into `dir` (absolute or made so): `plan.json`,
/// `jobs.jsonl`, `sweep.sbatch`, `run-all.sh` and the empty `runs/` and
/// `logs/`. A folder that holds a plan already is refused, so no finished
/// job is mixed with another plan's.
///
/// # Errors
/// [`Error::Settings`] naming `--out` or a Slurm option that cannot work, a
/// unit whose settings fail their check, or a file that cannot be written.
pub fn plan<R: Reproduction>(
    dir: &Path,
    settings: &R::Settings,
    source: &R::Source,
    slurm: &Slurm,
) -> Result<Plan<R::Settings, R::Source>>
where
    R::Settings: Clone,
    R::Source: Clone,
{
    slurm.check()?;
    let dir = absolute(dir)?;
    if dir.join(PLAN).exists() {
        return Err(Error::Settings(format!(
            "--out {} holds a sweep already; name a new folder (or `sweep run` / `merge` that one)",
            dir.display()
        )));
    }
    let units = R::units(settings)?;
    if units.is_empty() {
        return Err(Error::Settings(format!("{} has no units of work at these settings", R::NAME)));
    }
    let binary =
        std::env::current_exe().map_err(|e| Error::io("find the running binary", Path::new("xil-bench"), e))?;
    prepare_dir(&dir)?;
    prepare_dir(&dir.join(RUNS))?;
    prepare_dir(&dir.join(LOGS))?;
    let mut jobs = String::new();
    for (index, unit) in units.iter().enumerate() {
        let line = JobLine { index, experiment: R::NAME.to_string(), unit };
        jobs.push_str(
            &serde_json::to_string(&line).map_err(|e| Error::Results(format!("cannot write job {index}: {e}")))?,
        );
        jobs.push('\n');
    }
    write_atomically(&dir.join(JOBS), jobs.as_bytes())?;
    let plan = Plan {
        experiment: R::NAME.to_string(),
        settings: settings.clone(),
        source: source.clone(),
        jobs: units.len(),
        jobs_per_task: slurm.jobs_per_task,
        version: env!("CARGO_PKG_VERSION").to_string(),
        binary,
    };
    write_atomically(&dir.join("sweep.sbatch"), sbatch_script(R::NAME, &dir, &plan, slurm).as_bytes())?;
    write_atomically(&dir.join("run-all.sh"), run_all_script(R::NAME, &dir, &plan).as_bytes())?;
    let text =
        serde_json::to_string_pretty(&plan).map_err(|e| Error::Results(format!("cannot write the plan: {e}")))?;
    // The plan last: a folder with a plan.json is whole.
    write_atomically(&dir.join(PLAN), format!("{text}\n").as_bytes())?;
    Ok(plan)
}

/// `dir` as an absolute path without `.` or `..` (the scripts run from any
/// folder), refused when Slurm or the shell scripts could not quote it.
///
/// # Errors
/// [`Error::Settings`] naming `--out` when the path cannot be used.
pub fn absolute(dir: &Path) -> Result<PathBuf> {
    let joined = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir().map_err(|e| Error::io("find the current folder for", dir, e))?.join(dir)
    };
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    let text = clean.to_string_lossy();
    if text.chars().any(|c| c.is_whitespace() || matches!(c, '%' | '\'' | '"' | '\\' | '$' | '`')) {
        return Err(Error::Settings(format!(
            "--out {}: a sweep folder's path may not hold spaces, quotes, %, $, ` or \\ (Slurm's #SBATCH lines \
             cannot quote them)",
            dir.display()
        )));
    }
    Ok(clean)
}

/// Reads a sweep's `plan.json` as `R`'s.
///
/// # Errors
/// [`Error::Results`] naming the file when it is missing, of another
/// experiment or not readable as `R`'s plan.
pub fn read_plan<R: Reproduction>(dir: &Path) -> Result<Plan<R::Settings, R::Source>> {
    let path = dir.join(PLAN);
    let text = fs::read_to_string(&path).map_err(|e| Error::io("read the sweep's plan", &path, e))?;
    let plan: Plan<R::Settings, R::Source> = serde_json::from_str(&text)
        .map_err(|e| Error::Results(format!("{} is not a plan of {}: {e}", path.display(), R::NAME)))?;
    if plan.experiment != R::NAME {
        return Err(Error::Results(format!("{} plans {}, not {}", path.display(), plan.experiment, R::NAME)));
    }
    Ok(plan)
}

/// A sweep's `plan.json` as JSON, whatever its experiment.
///
/// # Errors
/// [`Error::Results`] naming the folder or file when it is missing or not
/// JSON.
pub fn plan_json(dir: &Path) -> Result<serde_json::Value> {
    let path = dir.join(PLAN);
    let text = fs::read_to_string(&path).map_err(|_| {
        Error::Results(format!(
            "{} is not a sweep folder: it has no {PLAN} (see `xil-bench sweep plan`)",
            dir.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Results(format!("{} is not JSON: {e}", path.display())))
}

/// The experiment a sweep's `plan.json` names.
///
/// # Errors
/// [`Error::Results`] naming the file when it names none.
pub fn experiment_of(plan: &serde_json::Value, dir: &Path) -> Result<String> {
    plan["experiment"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| Error::Results(format!("{} names no experiment", dir.join(PLAN).display())))
}

/// Jobs `indices` of a sweep's `jobs.jsonl`, checked against the units this
/// binary plans for the same settings (so that a binary that would run
/// other work, or an edited file, is caught before any work is done).
///
/// # Errors
/// [`Error::Results`] naming the file and line.
pub fn read_jobs<R: Reproduction>(
    dir: &Path,
    plan: &Plan<R::Settings, R::Source>,
    indices: std::ops::Range<usize>,
) -> Result<Vec<R::Unit>> {
    let path = dir.join(JOBS);
    let text = fs::read_to_string(&path).map_err(|e| Error::io("read the sweep's jobs", &path, e))?;
    let lines: Vec<&str> = text.lines().collect();
    let planned = R::units(&plan.settings)?;
    indices
        .map(|index| {
            let line = lines
                .get(index)
                .ok_or_else(|| Error::Results(format!("{} has no line for job {index}", path.display())))?;
            let job: JobLine<R::Unit> = serde_json::from_str(line).map_err(|e| {
                Error::Results(format!("{} line {}: not a job of {}: {e}", path.display(), index + 1, R::NAME))
            })?;
            if job.index != index || planned.len() != plan.jobs || planned.get(index) != Some(&job.unit) {
                return Err(Error::Results(format!(
                    "{} line {}: this xil-bench ({}) plans other work for job {index} than the one that wrote it \
                     ({}); plan the sweep again with one binary",
                    path.display(),
                    index + 1,
                    env!("CARGO_PKG_VERSION"),
                    plan.version
                )));
            }
            Ok(job.unit)
        })
        .collect()
}
