//! `reproduce cali`: CALIMOCHO's active runs side by side, the passive depth
//! study and the LIME faithfulness study, with figures and a report beside
//! the figures of `PROTOCOLS.md` §4.
//!
//! - Active runs: depth 1, 3 and 5, labels only and with corrections under
//!   each explanation loss (the paper's ranking loss, the authors' squared
//!   form, the squared form on the corrected entries only), uncertainty
//!   sampling; test `l_Y` and `l_Z` per query (figures like the paper's
//!   Fig. 3 and 4, one per depth).
//! - Depth study (passive): for each depth, 1,000 Adam steps (batch 32) on
//!   labelled training images whose every example carries its true
//!   explanation (`lambda = 0.9`, squared explanation loss), against the
//!   paper's final `(l_Y, l_Z)`.
//! - LIME faithfulness: see [`faithfulness`](crate::protocols::lime_faithfulness).

use crate::data::colors::ColorsData;
use crate::error::{Error, Result};
use crate::harness::protocol::{ReproduceSettings, Reproduction, Sizes};
use crate::harness::record::Record;
use crate::harness::seeds::Stream;
use crate::protocols::cali::{CaliRow, CaliSettings};
use crate::report::figures::{Figure, PALETTE, Series, band, fold_curves};
use crate::report::files::{prepare_dir, write_atomically};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;
use xil_core::tasks::colors::{self, ONE_HOT, OneHot, Rule};
use xil_core::{Adam, CaliStrategy, Correction, ExplanationLoss, FeatureMap, Senn, SennExample, SennLoss, SennTrainer};

/// Sizes of a CALI reproduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaliScale {
    /// Folds of the active runs.
    pub folds: usize,
    /// Queries per fold.
    pub iterations: usize,
    /// Generated images of the active runs.
    pub images: usize,
    /// Adam steps of the passive depth study.
    pub passive_steps: usize,
}

impl Sizes for CaliScale {
    /// The paper's protocol (pool and test set reduced, see [`crate::protocols::cali`]).
    const FULL: CaliScale = CaliScale { folds: 5, iterations: 300, images: 5000, passive_steps: 1000 };
    /// A first look.
    const QUICK: CaliScale = CaliScale { folds: 2, iterations: 30, images: 1000, passive_steps: 200 };
}

/// The paper's passive depth study: final (`l_Y`, `l_Z`) per depth.
pub const DEPTH_TARGETS: [(usize, f32, f32); 3] = [(1, 0.142, 2.07), (3, 0.021, 0.029), (5, 0.020, 0.013)];

/// Final test (`l_Y`, `l_Z`) of a SENN of depth `L` trained passively with
/// every example's true explanation.
fn passive<const L: usize>(rule: Rule, steps: usize, seed: u64) -> Result<(f32, f32)> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let example = |image: &colors::Image| {
        let truth = colors::one_hot_explanation(rule, image);
        SennExample {
            x: OneHot.features(image),
            label: u8::from(rule.holds(image)),
            correction: Some(Correction { shown: nalgebra::SVector::zeros(), corrected: truth }),
        }
    };
    let train: Vec<SennExample<ONE_HOT>> = (0..2000).map(|_| example(&colors::generate(&mut rng).instance)).collect();
    let test: Vec<colors::Image> = (0..1000).map(|_| colors::generate(&mut rng).instance).collect();
    let mut model: Box<Senn<ONE_HOT, L>> = Box::new(Senn::new(&mut rng));
    let loss = SennLoss { lambda: 0.9, alpha: 0.0, explanation: ExplanationLoss::Squared };
    let mut trainer =
        Box::new(SennTrainer::new(loss, Adam::default()).map_err(|e| Error::core("building the trainer", e))?);
    trainer.fit(&mut model, &train, steps, 32, &mut rng).map_err(|e| Error::core("passive training", e))?;
    let label_only = SennLoss { lambda: 1.0, ..loss };
    let (mut l_y, mut l_z) = (0.0, 0.0);
    for image in &test {
        let e = example(image);
        l_y += label_only.mean(model.as_ref(), &[SennExample { correction: None, ..e }]);
        l_z += (colors::one_hot_explanation(rule, image) - model.relevance(&e.x)).norm_squared();
    }
    Ok((l_y / test.len() as f32, l_z / test.len() as f32))
}

