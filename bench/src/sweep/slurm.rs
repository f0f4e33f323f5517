//! The array job a sweep hands to Slurm, and the same jobs without a
//! scheduler.
//!
//! `sweep.sbatch` is a plain batch script: its `#SBATCH` lines hold the
//! resources given to `sweep plan` and any option on `sbatch`'s command line
//! overrides them (`sbatch --array=3,7 sweep.sbatch` runs only jobs 3 and 7;
//! `--partition`, `--account`, `--qos` as a cluster wants). Every array task
//! runs one job with as many threads as Slurm gave it cores.

use super::plan::Plan;
use crate::error::{Error, Result};
use std::fmt::Write as _;
use std::path::Path;

/// The resources of each array task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slurm {
    /// Wall-clock limit per task, as Slurm writes it (`01:00:00`, `2-00:00:00`, `90`).
    pub time: String,
    /// Cores per task; the job uses as many threads.
    pub cpus_per_task: usize,
    /// Memory per task (`4G`, `500M`).
    pub mem: String,
    /// At most this many tasks at once (`--array=0-N%max`), unlimited when `None`.
    pub max_running: Option<usize>,
    /// Jobs each task runs one after another, loading the data once (for
    /// jobs of seconds, which would otherwise pay a task's start each).
    pub jobs_per_task: usize,
    /// The partition, when the cluster wants one named.
    pub partition: Option<String>,
    /// The account to charge, when the cluster wants one.
    pub account: Option<String>,
    /// Further `#SBATCH` options, each as `--name=value`.
    pub extra: Vec<String>,
}

impl Default for Slurm {
    fn default() -> Self {
        Self {
            time: "04:00:00".into(),
            cpus_per_task: 2,
            mem: "4G".into(),
            max_running: None,
            jobs_per_task: 1,
            partition: None,
            account: None,
            extra: Vec::new(),
        }
    }
}

impl Slurm {
    /// Checks every option as Slurm would read it.
    ///
    /// # Errors
    /// [`Error::Settings`] naming the first option Slurm would refuse.
    pub fn check(&self) -> Result<()> {
        let time_ok = !self.time.is_empty()
            && self.time.chars().all(|c| c.is_ascii_digit() || c == ':' || c == '-')
            && self.time.split([':', '-']).all(|part| !part.is_empty() && part.len() <= 3);
        if !time_ok {
            return Err(Error::Settings(format!(
                "--time {}: Slurm's limits look like 90, 01:30:00 or 2-00:00:00",
                self.time
            )));
        }
        if self.cpus_per_task == 0 {
            return Err(Error::Settings("--cpus-per-task 0: a task needs at least one core".into()));
        }
        let digits = self.mem.trim_end_matches(['K', 'M', 'G', 'T']);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || self.mem.len() > digits.len() + 1 {
            return Err(Error::Settings(format!("--mem {}: Slurm's memory looks like 4G, 500M or 4096", self.mem)));
        }
        if self.jobs_per_task == 0 {
            return Err(Error::Settings("--jobs-per-task 0: a task runs at least one job".into()));
        }
        if self.max_running == Some(0) {
            return Err(Error::Settings("--max-running 0: at least one task must run".into()));
        }
        let plain = |name: &str, value: &str| {
            if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c == '\'' || c == '"') {
                Err(Error::Settings(format!("--{name} {value:?}: one word without quotes")))
            } else {
                Ok(())
            }
        };
        for (name, value) in [("partition", &self.partition), ("account", &self.account)] {
            if let Some(value) = value {
                plain(name, value)?;
            }
        }
        for option in &self.extra {
            plain("sbatch-option", option)?;
            if !option.starts_with("--") {
                return Err(Error::Settings(format!("--sbatch-option {option}: write it as sbatch's --name=value")));
            }
        }
        Ok(())
    }
}

/// `sweep.sbatch` of the sweep `plan` in `dir`.
pub fn sbatch_script<S, O>(experiment: &str, dir: &Path, plan: &Plan<S, O>, slurm: &Slurm) -> String {
    let dir = dir.display();
    let (jobs, last, binary) = (plan.jobs, plan.tasks().saturating_sub(1), plan.binary.display());
    let per_task = if plan.jobs_per_task > 1 {
        format!(", array task i runs jobs {0}i to {0}i + {1}", plan.jobs_per_task, plan.jobs_per_task - 1)
    } else {
        ", array task i runs job i".into()
    };
    let throttle = slurm.max_running.map_or(String::new(), |max| format!("%{max}"));
    let mut text = format!(
        "#!/bin/bash\n\
         # The {experiment} sweep planned by xil-bench {}: {jobs} jobs{per_task}.\n\
         # Submit: sbatch {dir}/sweep.sbatch. Finished jobs are skipped, so submitting again (or\n\
         # sbatch --array=3,7 {dir}/sweep.sbatch for the tasks `xil-bench sweep status` lists) is safe.\n\
         #SBATCH --job-name=xil-{experiment}\n\
         #SBATCH --array=0-{last}{throttle}\n\
         #SBATCH --cpus-per-task={}\n\
         #SBATCH --mem={}\n\
         #SBATCH --time={}\n\
         #SBATCH --output={dir}/logs/%A_%a.out\n",
        env!("CARGO_PKG_VERSION"),
        slurm.cpus_per_task,
        slurm.mem,
        slurm.time
    );
    if let Some(partition) = &slurm.partition {
        let _ = writeln!(text, "#SBATCH --partition={partition}");
    }
    if let Some(account) = &slurm.account {
        let _ = writeln!(text, "#SBATCH --account={account}");
    }
    for option in &slurm.extra {
        let _ = writeln!(text, "#SBATCH {option}");
    }
    let _ = write!(
        text,
        "\nexport RAYON_NUM_THREADS=\"${{SLURM_CPUS_PER_TASK:-1}}\"\n\
         exec \"${{XIL_BENCH:-{binary}}}\" sweep run '{dir}' --index \"$SLURM_ARRAY_TASK_ID\"\n"
    );
    text
}

