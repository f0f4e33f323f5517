//! Watching a simulated experiment: xil-bench's protocol runs on a worker
//! thread while the app plots its rows as they arrive.
//!
//! A [`Run`] starts the same code the `xil-bench` command runs (through the
//! bench's [`Protocol`](xil_bench::harness::Protocol) trait: CAIPI's folds
//! with a simulated user who knows the rule, CALIMOCHO's SENN loop, the
//! decoy network on Fashion-MNIST, or CAIPI on real e-mails), so
//! what the app shows is what the command writes, row for row. The real data
//! sets are read where the command reads them (`$XIL_FASHION_MNIST`,
//! `$XIL_SPAM_ASSASSIN` or the default folders); a missing one fails the run
//! with the command's message. The run's
//! observer sends every row to the app, then waits while the run is paused
//! and tells the folds to stop when it is stopped (each fold returns after
//! the row it is on). Folds run on all cores but one, which is left for the
//! window.

use crate::error::{Error, Result};
use crate::sessions::experiment::{Experiment, Measurement};
use std::ops::ControlFlow;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};
use xil_bench::report::figures::{band, fold_curves};

/// Where a run is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Status {
    /// Folds are running.
    Running,
    /// Folds wait after their current row.
    Paused,
    /// Stop was asked; folds finish the row they are on.
    Stopping,
    /// Stopped before the end; the rows so far are kept.
    Stopped,
    /// Every fold measured every query.
    Finished,
    /// The run could not go on (the message says why).
    Failed(String),
}

/// What the worker tells the app.
enum Report {
    Loaded,
    Measured(Measurement),
    Ended(Result<()>),
}

/// Pause and stop, shared by the app and the folds' observer.
#[derive(Debug, Default)]
struct Control {
    state: Mutex<(bool, bool)>,
    changed: Condvar,
}

impl Control {
    fn set(&self, paused: Option<bool>, stopped: bool) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(paused) = paused {
            state.0 = paused;
        }
        state.1 |= stopped;
        self.changed.notify_all();
    }

    /// Waits while paused (and not stopped); answers whether to go on.
    fn go_on(&self) -> ControlFlow<()> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let state = self
            .changed
            .wait_while(state, |(paused, stopped)| *paused && !*stopped)
            .unwrap_or_else(PoisonError::into_inner);
        if state.1 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    }
}

/// A simulated run on its worker thread and the rows it has measured.
pub struct Run {
    experiment: Experiment,
    /// Whether the run has read its data (it measures nothing before).
    loaded: bool,
    measurements: Vec<Measurement>,
    status: Status,
    control: Arc<Control>,
    reports: Receiver<Report>,
    /// The run's clock: when it started, paused and ended.
    clock: Clock,
}

/// How long a run has worked: its start, its pauses and its end.
#[derive(Debug, Clone, Copy)]
struct Clock {
    started: Instant,
    paused_since: Option<Instant>,
    paused_for: Duration,
    ended: Option<Instant>,
}

impl Clock {
    fn new() -> Self {
        Self { started: Instant::now(), paused_since: None, paused_for: Duration::ZERO, ended: None }
    }

    /// Time spent working: from the start to the end (or now), less pauses.
    fn worked(&self) -> Duration {
        let until = self.ended.unwrap_or_else(Instant::now);
        let pausing = self.paused_since.map_or(Duration::ZERO, |since| until.saturating_duration_since(since));
        until.saturating_duration_since(self.started).saturating_sub(self.paused_for + pausing)
    }
}

