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
fn huge_counts_are_refused_naming_the_option_and_its_range() {
    let out = scratch("huge");
    let out = out.to_str().unwrap();
    let huge = u64::MAX.to_string();
    let cases: [(&[&str], &str); 11] = [
        (&["caipi", "--rule", "0"], "--iterations"),
        (&["caipi", "--rule", "0"], "--images"),
        (&["caipi", "--rule", "0"], "--initial-per-class"),
        (&["caipi", "--rule", "0"], "--lime-samples"),
        (&["caipi", "--rule", "0"], "--lime-repeats"),
        (&["cali", "--rule", "0"], "--iterations"),
        (&["cali", "--rule", "0"], "--initial"),
        (&["cali", "--rule", "0"], "--steps-per-fit"),
        (&["cali", "--rule", "0"], "--images"),
        (&["decoy-fashion", "--setting", "none"], "--epochs"),
        (&["decoy-fashion", "--setting", "none"], "--train-limit"),
    ];
    for (command, option) in cases {
        let mut args = command.to_vec();
        args.extend([option, huge.as_str(), "--out", out]);
        let message = fails_with_one_line(&args, 1);
        assert!(message.contains(&format!("{option} must be between")), "{args:?}: {message}");
    }
    assert!(!PathBuf::from(out).exists(), "nothing is written for invalid settings");
}

#[test]
fn missing_required_arguments_are_named() {
    let message = fails_with_one_line(&["caipi"], 2);
    assert!(message.contains("--rule <RULE>") && message.contains("--out <OUT>"), "{message}");
}

#[test]
fn an_unwritable_output_folder_is_a_one_line_error() {
    let file = scratch("file");
    std::fs::write(&file, b"not a folder").unwrap();
    let out = file.join("results");
    let message = fails_with_one_line(&["caipi", "--rule", "0", "--out", out.to_str().unwrap()], 1);
    assert!(message.contains("output folder") && message.contains(out.to_str().unwrap()), "{message}");
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
    // For a person, stderr ends with the key figures, one per line, then the folder.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let alpha0 = summary["alpha0"].as_f64().unwrap();
    let shown = stderr.lines().find(|l| l.trim_start().starts_with("alpha0")).expect("alpha0 on stderr");
    let value: f64 = shown.split_whitespace().last().unwrap().parse().unwrap();
    assert!((value - alpha0).abs() <= 5e-4 * alpha0.abs().max(1.0), "{shown} vs {alpha0}");
    assert!(stderr.contains(&format!("wrote {}", out.display())), "{stderr}");
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
    // A new run into a finished result replaces it whole: a file of the
    // old run does not stay beside the new results.
    std::fs::write(again.join("old-figure.png"), b"from an older run").unwrap();
    assert!(xil_bench(&repeat).status.success());
    let mut files: Vec<String> =
        std::fs::read_dir(&again).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    assert_eq!(files, [".xil-result", "metrics.csv", "summary.json"]);
    // A folder of other files is refused and left as it was.
    let foreign = scratch("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), b"mine").unwrap();
    *repeat.last_mut().unwrap() = foreign.to_str().unwrap();
    let message = fails_with_one_line(&repeat, 1);
    assert!(message.contains("not a xil-bench result"), "{message}");
    assert_eq!(std::fs::read(foreign.join("notes.txt")).unwrap(), b"mine");
    assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);
    let siblings = std::fs::read_dir(foreign.parent().unwrap()).unwrap();
    let name = foreign.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        siblings
            .filter_map(Result::ok)
            .all(|e| !e.file_name().to_string_lossy().starts_with(&format!(".{name}.partial"))),
        "a refused or failed run leaves no staging folder"
    );
    let _ = std::fs::remove_dir_all(&foreign);
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

