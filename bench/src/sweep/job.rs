//! `xil-bench sweep run DIR --index I`: the job (or jobs) of array task
//! `I` of a sweep.
//!
//! The job is built in a folder of its own process beside `runs/I/` and
//! renamed into place once whole, so `runs/I/` exists only for a finished
//! job; a requeued or preempted task that finds it does nothing. A job that
//! fails leaves `runs/I.error` with the reason and no result; one that is
//! killed leaves only its marker and its unfinished folder, which the next
//! run of the job on the same host removes.

use super::plan::{Plan, RUNS, read_jobs, read_plan};
use crate::error::{Error, Result};
use crate::harness::protocol::Reproduction;
use crate::report::files::{prepare_dir, write_atomically};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Where a job runs and since when: `runs/I.running` while it runs, and
/// `job.json` (with its wall time) once done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// The job.
    pub index: usize,
    /// The machine.
    pub host: String,
    /// The process.
    pub pid: u32,
    /// Seconds since 1970 when it started.
    pub started: u64,
    /// Slurm's job and array task ids, when run by Slurm.
    pub slurm: Option<String>,
    /// Wall seconds of the unit (without loading the data), once done.
    pub seconds: Option<f64>,
}

/// What `sweep run` did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JobRun {
    /// The job ran; its unit took this many wall seconds.
    Ran(f64),
    /// The job was done already (by an earlier task or another process).
    Skipped,
}

/// The folder of a finished job.
pub fn done_dir(dir: &Path, index: usize) -> PathBuf {
    dir.join(RUNS).join(index.to_string())
}

/// The marker of a job under way.
pub fn running_file(dir: &Path, index: usize) -> PathBuf {
    dir.join(RUNS).join(format!("{index}.running"))
}

/// The reason a job failed.
pub fn error_file(dir: &Path, index: usize) -> PathBuf {
    dir.join(RUNS).join(format!("{index}.error"))
}

/// The outcome a finished job hands to the merge.
pub const OUTCOME: &str = "outcome.cbor";
/// A finished job's own files, laid out as in the report.
pub const FILES: &str = "files";

/// This machine's name, as the kernel gives it.
pub fn host() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_string())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "unknown-host".into())
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Runs the jobs of array task `task` of the sweep in `dir` (job `task`,
/// or with [`Plan::jobs_per_task`] `N` jobs `task * N` to `task * N + N - 1`),
/// loading the data once for all of them; returns what each job did. A job
/// that fails does not stop the others.
///
/// # Errors
/// A plan or job that cannot be read (nothing is written then), or the first
/// failed job's error (every failure is written to its `runs/I.error`).
pub fn run_task<R: Reproduction>(dir: &Path, task: usize) -> Result<Vec<(usize, JobRun)>> {
    let plan = read_plan::<R>(dir)?;
    let indices = plan.task_jobs(task).ok_or_else(|| {
        Error::Settings(format!(
            "--index {task}: the sweep in {} has array tasks 0 to {}",
            dir.display(),
            plan.tasks().saturating_sub(1)
        ))
    })?;
    let units = read_jobs::<R>(dir, &plan, indices.clone())?;
    let mut data = None;
    let mut ran = Vec::new();
    let mut first_error = None;
    for (index, unit) in indices.zip(&units) {
        match run_job::<R>(dir, &plan, index, unit, &mut data) {
            Ok(run) => ran.push((index, run)),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    first_error.map_or(Ok(ran), Err)
}

/// Runs job `index` into `runs/I/` (see the module's documentation);
/// `data` is loaded on first use and kept for the task's next jobs.
fn run_job<R: Reproduction>(
    dir: &Path,
    plan: &Plan<R::Settings, R::Source>,
    index: usize,
    unit: &R::Unit,
    data: &mut Option<R::Data>,
) -> Result<JobRun> {
    let done = done_dir(dir, index);
    if done.join(OUTCOME).is_file() {
        return Ok(JobRun::Skipped);
    }
    let host = host();
    remove_unfinished(dir, index, &host);
    let slurm = std::env::var("SLURM_ARRAY_JOB_ID")
        .ok()
        .map(|job| format!("{job}_{}", std::env::var("SLURM_ARRAY_TASK_ID").unwrap_or_default()));
    let mut record =
        JobRecord { index, host: host.clone(), pid: std::process::id(), started: now(), slurm, seconds: None };
    let running = running_file(dir, index);
    write_atomically(&running, &json_bytes(&record)?)?;
    let building = dir.join(RUNS).join(format!(".{index}.partial-{host}-{}", std::process::id()));
    let result = build::<R>(&building, plan, unit, data, &mut record).and_then(|seconds| {
        match fs::rename(&building, &done) {
            Ok(()) => Ok(JobRun::Ran(seconds)),
            // Another task finished the job first; its result stands.
            Err(_) if done.join(OUTCOME).is_file() => Ok(JobRun::Skipped),
            Err(e) => Err(Error::io("put in place", &done, e)),
        }
    });
    let _ = fs::remove_dir_all(&building);
    let _ = fs::remove_file(&running);
    match &result {
        Ok(_) => {
            let _ = fs::remove_file(error_file(dir, index));
        }
        Err(error) => {
            let text = format!("job {index} failed on {host} (process {}): {error}\n", std::process::id());
            write_atomically(&error_file(dir, index), text.as_bytes())?;
        }
    }
    result
}

/// Loads the data if no job of the task has, runs the unit into
/// `building/files`, and writes its outcome and record beside; returns the
/// unit's wall seconds.
fn build<R: Reproduction>(
    building: &Path,
    plan: &Plan<R::Settings, R::Source>,
    unit: &R::Unit,
    data: &mut Option<R::Data>,
    record: &mut JobRecord,
) -> Result<f64> {
    let files = building.join(FILES);
    prepare_dir(&files)?;
    let data = match data {
        Some(data) => data,
        None => data.insert(R::load(&plan.settings, &plan.source)?),
    };
    let started = Instant::now();
    let outcome = R::run_unit(&files, &plan.settings, data, unit, &|| {})?;
    let seconds = started.elapsed().as_secs_f64();
    let mut bytes = Vec::new();
    ciborium::into_writer(&outcome, &mut bytes)
        .map_err(|e| Error::Results(format!("cannot encode job {}'s outcome: {e}", record.index)))?;
    write_atomically(&building.join(OUTCOME), &bytes)?;
    record.seconds = Some(seconds);
    write_atomically(&building.join("job.json"), &json_bytes(record)?)?;
    Ok(seconds)
}

fn json_bytes(record: &JobRecord) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(record)
        .map_err(|e| Error::Results(format!("cannot write job {}'s record: {e}", record.index)))
}

/// Removes what killed runs of job `index` on this host left half built.
fn remove_unfinished(dir: &Path, index: usize, host: &str) {
    let prefix = format!(".{index}.partial-{host}-");
    let Ok(entries) = fs::read_dir(dir.join(RUNS)) else { return };
    for entry in entries.filter_map(std::result::Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(&prefix) else { continue };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Job `index`'s outcome, as its run stored it.
///
/// # Errors
/// [`Error::Results`] naming the file when it is missing or not `R`'s.
pub fn read_outcome<R: Reproduction>(dir: &Path, index: usize) -> Result<R::Outcome> {
    let path = done_dir(dir, index).join(OUTCOME);
    let file = fs::File::open(&path).map_err(|e| Error::io("read the outcome of a job", &path, e))?;
    ciborium::from_reader(std::io::BufReader::new(file))
        .map_err(|e| Error::Results(format!("{}: not an outcome of {}: {e}", path.display(), R::NAME)))
}