/// The arms of the active runs at each depth: labels only, then corrections
/// under each explanation loss.
const ARMS: [Option<ExplanationLoss>; 4] =
    [None, Some(ExplanationLoss::Ranking), Some(ExplanationLoss::Squared), Some(ExplanationLoss::SquaredCorrected)];

/// How the report and the figures name an active run's arm.
fn arm_label(settings: &CaliSettings) -> String {
    if settings.corrections { format!("corrections, {} loss", settings.explanation_loss) } else { "labels only".into() }
}

/// The folder name of an active run.
fn arm_folder(settings: &CaliSettings) -> String {
    let arm = if settings.corrections { settings.explanation_loss.to_string() } else { "labels-only".into() };
    format!("depth{}-{arm}", settings.depth)
}

/// The active runs' loss curves side by side, one figure per metric and
/// depth, in `figures`.
fn active_figures(figures: &Path, active: &[(CaliSettings, Vec<CaliRow>)]) -> Result<()> {
    prepare_dir(figures)?;
    for metric in CaliRow::METRICS {
        let (stem, label) = (metric.stem(), metric.panel);
        for depth in DEPTHS {
            let series = active
                .iter()
                .filter(|(settings, _)| settings.depth == depth)
                .enumerate()
                .map(|(i, (settings, rows))| Series {
                    label: arm_label(settings),
                    colour: PALETTE[i % PALETTE.len()],
                    dashed: !settings.corrections,
                    points: band(&fold_curves(rows, CaliRow::fold, metric.value)),
                })
                .collect();
            Figure {
                title: format!("CALIMOCHO on colors, rule 0, depth {depth}: {label}"),
                x_label: "queries".into(),
                y_label: label.into(),
                series,
            }
            .save(&figures.join(format!("{stem}_depth{depth}")))?;
        }
    }
    Ok(())
}

/// The depths of the active runs and the depth study.
const DEPTHS: [usize; 3] = [1, 3, 5];

/// `report.md`: the active runs, the depth study beside the paper's, and the faithfulness summary.
fn report(
    scale: CaliScale,
    seed: u64,
    active: &[(CaliSettings, Vec<CaliRow>)],
    depth_study: &[(usize, (f32, f32))],
    faithfulness_summary: &serde_json::Value,
) -> String {
    let mut report = String::new();
    let _ = writeln!(report, "# CALIMOCHO on colors: reproduction of seed 001\n");
    let _ = writeln!(
        report,
        "Active runs: rule 0, {} folds of {} images, {} queries, uncertainty sampling, 5 initial labels, 100 Adam \
         steps per fit, 4 corrected entries per query (lambda 0.9), seed {seed}; labels only (lambda 1) and \
         corrections under each explanation loss: ranking `<w(x), ẑ - z>`, squared `|t - w(x)|²` (t = 0 off the \
         corrected entries), squared on the corrected entries only.\n",
        scale.folds, scale.images, scale.iterations
    );
    let _ = writeln!(
        report,
        "| depth | arm | test l_Y at first query | at last | test l_Z at first query | at last | s / query |"
    );
    let _ = writeln!(report, "|---:|---|---:|---:|---:|---:|---:|");
    for (settings, rows) in active {
        let mean_at = |iteration: usize, f: fn(&CaliRow) -> f32| {
            let at: Vec<f32> = rows.iter().filter(|r| r.iteration == iteration).map(f).collect();
            at.iter().sum::<f32>() / at.len().max(1) as f32
        };
        let summary = crate::protocols::cali::summarize(rows);
        let _ = writeln!(
            report,
            "| {} | {} | {:.3} | {:.3} | {:.2} | {:.2} | {:.4} |",
            settings.depth,
            arm_label(settings),
            mean_at(1, |r| r.label_loss),
            mean_at(settings.iterations, |r| r.label_loss),
            mean_at(1, |r| r.explanation_loss),
            mean_at(settings.iterations, |r| r.explanation_loss),
            summary.seconds_per_iteration
        );
    }
    let _ = writeln!(
        report,
        "\nFigures: `figures/explanation_loss_depth{{1,3,5}}.png`, `figures/label_loss_depth{{1,3,5}}.png` (and \
         `.svg`).\n"
    );
    let _ = writeln!(
        report,
        "## Depth study (passive, {} Adam steps, every example with its true explanation)\n",
        scale.passive_steps
    );
    let _ = writeln!(report, "| depth | l_Y (paper) | l_Z (paper) |");
    let _ = writeln!(report, "|---:|---:|---:|");
    for ((depth, (l_y, l_z)), (_, target_y, target_z)) in depth_study.iter().zip(DEPTH_TARGETS) {
        let _ = writeln!(report, "| {depth} | {l_y:.3} ({target_y}) | {l_z:.3} ({target_z}) |");
    }
    let _ = writeln!(report, "\n## LIME faithfulness (depth 1)\n\n`faithfulness/`: {faithfulness_summary}\n");
    report
}

