//! Sweeps: a reproduction's units of work as the jobs of a scheduler, and
//! their outcomes merged into the report `reproduce` writes.
//!
//! A paper's figure is many independent units (folds of settings, runs of
//! seeds; see [`crate::harness::Reproduction`]). On one machine `xil-bench
//! reproduce` runs them all; a sweep lets a cluster's scheduler run each on
//! its own node. The sweep's folder, on a filesystem every node sees:
//!
//! ```text
//! DIR/plan.json        the experiment, its settings and data source, the binary
//! DIR/jobs.jsonl       one line per job: its unit (checked settings, fold or run, seed streams)
//! DIR/sweep.sbatch     a Slurm array job: task i runs job i
//! DIR/run-all.sh       every job on one machine (GNU parallel or xargs)
//! DIR/logs/            the array tasks' output
//! DIR/runs/I/          job I, done: outcome.cbor, job.json, files/ (the unit's own files)
//! DIR/runs/I.running   job I under way: host, process, start
//! DIR/runs/I.error     job I failed: why (no half result)
//! DIR/report/          `sweep merge`: the same folder `reproduce` writes
//! ```
//!
//! - [`mod@plan`]: writes the folder;
//! - [`slurm`]: the array job's resources and the two scripts;
//! - [`job`]: runs one job into `runs/I/` atomically, skipping a finished one;
//! - [`status`]: what is done, running, failed and missing;
//! - [`merge`]: the report from every job's outcome, compared with a
//!   single-process run by [`crate::report::compare`].

pub mod job;
pub mod merge;
pub mod plan;
pub mod slurm;
pub mod status;

pub use plan::{Plan, plan};
pub use slurm::Slurm;