/// A Fashion-MNIST folder of `train` + `test` small real-format files whose
/// class shows as a bright row.
fn fashion_folder(name: &str, train: u32, test: u32) -> PathBuf {
    use xil_bench::data::idx::write::{gzip, idx};
    let dir = scratch(name);
    std::fs::create_dir_all(&dir).unwrap();
    for (prefix, count) in [("train", train), ("t10k", test)] {
        let labels: Vec<u8> = (0..count).map(|i| (i % 10) as u8).collect();
        let mut pixels = vec![0u8; count as usize * 784];
        for (image, &label) in pixels.chunks_exact_mut(784).zip(&labels) {
            let row = 6 + 2 * label as usize;
            image[row * 28..row * 28 + 28].fill(220);
        }
        std::fs::write(dir.join(format!("{prefix}-images-idx3-ubyte.gz")), gzip(&idx(&[count, 28, 28], &pixels)))
            .unwrap();
        std::fs::write(dir.join(format!("{prefix}-labels-idx1-ubyte.gz")), gzip(&idx(&[count], &labels))).unwrap();
    }
    dir
}

#[test]
fn decoy_fashion_reads_its_data_strictly_and_prints_its_summary_last() {
    let data = fashion_folder("fashion", 200, 50);
    let out = scratch("decoy");
    let (data_arg, out_arg) = (data.to_str().unwrap(), out.to_str().unwrap());
    let message =
        fails_with_one_line(&["decoy-fashion", "--setting", "ce1", "--data", "/nonexistent", "--out", out_arg], 1);
    assert!(message.contains("dataset-fashion-mnist"), "{message}");
    let message = fails_with_one_line(
        &["decoy-fashion", "--setting", "ce1", "--epochs", "0", "--data", data_arg, "--out", out_arg],
        1,
    );
    assert!(message.contains("--epochs"), "{message}");
    fails_with_one_line(&["decoy-fashion", "--setting", "ce9", "--data", data_arg, "--out", out_arg], 2);

    let args = ["decoy-fashion", "--setting", "input-gradients", "--epochs", "2", "--data", data_arg, "--out", out_arg];
    let output = xil_bench(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    for key in ["train_accuracy", "test_accuracy", "seconds_per_epoch", "decoy_gradient_share"] {
        assert!(summary[key].is_number(), "key {key} in {summary}");
    }
    for file in ["metrics.csv", "summary.json", "explanations.png"] {
        assert!(out.join(file).exists(), "{file} written");
    }
    assert_eq!(std::fs::read_to_string(out.join("metrics.csv")).unwrap().lines().count(), 3);

    // A truncated label file is named in a one-line error.
    let labels = data.join("t10k-labels-idx1-ubyte.gz");
    let bytes = std::fs::read(&labels).unwrap();
    std::fs::write(&labels, &bytes[..bytes.len() / 2]).unwrap();
    let message = fails_with_one_line(&args, 1);
    assert!(message.contains("t10k-labels-idx1-ubyte.gz") && message.contains("gzip"), "{message}");
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&out);
}

/// A SpamAssassin-shaped corpus: 30 ham and 30 spam messages with telling
/// words and headers, plus two malformed files.
fn mail_folder(name: &str) -> PathBuf {
    let dir = scratch(name);
    for group in ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"] {
        std::fs::create_dir_all(dir.join(group)).unwrap();
    }
    let fillers = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
    for i in 0..30 {
        let filler = fillers[i % fillers.len()];
        let ham = format!(
            "From: colleague{i}@work.example\nList-Id: team-list\nSubject: project {filler}\n\n\
             The meeting about the project report is moved; {filler} agenda attached.\n"
        );
        std::fs::write(dir.join(format!("easy-ham-1/{i:05}.txt")), ham).unwrap();
        let mut spam = format!(
            "From: winner{i}@offers.example\nSubject: cheap offer {filler}\nContent-Type: text/plain; \
             charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nBuy cheap pills now, limited offer =\n{filler} \
             click here =E2=82=AC "
        )
        .into_bytes();
        spam.extend_from_slice(b"\xff\n");
        std::fs::write(dir.join(format!("spam-1/{i:05}.txt")), spam).unwrap();
    }
    std::fs::write(dir.join("spam-2/broken.txt"), "no headers in this file at all").unwrap();
    std::fs::write(dir.join("easy-ham-2/empty.txt"), "").unwrap();
    dir
}

