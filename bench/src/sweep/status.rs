//! `xil-bench sweep status DIR`: which jobs are done, running, failed and
//! missing.
//!
//! A job is done when `runs/I/` holds its outcome, failed when
//! `runs/I.error` says why, running while `runs/I.running` names a process
//! that is alive (checked on this host; a marker from another host is
//! trusted), and missing otherwise: never started, or killed (by `scancel`,
//! a preemption, a time limit) before it finished.

use super::job::{JobRecord, OUTCOME, done_dir, error_file, host, running_file};
use super::plan::{JOBS, PLAN, experiment_of, plan_json};
use crate::error::{Error, Result};
use serde::Serialize;
use std::fs;
use std::path::Path;

/// The state of every job of a sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// The experiment.
    pub experiment: String,
    /// How many jobs the plan has.
    pub jobs: usize,
    /// How many jobs each array task runs.
    pub jobs_per_task: usize,
    /// Finished jobs.
    pub done: Vec<usize>,
    /// Jobs under way: index and where (`host`, process).
    pub running: Vec<(usize, String)>,
    /// Failed jobs: index and the first line of the reason.
    pub failed: Vec<(usize, String)>,
    /// Jobs not started, or stopped before they finished.
    pub missing: Vec<usize>,
}

impl Status {
    /// Whether every job is done.
    pub fn complete(&self) -> bool {
        self.done.len() == self.jobs
    }

    /// The array tasks to submit again: those with a failed or missing
    /// job, in order.
    pub fn to_resubmit(&self) -> Vec<usize> {
        let per_task = self.jobs_per_task.max(1);
        let mut tasks: Vec<usize> =
            self.failed.iter().map(|(i, _)| *i).chain(self.missing.iter().copied()).map(|i| i / per_task).collect();
        tasks.sort_unstable();
        tasks.dedup();
        tasks
    }
}

/// Reads the state of the sweep in `dir`.
///
/// # Errors
/// [`Error::Results`] when `dir` is not a sweep folder.
pub fn status(dir: &Path) -> Result<Status> {
    let plan = plan_json(dir)?;
    let experiment = experiment_of(&plan, dir)?;
    let path = dir.join(JOBS);
    let text = fs::read_to_string(&path).map_err(|e| Error::io("read the sweep's jobs", &path, e))?;
    let jobs = text.lines().filter(|line| !line.trim().is_empty()).count();
    if plan["jobs"].as_u64() != Some(jobs as u64) {
        return Err(Error::Results(format!("{} holds {jobs} jobs, not as many as {PLAN} says", path.display())));
    }
    let jobs_per_task = plan["jobs_per_task"].as_u64().and_then(|n| usize::try_from(n).ok()).unwrap_or(1);
    let this_host = host();
    let mut status = Status {
        experiment,
        jobs,
        jobs_per_task,
        done: Vec::new(),
        running: Vec::new(),
        failed: Vec::new(),
        missing: Vec::new(),
    };
    for index in 0..jobs {
        if done_dir(dir, index).join(OUTCOME).is_file() {
            status.done.push(index);
            continue;
        }
        let running = fs::read_to_string(running_file(dir, index))
            .ok()
            .and_then(|text| serde_json::from_str::<JobRecord>(&text).ok())
            .filter(|record| record.host != this_host || Path::new("/proc").join(record.pid.to_string()).exists());
        if let Some(record) = running {
            let slurm = record.slurm.map_or(String::new(), |id| format!(", Slurm {id}"));
            status.running.push((index, format!("{} process {}{slurm}", record.host, record.pid)));
        } else if let Ok(reason) = fs::read_to_string(error_file(dir, index)) {
            status.failed.push((index, reason.lines().next().unwrap_or_default().to_string()));
        } else {
            status.missing.push(index);
        }
    }
    Ok(status)
}

/// The status for a person: counts, then the running, failed and missing
/// jobs, and the command that submits the rest again.
pub fn describe(dir: &Path, status: &Status) -> String {
    use std::fmt::Write as _;
    let mut text = format!(
        "{} sweep in {}: {} jobs, {} done, {} running, {} failed, {} missing\n",
        status.experiment,
        dir.display(),
        status.jobs,
        status.done.len(),
        status.running.len(),
        status.failed.len(),
        status.missing.len()
    );
    for (index, place) in &status.running {
        let _ = writeln!(text, "  running {index}: {place}");
    }
    for (index, reason) in &status.failed {
        let _ = writeln!(text, "  failed {index}: {reason}");
    }
    let resubmit = status.to_resubmit();
    if !resubmit.is_empty() {
        let list: Vec<String> = resubmit.iter().map(usize::to_string).collect();
        if !status.missing.is_empty() {
            let missing: Vec<String> = status.missing.iter().map(usize::to_string).collect();
            let _ = writeln!(text, "  missing: {}", missing.join(","));
        }
        let _ = writeln!(text, "  to run them again: sbatch --array={} {}/sweep.sbatch", list.join(","), dir.display());
    }
    if status.complete() {
        let _ = writeln!(text, "  all done: xil-bench sweep merge {}", dir.display());
    }
    text
}
