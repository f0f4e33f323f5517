//! `xil-bench sweep`: a reproduction planned as jobs, run job by job in any
//! order (one twice, one failing), merged, and compared with the same
//! reproduction run in one process.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xil_bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xil-bench")).args(args).output().expect("xil-bench runs")
}

fn succeeds(args: &[&str]) -> String {
    let output = xil_bench(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?}: {stderr}");
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// Exit code 1 and one line naming what is wrong.
fn fails(args: &[&str]) -> String {
    let output = xil_bench(args);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.lines().last().unwrap_or_default().to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xil-sweep-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn status(dir: &Path) -> serde_json::Value {
    serde_json::from_str(succeeds(&["sweep", "status", dir.to_str().unwrap()]).trim()).unwrap()
}

const COLORS: [&str; 4] = ["caipi-colors", "--quick", "--semantics", "paper"];

#[test]
fn a_merged_sweep_equals_the_single_process_run_except_for_timings() {
    let (single, sweep) = (scratch("single"), scratch("colors"));
    let (single_path, sweep_path) = (single.to_str().unwrap(), sweep.to_str().unwrap());
    succeeds(&[&["reproduce"], &COLORS[..], &["--out", single_path]].concat());
    let planned: serde_json::Value =
        serde_json::from_str(succeeds(&[&["sweep", "plan"], &COLORS[..], &["--out", sweep_path]].concat()).trim())
            .unwrap();
    let jobs = planned["jobs"].as_u64().unwrap() as usize;
    assert_eq!(jobs, 8 * 2, "eight settings of two folds");
    let lines = fs::read_to_string(sweep.join("jobs.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["unit"]["fold"], 0);
    assert_eq!(first["unit"]["stream"], "CaipiFold(0)");
    assert_eq!(first["unit"]["settings"]["lime_samples"], 500);
    let script = fs::read_to_string(sweep.join("sweep.sbatch")).unwrap();
    assert!(script.contains(&format!("#SBATCH --array=0-{}", jobs - 1)), "{script}");

    let message = fails(&["sweep", "merge", sweep_path]);
    assert!(message.contains(&format!("{jobs} of {jobs} jobs are not done")), "{message}");
    // Any order; the last job twice (the second run does nothing).
    for index in (0..jobs).rev() {
        let ran: serde_json::Value =
            serde_json::from_str(succeeds(&["sweep", "run", sweep_path, "--index", &index.to_string()]).trim())
                .unwrap();
        assert_eq!(ran["ran"], true);
    }
    let again: serde_json::Value =
        serde_json::from_str(succeeds(&["sweep", "run", sweep_path, "--index", "0"]).trim()).unwrap();
    assert_eq!(again["ran"], false, "a finished job is skipped");
    assert_eq!(status(&sweep)["done"].as_array().unwrap().len(), jobs);

    succeeds(&["sweep", "merge", sweep_path]);
    let report = sweep.join("report");
    succeeds(&["compare", single_path, report.to_str().unwrap()]);

    // Five jobs a task: four tasks, the data loaded once in each.
    let packed = scratch("packed");
    let packed_path = packed.to_str().unwrap();
    succeeds(&[&["sweep", "plan"], &COLORS[..], &["--out", packed_path, "--jobs-per-task", "5"]].concat());
    for task in 0..4 {
        let lines = succeeds(&["sweep", "run", packed_path, "--index", &task.to_string()]);
        assert_eq!(lines.lines().count(), if task < 3 { 5 } else { 1 }, "task {task}: {lines}");
    }
    succeeds(&["sweep", "merge", packed_path]);
    succeeds(&["compare", single_path, packed.join("report").to_str().unwrap()]);
    fs::remove_dir_all(&packed).unwrap();

    // The comparison can fail: one fold's outcome changed in one number.
    let outcome = sweep.join("runs/3/outcome.cbor");
    let mut rows: ciborium::Value = ciborium::from_reader(fs::File::open(&outcome).unwrap()).unwrap();
    let first_row = rows.as_array_mut().unwrap()[0].as_map_mut().unwrap();
    let f1 = first_row.iter_mut().find(|(key, _)| key.as_text() == Some("running_f1")).unwrap();
    f1.1 = ciborium::Value::Float(f1.1.as_float().unwrap() + 0.25);
    let mut bytes = Vec::new();
    ciborium::into_writer(&rows, &mut bytes).unwrap();
    fs::write(&outcome, bytes).unwrap();
    let tampered = sweep.join("tampered");
    succeeds(&["sweep", "merge", sweep_path, "--out", tampered.to_str().unwrap()]);
    let message = fails(&["compare", single_path, tampered.to_str().unwrap()]);
    assert!(message.contains("differ in"), "{message}");
    for dir in [single, sweep] {
        fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn failed_killed_and_running_jobs_are_told_apart_and_a_failure_leaves_no_result() {
    let sweep = scratch("states");
    let path = sweep.to_str().unwrap();
    let missing_corpus = scratch("no-corpus");
    let corpus = missing_corpus.to_str().unwrap();
    succeeds(&["sweep", "plan", "caipi-text", "--quick", "--corpus", corpus, "--out", path, "--jobs-per-task", "2"]);
    let state = status(&sweep);
    assert_eq!(state["missing"].as_array().unwrap().len(), 4, "{state}");
    assert!(fs::read_to_string(sweep.join("sweep.sbatch")).unwrap().contains("#SBATCH --array=0-1\n"));

    // Task 0 runs jobs 0 and 1; both fail on the missing corpus.
    let message = fails(&["sweep", "run", path, "--index", "0"]);
    assert!(message.contains(corpus), "the data's error names the folder: {message}");
    for job in [0, 1] {
        let reason = fs::read_to_string(sweep.join(format!("runs/{job}.error"))).unwrap();
        assert!(reason.starts_with(&format!("job {job} failed on ")), "{reason}");
        assert!(!sweep.join(format!("runs/{job}")).exists(), "no half result");
    }
    let partial = fs::read_dir(sweep.join("runs"))
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().contains("partial"));
    assert!(!partial, "the unfinished folders are removed");

    // A marker of this (live) process is a running job; of a dead one, a
    // job killed before it finished.
    let marker = |index: usize, pid: u32| {
        let host = fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string();
        let record = serde_json::json!({
            "index": index, "host": host, "pid": pid, "started": 0, "slurm": null, "seconds": null
        });
        fs::write(sweep.join(format!("runs/{index}.running")), record.to_string()).unwrap();
    };
    marker(2, std::process::id());
    marker(3, 4_194_311);
    let state = status(&sweep);
    assert_eq!(state["failed"].as_array().unwrap().len(), 2, "{state}");
    assert_eq!(state["running"][0][0], 2, "{state}");
    assert_eq!(state["missing"], serde_json::json!([3]), "{state}");

    let described = String::from_utf8_lossy(&xil_bench(&["sweep", "status", path]).stderr).to_string();
    assert!(described.contains(&format!("sbatch --array=0,1 {path}/sweep.sbatch")), "{described}");
    fs::remove_dir_all(sweep).unwrap();
}

#[test]
fn a_finished_job_is_skipped_without_loading_its_data() {
    let sweep = scratch("skip");
    let path = sweep.to_str().unwrap();
    let missing_corpus = scratch("skip-no-corpus");
    succeeds(&["sweep", "plan", "caipi-text", "--quick", "--corpus", missing_corpus.to_str().unwrap(), "--out", path]);
    fs::create_dir_all(sweep.join("runs/0")).unwrap();
    fs::write(sweep.join("runs/0/outcome.cbor"), b"").unwrap();
    let again: serde_json::Value =
        serde_json::from_str(succeeds(&["sweep", "run", path, "--index", "0"]).trim()).unwrap();
    assert_eq!(again["ran"], false, "done already: the missing corpus is never read");
    assert!(!sweep.join("runs/0.error").exists());
    fs::remove_dir_all(sweep).unwrap();
}

#[test]
fn bad_plans_and_foreign_folders_are_one_line_errors() {
    let sweep = scratch("bad");
    let path = sweep.to_str().unwrap();
    let message = fails(&["sweep", "plan", "--time", "1h", "cali", "--quick", "--out", path]);
    assert!(message.contains("--time 1h"), "{message}");
    let message = fails(&["sweep", "plan", "cali", "--quick", "--out", path, "--mem", "lots"]);
    assert!(message.contains("--mem lots"), "{message}");
    let spaced = scratch("with space").join("a b");
    let message = fails(&["sweep", "plan", "cali", "--quick", "--out", spaced.to_str().unwrap()]);
    assert!(message.contains("--out") && message.contains("spaces"), "{message}");
    assert!(!sweep.exists(), "nothing is written for a refused plan");

    succeeds(&["sweep", "plan", "cali", "--quick", "--out", path, "--max-running", "3"]);
    assert!(fs::read_to_string(sweep.join("sweep.sbatch")).unwrap().contains("#SBATCH --array=0-15%3"));
    let message = fails(&["sweep", "plan", "cali", "--quick", "--out", path]);
    assert!(message.contains("holds a sweep already"), "{message}");
    let message = fails(&["sweep", "run", path, "--index", "16"]);
    assert!(message.contains("--index 16") && message.contains("array tasks 0 to 15"), "{message}");

    // A jobs file that this binary would not plan is refused before any work.
    let jobs = fs::read_to_string(sweep.join("jobs.jsonl")).unwrap();
    fs::write(sweep.join("jobs.jsonl"), jobs.replacen("\"steps\":200", "\"steps\":201", 1)).unwrap();
    let message = fails(&["sweep", "run", path, "--index", "12"]);
    assert!(message.contains("line 13") && message.contains("plans other work"), "{message}");
    assert!(!sweep.join("runs/12").exists() && !sweep.join("runs/12.error").exists());

    let not_a_sweep = scratch("plain");
    fs::create_dir_all(&not_a_sweep).unwrap();
    let message = fails(&["sweep", "status", not_a_sweep.to_str().unwrap()]);
    assert!(message.contains("is not a sweep folder"), "{message}");
    for dir in [sweep, not_a_sweep] {
        fs::remove_dir_all(dir).unwrap();
    }
}