/// `run-all.sh`: every array task of `plan` on this machine, `$JOBS` at a
/// time.
pub fn run_all_script<S, O>(experiment: &str, dir: &Path, plan: &Plan<S, O>) -> String {
    let dir = dir.display();
    let (jobs, last, binary) = (plan.jobs, plan.tasks().saturating_sub(1), plan.binary.display());
    format!(
        "#!/bin/sh\n\
         # Runs the {jobs} jobs of this {experiment} sweep on this machine, $JOBS at a time (default 1:\n\
         # each job uses every core), with GNU parallel when it is installed, else xargs. Finished jobs\n\
         # are skipped, so running it again finishes what is left.\n\
         set -eu\n\
         XIL_BENCH=\"${{XIL_BENCH:-{binary}}}\"\n\
         JOBS=\"${{JOBS:-1}}\"\n\
         if command -v parallel >/dev/null 2>&1; then\n  \
           seq 0 {last} | parallel --will-cite -j \"$JOBS\" \"$XIL_BENCH\" sweep run '{dir}' --index {{}} || true\n\
         else\n  \
           seq 0 {last} | xargs -P \"$JOBS\" -I{{}} \"$XIL_BENCH\" sweep run '{dir}' --index {{}} || true\n\
         fi\n\
         exec \"$XIL_BENCH\" sweep status '{dir}'\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slurm_options_are_checked_as_slurm_reads_them() {
        assert!(Slurm::default().check().is_ok());
        for (slurm, option) in [
            (Slurm { time: "1h".into(), ..Slurm::default() }, "--time"),
            (Slurm { time: "01::00".into(), ..Slurm::default() }, "--time"),
            (Slurm { cpus_per_task: 0, ..Slurm::default() }, "--cpus-per-task"),
            (Slurm { mem: "4GB".into(), ..Slurm::default() }, "--mem"),
            (Slurm { max_running: Some(0), ..Slurm::default() }, "--max-running"),
            (Slurm { jobs_per_task: 0, ..Slurm::default() }, "--jobs-per-task"),
            (Slurm { partition: Some("gpu nodes".into()), ..Slurm::default() }, "--partition"),
            (Slurm { extra: vec!["qos=low".into()], ..Slurm::default() }, "--sbatch-option"),
        ] {
            let message = slurm.check().unwrap_err().to_string();
            assert!(message.starts_with(option), "{option}: {message}");
        }
        assert!(Slurm { time: "2-00:00:00".into(), mem: "4096".into(), ..Slurm::default() }.check().is_ok());
    }

    #[test]
    fn the_array_covers_every_job_with_the_resources_asked() {
        let slurm = Slurm {
            max_running: Some(4),
            partition: Some("short".into()),
            extra: vec!["--qos=low".into()],
            ..Slurm::default()
        };
        let plan = Plan {
            experiment: "cali".into(),
            settings: (),
            source: (),
            jobs: 16,
            jobs_per_task: 1,
            version: "0".into(),
            binary: "/opt/xil-bench".into(),
        };
        let text = sbatch_script("cali", Path::new("/shared/sweep"), &plan, &slurm);
        for line in [
            "#SBATCH --array=0-15%4",
            "#SBATCH --cpus-per-task=2",
            "#SBATCH --mem=4G",
            "#SBATCH --time=04:00:00",
            "#SBATCH --output=/shared/sweep/logs/%A_%a.out",
            "#SBATCH --partition=short",
            "#SBATCH --qos=low",
            "exec \"${XIL_BENCH:-/opt/xil-bench}\" sweep run '/shared/sweep' --index \"$SLURM_ARRAY_TASK_ID\"",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
        let all = run_all_script("cali", Path::new("/shared/sweep"), &plan);
        assert!(all.contains("seq 0 15 |") && all.contains("sweep run '/shared/sweep' --index {}"), "{all}");

        // Three jobs a task: tasks 0 to 5, the last with job 15 alone.
        let packed = Plan { jobs_per_task: 3, ..plan };
        assert_eq!(packed.tasks(), 6);
        assert_eq!(packed.task_jobs(5), Some(15..16));
        assert_eq!(packed.task_jobs(6), None);
        let text = sbatch_script("cali", Path::new("/shared/sweep"), &packed, &slurm);
        assert!(text.lines().any(|l| l == "#SBATCH --array=0-5%4"), "{text}");
        assert!(run_all_script("cali", Path::new("/shared/sweep"), &packed).contains("seq 0 5 |"));
    }
}
