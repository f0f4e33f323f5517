//! Running any protocol or reproduction the same way: a progress bar whose
//! total follows from the settings, a result folder built aside and put in
//! place whole, the key figures and file paths for a person on standard
//! error, and the summary as the last line on standard output.

use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::Instant;
use xil_bench::Result;
use xil_bench::harness::observe::ticking;
use xil_bench::harness::{Protocol, Reproduction};
use xil_bench::report::last_words;
use xil_bench::report::staged::StagedDir;

/// A progress bar of experiment `name`: `total` `unit`s.
fn progress(name: &str, total: usize, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{name} {{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {unit}, eta {{eta}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

/// Checks `settings`, loads `source`, runs `P` into `out` and prints its
/// summary as one JSON line.
///
/// # Errors
/// The first failing step's error; `out` keeps what it held before.
pub fn protocol<P: Protocol>(settings: &P::Settings, source: &P::Source, out: &Path) -> Result<()> {
    P::check(settings)?;
    let staged = StagedDir::begin(out)?;
    let data = P::load(settings, source)?;
    if let Some(found) = P::loaded(&data) {
        eprintln!("{found}");
    }
    let started = Instant::now();
    let bar = progress(P::NAME, P::rows(settings), P::STEP);
    let outcome = P::run(settings, &data, &ticking(&|| bar.inc(1)))?;
    bar.finish_and_clear();
    let summary = P::write(staged.path(), settings, &data, &outcome, started.elapsed().as_secs_f64())?;
    staged.commit()?;
    eprint!("{}", last_words::run_table(&summary));
    eprintln!("wrote {} in {:.1} s", out.display(), started.elapsed().as_secs_f64());
    eprint!("{}", last_words::files(out));
    println!("{summary}");
    Ok(())
}

/// Loads `source`, builds the reproduction `R` into `out` and prints the
/// wall time, the report's path and the runs' summaries as one JSON line.
///
/// # Errors
/// The first failing step's error; `out` keeps what it held before.
pub fn reproduction<R: Reproduction>(settings: &R::Settings, source: &R::Source, out: &Path) -> Result<()> {
    let staged = StagedDir::begin(out)?;
    let data = R::load(settings, source)?;
    if let Some(found) = R::loaded(&data) {
        eprintln!("{found}");
    }
    let started = Instant::now();
    let bar = progress(R::NAME, R::ticks(settings), R::STEP);
    let runs = xil_bench::harness::protocol::reproduce::<R>(staged.path(), settings, &data, &|| bar.inc(1))?;
    staged.commit()?;
    bar.finish_and_clear();
    print_reproduction(out, started.elapsed().as_secs_f64(), &runs);
    Ok(())
}

/// What a finished reproduction (or a merged sweep) in `out` tells a
/// person on standard error, and its summary line on standard output.
pub fn print_reproduction(out: &Path, wall: f64, runs: &[serde_json::Value]) {
    eprint!("{}", last_words::runs_table(runs));
    eprintln!("wrote {} in {wall:.1} s", out.display());
    eprint!("{}", last_words::files(out));
    println!("{}", serde_json::json!({ "wall_seconds": wall, "report": out.join("report.md"), "runs": runs }));
}
