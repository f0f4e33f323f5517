//! `xil-bench sweep`: a reproduction as a sweep of jobs (see
//! [`xil_bench::sweep`]).

use super::reproduce::{Experiment, WithExperiment};
use super::run::print_reproduction;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::time::Instant;
use xil_bench::Result;
use xil_bench::harness::Reproduction;
use xil_bench::protocols::reproductions::{WithReproduction, by_name};
use xil_bench::sweep::job::{self, JobRun};
use xil_bench::sweep::plan::{absolute, experiment_of, plan_json};
use xil_bench::sweep::{Slurm, merge, status};

/// The resources of each Slurm array task (`sweep.sbatch`'s `#SBATCH`
/// lines; options given to `sbatch` itself override them).
#[derive(clap::Args)]
pub struct SlurmArgs {
    /// Wall-clock limit per task, as Slurm writes it.
    #[arg(long, global = true, default_value = "04:00:00")]
    time: String,
    /// Cores per task; each job runs as many threads.
    #[arg(long, global = true, default_value_t = 2)]
    cpus_per_task: usize,
    /// Memory per task.
    #[arg(long, global = true, default_value = "4G")]
    mem: String,
    /// At most this many tasks at once (Slurm's --array=0-N%MAX).
    #[arg(long, global = true)]
    max_running: Option<usize>,
    /// Jobs each array task runs one after another, loading the data once: for jobs of seconds, which
    /// would otherwise each pay a task's start.
    #[arg(long, global = true, default_value_t = 1)]
    jobs_per_task: usize,
    /// The partition to run in.
    #[arg(long, global = true)]
    partition: Option<String>,
    /// The account to charge.
    #[arg(long, global = true)]
    account: Option<String>,
    /// A further #SBATCH option as --name=value (repeatable), e.g. --sbatch-option=--qos=low.
    #[arg(long = "sbatch-option", global = true, allow_hyphen_values = true)]
    extra: Vec<String>,
}

#[derive(Subcommand)]
pub enum SweepCommand {
    /// Write a sweep folder: plan.json, jobs.jsonl (one unit of work per line), sweep.sbatch (a Slurm array
    /// job) and run-all.sh (the same jobs without a scheduler). Takes the options of `reproduce`; --out is
    /// the sweep's folder, on a filesystem every node sees.
    Plan {
        #[command(flatten)]
        slurm: SlurmArgs,
        #[command(subcommand)]
        experiment: Experiment,
    },
    /// Run array task INDEX: job INDEX into DIR/runs/INDEX/ (with --jobs-per-task N in the plan, jobs
    /// INDEX*N to INDEX*N+N-1); a finished job is skipped, a failed one leaves DIR/runs/<job>.error.
    Run {
        /// The sweep's folder.
        dir: PathBuf,
        /// The array task: Slurm's `$SLURM_ARRAY_TASK_ID`.
        #[arg(long)]
        index: usize,
    },
    /// Which jobs are done, running, failed or missing, and the sbatch command that runs the rest.
    Status {
        /// The sweep's folder.
        dir: PathBuf,
    },
    /// The report `reproduce` writes, from every job's outcome (every job must be done).
    Merge {
        /// The sweep's folder.
        dir: PathBuf,
        /// Where the report goes (default DIR/report).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

impl SweepCommand {
    /// Runs the subcommand.
    ///
    /// # Errors
    /// The first failing step's error.
    pub fn run(self) -> Result<()> {
        match self {
            SweepCommand::Plan { slurm, experiment } => {
                let slurm = Slurm {
                    time: slurm.time,
                    cpus_per_task: slurm.cpus_per_task,
                    mem: slurm.mem,
                    max_running: slurm.max_running,
                    jobs_per_task: slurm.jobs_per_task,
                    partition: slurm.partition,
                    account: slurm.account,
                    extra: slurm.extra,
                };
                experiment.dispatch(PlanSweep(slurm))
            }
            SweepCommand::Run { dir, index } => {
                by_name(&experiment_of(&plan_json(&dir)?, &dir)?, RunJob { dir: &dir, index })?
            }
            SweepCommand::Status { dir } => {
                let state = status::status(&dir)?;
                eprint!("{}", status::describe(&dir, &state));
                println!("{}", serde_json::to_string(&state).unwrap_or_default());
                Ok(())
            }
            SweepCommand::Merge { dir, out } => {
                let out = out.unwrap_or_else(|| dir.join("report"));
                by_name(&experiment_of(&plan_json(&dir)?, &dir)?, Merge { dir: &dir, out: &out })?
            }
        }
    }
}

/// `sweep plan`.
struct PlanSweep(Slurm);

impl WithExperiment for PlanSweep {
    fn with<R: Reproduction>(self, settings: &R::Settings, source: &R::Source, out: &Path) -> Result<()> {
        let plan = xil_bench::sweep::plan::<R>(out, settings, source, &self.0)?;
        let dir = absolute(out)?;
        eprintln!(
            "planned {} jobs of {} as {} array tasks in {}: sbatch {}/sweep.sbatch (a cluster) or sh {}/run-all.sh \
             (this machine)",
            plan.jobs,
            R::NAME,
            plan.tasks(),
            dir.display(),
            dir.display(),
            dir.display()
        );
        println!(
            "{}",
            serde_json::json!({ "experiment": R::NAME, "jobs": plan.jobs, "tasks": plan.tasks(), "dir": dir })
        );
        Ok(())
    }
}

/// `sweep run`.
struct RunJob<'a> {
    dir: &'a Path,
    index: usize,
}

impl WithReproduction for RunJob<'_> {
    type Output = Result<()>;

    fn with<R: Reproduction>(self) -> Result<()> {
        let dir = self.dir;
        for (index, run) in job::run_task::<R>(dir, self.index)? {
            match run {
                JobRun::Ran(seconds) => {
                    eprintln!("job {index} of {}: {} done in {seconds:.1} s", dir.display(), R::NAME);
                    println!("{}", serde_json::json!({ "index": index, "ran": true, "seconds": seconds }));
                }
                JobRun::Skipped => {
                    eprintln!("job {index} of {}: done already, skipped", dir.display());
                    println!("{}", serde_json::json!({ "index": index, "ran": false }));
                }
            }
        }
        Ok(())
    }
}

/// `sweep merge`.
struct Merge<'a> {
    dir: &'a Path,
    out: &'a Path,
}

impl WithReproduction for Merge<'_> {
    type Output = Result<()>;

    fn with<R: Reproduction>(self) -> Result<()> {
        let started = Instant::now();
        let runs = merge::merge::<R>(self.dir, self.out)?;
        print_reproduction(self.out, started.elapsed().as_secs_f64(), &runs);
        Ok(())
    }
}