/// A unit of `reproduce cali`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CaliUnit {
    /// One active run (its folds in parallel).
    Active {
        /// The run, checked.
        settings: CaliSettings,
        /// Its random streams.
        stream: String,
    },
    /// The passive depth study at one depth.
    Depth {
        /// The SENN's depth.
        depth: usize,
        /// Adam steps.
        steps: usize,
        /// The seed of its one stream (data, weights, minibatches).
        seed: u64,
    },
    /// The LIME faithfulness study at depth 1.
    Faithfulness {
        /// The seed of its streams.
        seed: u64,
        /// Its random streams.
        stream: String,
    },
}

/// What a unit of `reproduce cali` hands to the merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CaliOutcome {
    /// An active run's rows and summary.
    Active(Vec<CaliRow>, serde_json::Value),
    /// The depth study's final test (`l_Y`, `l_Z`) at a depth.
    Depth(f32, f32),
    /// The faithfulness study's summary.
    Faithfulness(serde_json::Value),
}

/// Every unit: the active runs (depth by depth, arms in order), the depth
/// study at each depth, the faithfulness study.
///
/// # Errors
/// [`Error::Settings`] when a run's settings do not pass their check.
pub fn units(scale: CaliScale, seed: u64) -> Result<Vec<CaliUnit>> {
    let mut units = Vec::new();
    for depth in DEPTHS {
        for arm in ARMS {
            let corrections = arm.is_some();
            let settings = CaliSettings {
                rule: Rule::Zero,
                depth,
                corrections,
                strategy: CaliStrategy::Uncertainty,
                explanation_loss: arm.unwrap_or(ExplanationLoss::Squared),
                corrected_entries: 4,
                lambda: if corrections { 0.9 } else { 1.0 },
                folds: scale.folds,
                iterations: scale.iterations,
                initial: 5,
                steps_per_fit: 100,
                images: scale.images,
                seed,
            };
            settings.validate()?;
            let stream = format!(
                "{:?}, {:?} .. {:?}",
                Stream::ColorsFolds,
                Stream::CaliFold(0),
                Stream::CaliFold(scale.folds - 1)
            );
            units.push(CaliUnit::Active { settings, stream });
        }
    }
    units.extend(DEPTHS.map(|depth| CaliUnit::Depth { depth, steps: scale.passive_steps, seed }));
    let stream =
        format!("{:?} for every step, samples and repeats", Stream::Faithfulness { step: 0, samples: 0, repeats: 0 });
    units.push(CaliUnit::Faithfulness { seed, stream });
    Ok(units)
}