impl Run {
    /// Checks the settings and starts the run; `notify` is called after
    /// every row (the app asks for a repaint there).
    ///
    /// # Errors
    /// The settings' one-line message; nothing is started then.
    pub fn start(experiment: Experiment, notify: impl Fn() + Send + Sync + 'static) -> Result<Self> {
        experiment.validate()?;
        let (sender, reports) = channel();
        let control = Arc::new(Control::default());
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("xil-run-{i}"))
            .build()
            .map_err(|e| xil_bench::Error::Threads(e.to_string()))?;
        let (worker_control, worker_experiment) = (Arc::clone(&control), experiment.clone());
        std::thread::Builder::new()
            .name("xil-run".into())
            .spawn(move || {
                let observe = |measurement: Measurement| {
                    // A closed channel means the app dropped the run: stop.
                    if sender.send(Report::Measured(measurement)).is_err() {
                        return ControlFlow::Break(());
                    }
                    notify();
                    worker_control.go_on()
                };
                let loaded = || {
                    let _ = sender.send(Report::Loaded);
                    notify();
                };
                let ended = pool.install(|| worker_experiment.run(&loaded, &observe));
                // The app may be gone; nothing is lost then.
                let _ = sender.send(Report::Ended(ended));
                notify();
            })
            .map_err(|source| Error::Thread { what: "the run", source })?;
        Ok(Self {
            experiment,
            loaded: false,
            measurements: Vec::new(),
            status: Status::Running,
            control,
            reports,
            clock: Clock::new(),
        })
    }

    /// Takes the rows measured since the last call; notes the end.
    pub fn poll(&mut self) {
        while let Ok(report) = self.reports.try_recv() {
            match report {
                Report::Loaded => self.loaded = true,
                Report::Measured(measurement) => self.measurements.push(measurement),
                Report::Ended(Err(e)) => {
                    self.clock.ended = Some(Instant::now());
                    self.status = Status::Failed(e.to_string());
                }
                Report::Ended(Ok(())) if self.measurements.len() >= self.experiment.rows() => {
                    self.clock.ended = Some(Instant::now());
                    self.status = Status::Finished;
                }
                Report::Ended(Ok(())) => {
                    self.clock.ended = Some(Instant::now());
                    self.status = Status::Stopped;
                }
            }
        }
    }

    /// Whether the run has read its data.
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    /// Folds wait after the row they are on.
    pub fn pause(&mut self) {
        if self.status == Status::Running {
            self.control.set(Some(true), false);
            self.status = Status::Paused;
            self.clock.paused_since = Some(Instant::now());
        }
    }

    /// Paused folds go on.
    pub fn resume(&mut self) {
        if self.status == Status::Paused {
            self.control.set(Some(false), false);
            self.status = Status::Running;
            if let Some(since) = self.clock.paused_since.take() {
                self.clock.paused_for += since.elapsed();
            }
        }
    }

    /// Folds stop after the row they are on; the rows so far are kept.
    pub fn stop(&mut self) {
        if matches!(self.status, Status::Running | Status::Paused) {
            self.control.set(Some(false), true);
            self.status = Status::Stopping;
        }
    }

    /// Whether the worker is still at it (running, paused or stopping).
    pub fn active(&self) -> bool {
        matches!(self.status, Status::Running | Status::Paused | Status::Stopping)
    }

    /// Where the run is.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The protocol and settings.
    pub fn experiment(&self) -> &Experiment {
        &self.experiment
    }

    /// The rows so far, in arrival order (each fold's rows in query order).
    pub fn measurements(&self) -> &[Measurement] {
        &self.measurements
    }

    /// A run that ended in an earlier session of the app, restored from
    /// what it measured (it computes nothing more).
    pub fn restored(saved: SavedRun) -> Self {
        let (_, reports) = channel();
        let now = Instant::now();
        let worked = Duration::from_secs_f64(saved.worked_seconds.max(0.0));
        Self {
            experiment: saved.experiment,
            loaded: true,
            measurements: saved.measurements,
            status: saved.status.unwrap_or(Status::Stopped),
            control: Arc::new(Control::default()),
            reports,
            clock: Clock {
                started: now.checked_sub(worked).unwrap_or(now),
                paused_since: None,
                paused_for: Duration::ZERO,
                ended: Some(now),
            },
        }
    }

    /// What a later session of the app restores: the settings, the rows so
    /// far, how it ended (a run still going is saved as stopped) and the
    /// time it worked.
    pub fn saved(&self) -> SavedRun {
        let status = match &self.status {
            Status::Finished | Status::Failed(_) => Some(self.status.clone()),
            _ => Some(Status::Stopped),
        };
        SavedRun {
            experiment: self.experiment.clone(),
            measurements: self.measurements.clone(),
            status,
            worked_seconds: self.elapsed().as_secs_f64(),
        }
    }

    /// Time the run has worked (pauses left out), until it ended.
    pub fn elapsed(&self) -> Duration {
        self.clock.worked()
    }

    /// An estimate of the time left while the run goes on: the time per row
    /// so far times the rows left (reading the data counts as work); none
    /// before the first row or after the end.
    pub fn remaining(&self) -> Option<Duration> {
        let done = self.measurements.len();
        if !self.active() || done == 0 {
            return None;
        }
        let left = self.experiment.rows().saturating_sub(done);
        Some(self.elapsed().mul_f64(left as f64 / done as f64))
    }

    /// Share of the run's rows measured, in [0, 1].
    pub fn progress(&self) -> f32 {
        self.measurements.len() as f32 / self.experiment.rows().max(1) as f32
    }

    /// Per query number: `(query, mean, mean - sd, mean + sd)` over the folds
    /// that reached it, of the experiment's metric `index`.
    pub fn curve(&self, index: usize) -> Vec<(f32, f32, f32, f32)> {
        let value = |m: &Measurement| m.values.get(index).copied().unwrap_or(f32::NAN);
        band(&fold_curves(&self.measurements, |m| m.fold, value))
    }
}