#[test]
fn caipi_text_skips_malformed_mail_and_prints_its_summary_last() {
    let corpus = mail_folder("mail");
    let out = scratch("text");
    let (corpus_arg, out_arg) = (corpus.to_str().unwrap(), out.to_str().unwrap());
    let message =
        fails_with_one_line(&["caipi-text", "--corrections", "on", "--corpus", "/nonexistent", "--out", out_arg], 1);
    assert!(message.contains("fetch_spam_assassin"), "{message}");
    let message = fails_with_one_line(&["caipi-text", "--corrections", "on", "--folds", "1", "--out", out_arg], 1);
    assert!(message.contains("--folds"), "{message}");
    let message = fails_with_one_line(&["caipi-text", "--corrections", "on", "--gold-c=0", "--out", out_arg], 1);
    assert!(message.contains("--gold-c"), "{message}");
    let args = [
        "caipi-text",
        "--corrections",
        "on",
        "--folds",
        "2",
        "--iterations",
        "4",
        "--initial-per-class",
        "2",
        "--corpus",
        corpus_arg,
        "--out",
        out_arg,
    ];
    let output = xil_bench(&args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("2 skipped as malformed"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    for key in ["test_explanation_f1", "query_explanation_f1", "test_f1", "header_share", "gold_share"] {
        assert!(summary[key].is_number(), "key {key} in {summary}");
    }
    assert_eq!(summary["headers"], "strip");
    // The gold model's C was chosen along the whole grid, by share.
    assert_eq!(summary["gold_curve"].as_array().map(Vec::len), Some(7), "{summary}");
    assert_eq!(summary["corpus"]["skipped"], 2);
    assert_eq!(summary["corpus"]["charset_errors"], 30, "one invalid UTF-8 byte per spam message");
    assert_eq!(summary["test_f1"], 1.0, "the words separate the classes");
    let csv = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * 4);
    let html = std::fs::read_to_string(out.join("explained.html")).unwrap();
    assert!(html.contains("<span style=\"background:rgba(") && html.contains("cheap"), "coloured words");
    // The exact contributions explain the queries instead of LIME.
    let mut exact = args.to_vec();
    exact.extend(["--explainer", "exact"]);
    let output = xil_bench(&exact);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&output.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(summary["settings"]["explainer"], "exact");
    let _ = std::fs::remove_dir_all(&corpus);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn the_gold_models_fits_are_cached_and_a_cached_run_gives_the_same_numbers() {
    let corpus = mail_folder("mail-cache");
    let cache = scratch("cache");
    let run = |name: &str| {
        let out = scratch(name);
        let args =
            ["caipi-text", "--corrections", "on", "--folds", "2", "--iterations", "3", "--initial-per-class", "2"];
        let output = Command::new(env!("CARGO_BIN_EXE_xil-bench"))
            .args(args)
            .args(["--corpus", corpus.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .env("XIL_CACHE_DIR", &cache)
            .output()
            .expect("xil-bench runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let _ = std::fs::remove_dir_all(&out);
        let mut summary: serde_json::Value =
            serde_json::from_str(String::from_utf8_lossy(&output.stdout).lines().last().unwrap()).unwrap();
        summary.as_object_mut().unwrap().remove("seconds");
        summary
    };
    let cached_files = || -> Vec<PathBuf> {
        std::fs::read_dir(&cache).map_or_else(|_| Vec::new(), |d| d.map(|e| e.unwrap().path()).collect())
    };
    let fresh = run("text-fresh");
    let files = cached_files();
    assert_eq!(files.len(), 1, "one cache file: {files:?}");
    let size = std::fs::metadata(&files[0]).unwrap().len();
    assert_eq!(run("text-cached"), fresh, "a run from the cache gives the same numbers");
    std::fs::write(&files[0], b"damaged").unwrap();
    assert_eq!(run("text-damaged"), fresh, "a damaged cache file is fitted again");
    assert_eq!(std::fs::metadata(&files[0]).unwrap().len(), size, "and written again");
    let _ = std::fs::remove_dir_all(&corpus);
    let _ = std::fs::remove_dir_all(&cache);
}
