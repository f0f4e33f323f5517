//! The `xil-bench` command: bad input gives one line and a non-zero exit,
//! never a panic or a half-written result; a small run writes what it says.

use std::path::PathBuf;
use std::process::{Command, Output};

fn xil_bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xil-bench")).args(args).output().expect("xil-bench runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xil-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Exit code and the single line of stderr.
fn fails_with_one_line(args: &[&str], code: i32) -> String {
    let output = xil_bench(args);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line for {args:?}: {stderr}");
    assert!(stderr.starts_with("xil-bench: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn unknown_options_and_impossible_values_are_one_line_errors() {
    let out = scratch("bad");
    let out = out.to_str().unwrap();
    let message = fails_with_one_line(&["caipi", "--rule", "0", "--bogus", "--out", out], 2);
    assert!(message.contains("--bogus"), "{message}");
    fails_with_one_line(&["caipi", "--rule", "7", "--out", out], 2);
    let message = fails_with_one_line(&["caipi", "--rule", "0", "--k", "0", "--out", out], 1);
    assert!(message.contains("--k"), "{message}");
    let message = fails_with_one_line(&["caipi", "--rule", "0", "--folds", "50000", "--out", out], 1);
    assert!(message.contains("--folds"), "{message}");
    let message = fails_with_one_line(&["caipi", "--rule", "0", "--lime-samples", "0", "--out", out], 1);
    assert!(message.contains("--lime-samples"), "{message}");
    assert!(!PathBuf::from(out).exists(), "nothing is written for invalid settings");
}

#[test]
fn an_unwritable_output_folder_is_a_one_line_error() {
    let file = scratch("file");
    std::fs::write(&file, b"not a folder").unwrap();
    let out = file.join("results");
    let message = fails_with_one_line(&["caipi", "--rule", "0", "--out", out.to_str().unwrap()], 1);
    assert!(message.contains("cannot create output folder"), "{message}");
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn help_is_available_on_every_subcommand() {
    for args in [&["--help"][..], &["caipi", "--help"], &["reproduce", "caipi-colors", "--help"]] {
        let output = xil_bench(args);
        assert!(output.status.success());
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage"));
    }
}

#[test]
fn a_small_run_writes_metrics_and_prints_its_summary_last() {
    let out = scratch("run");
    let args = [
        "caipi",
        "--rule",
        "1",
        "--folds",
        "2",
        "--iterations",
        "3",
        "--lime-samples",
        "100",
        "--lime-repeats",
        "2",
        "--images",
        "400",
        "--seed",
        "5",
        "--out",
        out.to_str().unwrap(),
    ];
    let output = xil_bench(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    for key in ["running_f1", "test_accuracy", "alpha0", "alpha1", "residual", "counterexamples", "seconds"] {
        assert!(summary[key].is_number(), "key {key} in {summary}");
    }
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(written, summary, "summary.json holds the printed summary");
    let csv = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("fold,iteration,instant_f1,running_f1,test_accuracy,alpha0,alpha1,residual,counterexamples,seconds")
    );
    assert_eq!(lines.count(), 2 * 3);
    // Same seed, same numbers (the seconds aside).
    let again = scratch("again");
    let mut repeat = args.to_vec();
    let again_path = again.to_str().unwrap().to_string();
    *repeat.last_mut().unwrap() = &again_path;
    assert!(xil_bench(&repeat).status.success());
    let strip = |text: String| text.lines().map(|l| l.rsplit_once(',').unwrap().0.to_string()).collect::<Vec<_>>();
    assert_eq!(strip(csv), strip(std::fs::read_to_string(again.join("metrics.csv")).unwrap()));
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&again);
}

#[test]
fn a_small_cali_run_prints_its_losses_last_and_rejects_a_bad_depth() {
    let out = scratch("cali");
    let out_arg = out.to_str().unwrap();
    let message = fails_with_one_line(&["cali", "--rule", "0", "--depth", "2", "--out", out_arg], 1);
    assert!(message.contains("--depth"), "{message}");
    let args = [
        "cali",
        "--rule",
        "0",
        "--folds",
        "2",
        "--iterations",
        "2",
        "--steps-per-fit",
        "5",
        "--images",
        "100",
        "--strategy",
        "random",
        "--out",
        out_arg,
    ];
    let output = xil_bench(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    for key in ["label_loss", "explanation_loss", "seconds_per_iteration"] {
        assert!(summary[key].is_number(), "key {key} in {summary}");
    }
    for file in ["metrics.csv", "summary.json", "label_loss.png", "explanation_loss.svg"] {
        assert!(out.join(file).exists(), "{file} written");
    }
    let _ = std::fs::remove_dir_all(&out);
}