/// Runs one unit; an active run writes `active/<arm>/` under `out`, the
/// faithfulness study `faithfulness/`.
///
/// # Errors
/// A one-line message when a run fails or a file cannot be written.
pub fn run_unit(out: &Path, data: &ColorsData, unit: &CaliUnit, tick: &(dyn Fn() + Sync)) -> Result<CaliOutcome> {
    match unit {
        CaliUnit::Active { settings, .. } => {
            let rows = crate::protocols::cali::run(settings, data, &crate::harness::observe::ticking(tick))?;
            let summary =
                crate::protocols::cali::write(&out.join("active").join(arm_folder(settings)), settings, &rows)?;
            Ok(CaliOutcome::Active(rows, summary))
        }
        &CaliUnit::Depth { depth, steps, seed } => {
            let (l_y, l_z) = match depth {
                1 => passive::<1>(Rule::Zero, steps, seed)?,
                3 => passive::<3>(Rule::Zero, steps, seed)?,
                5 => passive::<5>(Rule::Zero, steps, seed)?,
                _ => return Err(Error::Settings(format!("the depth study has no depth {depth}; it runs 1, 3 and 5"))),
            };
            Ok(CaliOutcome::Depth(l_y, l_z))
        }
        &CaliUnit::Faithfulness { seed, .. } => {
            let rows = crate::protocols::lime_faithfulness::run::<1>(
                Rule::Zero,
                seed,
                &crate::harness::observe::ticking(&|| {}),
            )?;
            Ok(CaliOutcome::Faithfulness(crate::protocols::lime_faithfulness::write(&out.join("faithfulness"), &rows)?))
        }
    }
}

/// Writes the figures and `report.md` under `out` from every unit's
/// outcome; returns the active runs' summaries.
///
/// # Errors
/// A one-line message when a file cannot be written.
pub fn merge(
    out: &Path,
    scale: CaliScale,
    seed: u64,
    outcomes: Vec<(CaliUnit, CaliOutcome)>,
) -> Result<Vec<serde_json::Value>> {
    let mut active: Vec<(CaliSettings, Vec<CaliRow>)> = Vec::new();
    let mut summaries = Vec::new();
    let mut depth_study = Vec::new();
    let mut faithfulness_summary = serde_json::Value::Null;
    for (unit, outcome) in outcomes {
        match (unit, outcome) {
            (CaliUnit::Active { settings, .. }, CaliOutcome::Active(rows, summary)) => {
                summaries.push(summary);
                active.push((settings, rows));
            }
            (CaliUnit::Depth { depth, .. }, CaliOutcome::Depth(l_y, l_z)) => depth_study.push((depth, (l_y, l_z))),
            (CaliUnit::Faithfulness { .. }, CaliOutcome::Faithfulness(summary)) => faithfulness_summary = summary,
            (unit, _) => return Err(Error::Settings(format!("the outcome of {unit:?} is of another unit"))),
        }
    }
    active_figures(&out.join("figures"), &active)?;
    let report = report(scale, seed, &active, &depth_study, &faithfulness_summary);
    write_atomically(&out.join("report.md"), report.as_bytes())?;
    Ok(summaries)
}

/// `xil-bench reproduce cali`.
#[derive(Debug, Clone, Copy)]
pub struct CaliReproduction;

impl Reproduction for CaliReproduction {
    const NAME: &'static str = "cali";
    const STEP: &'static str = "queries";
    type Settings = ReproduceSettings;
    type Source = ();
    type Data = ColorsData;
    type Unit = CaliUnit;
    type Outcome = CaliOutcome;

    fn ticks(settings: &ReproduceSettings) -> usize {
        let scale = CaliScale::of(settings.scale);
        DEPTHS.len() * ARMS.len() * scale.folds * scale.iterations
    }

    fn load(settings: &ReproduceSettings, (): &()) -> Result<ColorsData> {
        let scale = CaliScale::of(settings.scale);
        ColorsData::generate(scale.images, scale.folds, settings.seed)
    }

    fn units(settings: &ReproduceSettings) -> Result<Vec<CaliUnit>> {
        units(CaliScale::of(settings.scale), settings.seed)
    }

    fn run_unit(
        dir: &Path,
        _: &ReproduceSettings,
        data: &ColorsData,
        unit: &CaliUnit,
        tick: &(dyn Fn() + Sync),
    ) -> Result<CaliOutcome> {
        run_unit(dir, data, unit, tick)
    }

    fn merge(
        dir: &Path,
        settings: &ReproduceSettings,
        outcomes: Vec<(CaliUnit, CaliOutcome)>,
    ) -> Result<Vec<serde_json::Value>> {
        merge(dir, CaliScale::of(settings.scale), settings.seed, outcomes)
    }
}
