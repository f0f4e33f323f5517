//! `xil-bench sweep run DIR --index I`: one job of a sweep, as an array task
//! runs it.
//!
//! The job is built in a folder of its own process beside `runs/I/` and
//! renamed into place once whole, so `runs/I/` exists only for a finished
//! job; a requeued or preempted task that finds it does nothing. A job that
//! fails leaves `runs/I.error` with the reason and no result; one that is
//! killed leaves only its marker and its unfinished folder, which the next
//! run of the job on the same host removes.

use super::plan::{RUNS, read_job, read_plan};
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

/// Runs job `index` of the sweep in `dir` (see the module's documentation).
///
/// # Errors
/// A plan or job that cannot be read (nothing is written then), or the
/// job's own failure (written to `runs/I.error` too).
pub fn run<R: Reproduction>(dir: &Path, index: usize) -> Result<JobRun> {
    let plan = read_plan::<R>(dir)?;
    let unit = read_job::<R>(dir, &plan, index)?;
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
    let result = build::<R>(&building, &plan.settings, &plan.source, &unit, &mut record).and_then(|seconds| {
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

/// Loads the data, runs the unit into `building/files`, and writes its
/// outcome and record beside; returns the unit's wall seconds.
fn build<R: Reproduction>(
    building: &Path,
    settings: &R::Settings,
    source: &R::Source,
    unit: &R::Unit,
    record: &mut JobRecord,
) -> Result<f64> {
    let files = building.join(FILES);
    prepare_dir(&files)?;
    let data = R::load(settings, source)?;
    let started = Instant::now();
    let outcome = R::run_unit(&files, settings, &data, unit, &|| {})?;
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
/// [`Error::Sweep`] naming the file when it is missing or not `R`'s.
pub fn read_outcome<R: Reproduction>(dir: &Path, index: usize) -> Result<R::Outcome> {
    let path = done_dir(dir, index).join(OUTCOME);
    let file = fs::File::open(&path).map_err(|e| Error::io("read the outcome of a job", &path, e))?;
    ciborium::from_reader(std::io::BufReader::new(file))
        .map_err(|e| Error::Results(format!("{}: not an outcome of {}: {e}", path.display(), R::NAME)))
}