/// A run as the Watch tab saves it between sessions of the app.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SavedRun {
    /// The protocol and its settings.
    pub experiment: Experiment,
    /// The rows it measured.
    pub measurements: Vec<Measurement>,
    /// How it ended (`None` reads as stopped).
    pub status: Option<Status>,
    /// Seconds it worked.
    pub worked_seconds: f64,
}

impl Drop for Run {
    /// A run nobody watches stops (its folds end after their current row).
    fn drop(&mut self) {
        self.control.set(Some(false), true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::experiment::default_active;
    use crate::sessions::experiment::{default_cali, default_decoy, default_text};
    use std::time::{Duration, Instant};
    use xil_bench::harness::Protocol;
    use xil_bench::protocols::active::{Active, ActiveSettings};
    use xil_bench::protocols::caipi_colors::{self as caipi, CaipiColors, CaipiSettings, Learner};
    use xil_bench::protocols::caipi_text::TextSettings;
    use xil_bench::protocols::caipi_text::data::Headers;
    use xil_bench::protocols::cali::CaliSettings;
    use xil_bench::protocols::decoy_fashion::DecoySettings;
    use xil_core::tasks::colors::Rule;

    fn small_caipi() -> Experiment {
        Experiment::Caipi(CaipiSettings {
            folds: 2,
            iterations: 6,
            lime_samples: 150,
            lime_repeats: 2,
            images: 600,
            ..CaipiSettings::paper(Rule::Zero, Learner::L1Svm, true)
        })
    }

    fn wait_until(run: &mut Run, done: impl Fn(&Run) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !done(run) {
            assert!(Instant::now() < deadline, "the run did not get there: {:?}", run.status());
            std::thread::sleep(Duration::from_millis(5));
            run.poll();
        }
    }

    #[test]
    fn a_finished_run_shows_exactly_the_rows_the_bench_computes() {
        let experiment = small_caipi();
        let mut run = Run::start(experiment.clone(), || {}).unwrap();
        // Rows come only after the data are read, and the run says so.
        wait_until(&mut run, |r| {
            assert!(r.measurements().is_empty() || r.loaded(), "a row before the data were read");
            !r.active()
        });
        assert!(run.loaded());
        assert_eq!(run.status(), &Status::Finished);
        assert_eq!(run.progress(), 1.0);
        let Experiment::Caipi(settings) = experiment else { unreachable!() };
        let data = CaipiColors::load(&settings, &()).unwrap();
        let rows =
            caipi::run_all(std::slice::from_ref(&settings), &data, &xil_bench::harness::observe::ticking(&|| {}))
                .unwrap()
                .concat();
        let mut seen = run.measurements().to_vec();
        seen.sort_by_key(|m| (m.fold, m.iteration));
        let expected: Vec<_> = rows
            .iter()
            .map(|r| Measurement {
                fold: r.fold,
                iteration: r.iteration,
                values: vec![
                    r.running_f1,
                    r.instant_f1,
                    r.test_accuracy,
                    r.alpha0,
                    r.alpha1,
                    r.residual,
                    r.counterexamples as f32,
                ],
            })
            .collect();
        assert_eq!(seen, expected);
        // The curve is the mean over folds per query.
        let first = run.curve(2)[0];
        let mean = (rows[0].test_accuracy + rows[6].test_accuracy) / 2.0;
        assert!(approx::abs_diff_eq!(first.1, mean, epsilon = 1e-6));
    }

    #[test]
    fn a_paused_run_measures_nothing_until_resumed_and_a_stopped_run_keeps_its_rows() {
        let mut run = Run::start(small_caipi(), || {}).unwrap();
        wait_until(&mut run, |r| !r.measurements().is_empty());
        run.pause();
        // Each fold may finish the row it was on, then nothing comes.
        std::thread::sleep(Duration::from_millis(300));
        run.poll();
        let paused_at = run.measurements().len();
        std::thread::sleep(Duration::from_millis(300));
        run.poll();
        assert_eq!(run.measurements().len(), paused_at);
        assert_eq!(run.status(), &Status::Paused);
        run.resume();
        wait_until(&mut run, |r| r.measurements().len() > paused_at);
        run.stop();
        wait_until(&mut run, |r| !r.active());
        assert!(matches!(run.status(), Status::Stopped | Status::Finished));
        assert!(run.measurements().len() > paused_at);
    }

    #[test]
    fn decoy_and_email_runs_show_the_rows_the_bench_computes() {
        let decoy = DecoySettings { epochs: 2, train_limit: Some(600), ..default_decoy() };
        let mut run = Run::start(Experiment::Decoy(decoy.clone()), || {}).unwrap();
        wait_until(&mut run, |r| !r.active());
        assert_eq!(run.status(), &Status::Finished);
        let data = xil_bench::data::fashion::load(&xil_bench::data::fashion::locate(None)).unwrap();
        let outcome =
            xil_bench::protocols::decoy_fashion::run(&decoy, &data, &xil_bench::harness::observe::ticking(&|| {}))
                .unwrap();
        let expected: Vec<_> = outcome
            .epochs
            .iter()
            .map(|e| Measurement { fold: 0, iteration: e.epoch, values: vec![e.loss, e.test_accuracy] })
            .collect();
        assert_eq!(run.measurements(), expected.as_slice());

        // E-mails: reading the corpus takes most of the time, so this checks
        // the rows' shape (the observer path is the one compared above).
        let text = TextSettings { folds: 2, iterations: 3, ..default_text() };
        let mut run = Run::start(Experiment::Text(text, Headers::Keep), || {}).unwrap();
        wait_until(&mut run, |r| !r.active());
        assert_eq!(run.status(), &Status::Finished);
        let mut seen = run.measurements().to_vec();
        seen.sort_by_key(|m| (m.fold, m.iteration));
        let keys: Vec<_> = seen.iter().map(|m| (m.fold, m.iteration)).collect();
        assert_eq!(keys, vec![(0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3)]);
        assert!(seen.iter().all(|m| m.values[..3].iter().all(|v| (0.0..=1.0).contains(v))), "{seen:?}");
    }

    #[test]
    fn an_active_learning_run_shows_the_rows_the_bench_computes() {
        let settings = ActiveSettings { steps: 2, runs: 2, epochs: 3, pool: 300, test: 100, ..default_active() };
        let mut run = Run::start(Experiment::Active(settings.clone()), || {}).unwrap();
        wait_until(&mut run, |r| !r.active());
        assert_eq!(run.status(), &Status::Finished);
        let data = Active::load(&settings, &None).unwrap();
        let rows = Active::run(&settings, &data, &xil_bench::harness::observe::ticking(&|| {})).unwrap();
        let mut expected: Vec<Measurement> = rows.iter().map(Measurement::of).collect();
        let mut seen = run.measurements().to_vec();
        let key = |m: &Measurement| (m.fold, m.iteration);
        expected.sort_by_key(key);
        seen.sort_by_key(key);
        assert_eq!(seen, expected);
        assert_eq!(seen.len(), 6);
    }

    #[test]
    fn impossible_settings_start_nothing() {
        let error =
            Run::start(Experiment::Cali(CaliSettings { depth: 2, ..default_cali() }), || {}).err().unwrap().to_string();
        assert!(error.contains("--depth"), "{error}");
    }
}
