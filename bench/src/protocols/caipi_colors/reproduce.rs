//! `reproduce caipi-colors`: the whole of CAIPI's Fig. 2, with figures and a
//! report beside the targets of `PROTOCOLS.md` §1.
//!
//! Eight settings (L1 and L2 SVM, rule 0 and 1, with and without
//! corrections), each under two semantics: the paper's (LIME perturbs pixels
//! to other colours; the user marks explained pixels outside the rule) and
//! the authors' code (a perturbed pixel equals no other; the user marks every
//! explained pixel). The targets come from the authors' code, so both are
//! reported beside them.

use super::write::{summary_json, write_run};
use crate::error::Result;
use crate::harness::protocol::{Reproduction, Scale, Sizes};
use crate::harness::record::{Record, metric};
use crate::harness::seeds::Stream;
use crate::protocols::caipi_colors::{CaipiSettings, ColorsData, Learner, Row, Solver, Summary, run_fold};
use crate::report::figures::{Figure, PALETTE, Series, band, fold_curves};
use crate::report::files::{prepare_dir, write_atomically};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;
use xil_core::tasks::colors::Rule;

/// Which semantics to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Semantics {
    /// The paper's meaning.
    Paper,
    /// The authors' code, deviations included.
    Authors,
    /// Both.
    Both,
}

/// Sizes of a reproduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColorsScale {
    /// Folds.
    pub folds: usize,
    /// Queries per fold.
    pub iterations: usize,
    /// LIME samples.
    pub lime_samples: usize,
    /// LIME repeats.
    pub lime_repeats: usize,
    /// Generated images.
    pub images: usize,
}

impl Sizes for ColorsScale {
    /// The paper's sizes.
    const FULL: ColorsScale =
        ColorsScale { folds: 10, iterations: 100, lime_samples: 2000, lime_repeats: 10, images: 40_000 };
    /// A first look in seconds.
    const QUICK: ColorsScale =
        ColorsScale { folds: 2, iterations: 40, lime_samples: 500, lime_repeats: 3, images: 10_000 };
}

/// A target of PROTOCOLS.md: a value or a range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Lower end (the value itself for a point target).
    pub low: f32,
    /// Upper end.
    pub high: f32,
}

impl Target {
    const fn point(value: f32) -> Option<Target> {
        Some(Target { low: value, high: value })
    }

    const fn range(low: f32, high: f32) -> Option<Target> {
        Some(Target { low, high })
    }

    /// How far `value` lies outside the target (0 inside a range).
    pub fn gap(&self, value: f32) -> f32 {
        if value < self.low {
            value - self.low
        } else if value > self.high {
            value - self.high
        } else {
            0.0
        }
    }
}

/// The targets at t = 100 for one setting: running F1, alpha0, alpha1,
/// residual.
pub fn targets(learner: Learner, rule: Rule, corrections: bool) -> [Option<Target>; 4] {
    match (learner, u8::from(rule), corrections) {
        (Learner::L1Svm, 0, false) => {
            [Target::point(0.49), Target::point(0.16), Target::point(1.46), Target::point(0.03)]
        }
        (Learner::L1Svm, 0, true) => {
            [Target::point(0.69), Target::point(0.64), Target::point(0.06), Target::point(0.02)]
        }
        (Learner::L1Svm, 1, true) => {
            [Target::point(0.66), Target::point(0.015), Target::point(1.95), Target::point(0.001)]
        }
        (Learner::L2Svm, 0, false) => {
            [Target::point(0.44), Target::point(0.4), Target::range(0.4, 0.7), Target::range(0.7, 1.7)]
        }
        (Learner::L2Svm, 0, true) => {
            [Target::point(0.47), Target::point(0.4), Target::range(0.4, 0.7), Target::range(0.7, 1.7)]
        }
        (Learner::L2Svm, 1, true) => [Target::point(0.20), None, None, None],
        _ => [None, None, None, None],
    }
}

/// The eight settings of the figure at a scale, under one semantics and
/// solver.
pub fn settings(scale: ColorsScale, seed: u64, authors: bool, solver: Solver) -> Vec<CaipiSettings> {
    let mut all = Vec::new();
    for learner in [Learner::L1Svm, Learner::L2Svm] {
        for rule in Rule::ALL {
            for corrections in [false, true] {
                all.push(CaipiSettings {
                    folds: scale.folds,
                    iterations: scale.iterations,
                    lime_samples: scale.lime_samples,
                    lime_repeats: scale.lime_repeats,
                    images: scale.images,
                    seed,
                    mark_all_explained: authors,
                    continuous_perturbation: authors,
                    solver,
                    ..CaipiSettings::paper(rule, learner, corrections)
                });
            }
        }
    }
    all
}

/// The folder name of a setting.
pub fn setting_name(settings: &CaipiSettings) -> String {
    let corrections = if settings.corrections { "corrections" } else { "no-corrections" };
    format!("{}-rule{}-{corrections}", settings.learner.name(), settings.rule)
}

/// One fold of one setting of the figure: a unit of `reproduce
/// caipi-colors`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColorsUnit {
    /// `paper` or `authors`.
    pub semantics: String,
    /// The setting's folder name.
    pub name: String,
    /// The setting, checked.
    pub settings: CaipiSettings,
    /// The fold.
    pub fold: usize,
    /// The random stream the fold draws from (beside the folds' own).
    pub stream: String,
}

/// The units of a reproduction: every fold of every setting, settings in the
/// order of [`settings`] (paper first when both).
///
/// # Errors
/// [`crate::Error::Settings`] when a setting does not pass its check.
pub fn units(scale: ColorsScale, seed: u64, semantics: Semantics, solver: Solver) -> Result<Vec<ColorsUnit>> {
    let variants: &[(&str, bool)] = match semantics {
        Semantics::Paper => &[("paper", false)],
        Semantics::Authors => &[("authors", true)],
        Semantics::Both => &[("paper", false), ("authors", true)],
    };
    let mut units = Vec::new();
    for &(variant, authors) in variants {
        for setting in settings(scale, seed, authors, solver) {
            setting.validate()?;
            for fold in 0..setting.folds {
                units.push(ColorsUnit {
                    semantics: variant.into(),
                    name: setting_name(&setting),
                    settings: setting.clone(),
                    fold,
                    stream: format!("{:?}", Stream::CaipiFold(fold)),
                });
            }
        }
    }
    Ok(units)
}

/// Writes every setting's folder, the figures, `summary.json` and
/// `report.md` under `out` from the folds' rows (in the order of [`units`]);
/// returns the summaries in the order of [`settings`].
///
/// # Errors
/// A one-line message when a file cannot be written.
pub fn merge(
    out: &Path,
    scale: ColorsScale,
    seed: u64,
    folds: Vec<(ColorsUnit, Vec<Row>)>,
) -> Result<Vec<(String, CaipiSettings, Summary)>> {
    let mut all: Vec<(String, CaipiSettings, Vec<Row>)> = Vec::new();
    for (unit, rows) in folds {
        match all.last_mut() {
            Some((variant, setting, so_far)) if *variant == unit.semantics && *setting == unit.settings => {
                so_far.extend(rows);
            }
            _ => all.push((unit.semantics, unit.settings, rows)),
        }
    }
    let mut summaries = Vec::new();
    let mut summary_objects = Vec::new();
    for (variant, setting, rows) in &all {
        let name = setting_name(setting);
        let summary = write_run(&out.join(variant).join(&name), setting, rows)?;
        let mut json = summary_json(setting, &summary);
        if let Some(map) = json.as_object_mut() {
            map.insert("semantics".into(), variant.as_str().into());
            map.insert("name".into(), name.into());
        }
        summary_objects.push(json);
        summaries.push((variant.clone(), setting.clone(), summary));
    }
    let figures = out.join("figures");
    prepare_dir(&figures)?;
    for variant in ["paper", "authors"] {
        let of_variant: Vec<(&CaipiSettings, &Vec<Row>)> =
            all.iter().filter(|(v, _, _)| v == variant).map(|(_, s, r)| (s, r)).collect();
        if !of_variant.is_empty() {
            draw_figures(&figures, variant, &of_variant)?;
        }
    }
    let summary = serde_json::Value::Array(summary_objects);
    write_atomically(&out.join("summary.json"), format!("{summary:#}\n").as_bytes())?;
    write_atomically(&out.join("report.md"), report(scale, seed, &summaries).as_bytes())?;
    Ok(summaries)
}

fn draw_figures(dir: &Path, variant: &str, runs: &[(&CaipiSettings, &Vec<Row>)]) -> Result<()> {
    let semantics = if variant == "paper" { "paper semantics" } else { "authors' code" };
    for rule in Rule::ALL {
        let mut series = Vec::new();
        for (i, (setting, rows)) in runs.iter().filter(|(s, _)| s.rule == rule).enumerate() {
            let learner = if setting.learner == Learner::L1Svm { "L1 SVM" } else { "L2 SVM" };
            let corrections = if setting.corrections { "with corrections" } else { "without corrections" };
            series.push(Series {
                label: format!("{learner}, {corrections}"),
                colour: PALETTE[i / 2 % PALETTE.len()],
                dashed: !setting.corrections,
                points: band(&fold_curves(rows, Row::fold, metric::<Row>("running F1").value)),
            });
        }
        Figure {
            title: format!("CAIPI on colors, rule {rule}: explanation F1 ({semantics})"),
            x_label: "queries".into(),
            y_label: "running F1 of explanations".into(),
            series,
        }
        .save(&dir.join(format!("{variant}_f1_rule{rule}")))?;

        if let Some((_, rows)) =
            runs.iter().find(|(s, _)| s.rule == rule && s.corrections && s.learner == Learner::L1Svm)
        {
            // The weight metrics share one panel of the row's metrics.
            let weights = metric::<Row>("alpha0").panel;
            let series = Row::METRICS
                .iter()
                .filter(|metric| metric.panel == weights)
                .enumerate()
                .map(|(i, metric)| Series {
                    label: metric.name.into(),
                    colour: PALETTE[i],
                    dashed: false,
                    points: band(&fold_curves(rows, Row::fold, metric.value)),
                })
                .collect();
            Figure {
                title: format!("L1 SVM, corrections toward rule {rule}: weight decomposition ({semantics})"),
                x_label: "queries".into(),
                y_label: "coefficient".into(),
                series,
            }
            .save(&dir.join(format!("{variant}_decomposition_rule{rule}")))?;
        }
    }
    Ok(())
}

fn cell(value: f32, target: Option<Target>) -> String {
    match target {
        Some(t) if t.low == t.high => format!("{value:.3} ({:.3}, {:+.3})", t.low, t.gap(value)),
        Some(t) => format!("{value:.3} ({:.1}–{:.1}, {:+.3})", t.low, t.high, t.gap(value)),
        None => format!("{value:.3}"),
    }
}

/// The Markdown report: our figures at the last query beside the targets.
pub fn report(scale: ColorsScale, seed: u64, summaries: &[(String, CaipiSettings, Summary)]) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "# CAIPI on colors: reproduction of seed 000, Fig. 2\n");
    let _ = writeln!(
        text,
        "{} folds of {} generated images, {} queries, LIME with {} samples x {} repeats, seed {seed}; {}.",
        scale.folds,
        scale.images,
        scale.iterations,
        scale.lime_samples,
        scale.lime_repeats,
        summaries.first().map_or("", |(_, setting, _)| setting.solver.description())
    );
    let _ = writeln!(
        text,
        "Each cell: ours at the last query (target from PROTOCOLS.md §1, our difference to it; 0 inside a \
         target range). Targets were measured at t = 100 with the authors' code.\n"
    );
    for variant in ["paper", "authors"] {
        let rows: Vec<_> = summaries.iter().filter(|(v, _, _)| v == variant).collect();
        if rows.is_empty() {
            continue;
        }
        let heading = if variant == "paper" {
            "Paper semantics (LIME recolours pixels; the user marks explained pixels outside the rule)"
        } else {
            "Authors' code (a perturbed pixel equals no other; the user marks every explained pixel)"
        };
        let _ = writeln!(text, "## {heading}\n");
        let _ = writeln!(
            text,
            "| setting | running F1 | alpha0 | alpha1 | residual | test accuracy | counterexamples | s / query |"
        );
        let _ = writeln!(text, "|---|---|---|---|---|---:|---:|---:|");
        for (_, setting, summary) in rows {
            let [f1, a0, a1, residual] = targets(setting.learner, setting.rule, setting.corrections);
            let _ = writeln!(
                text,
                "| {} | {} | {} | {} | {} | {:.3} | {:.0} | {:.4} |",
                setting_name(setting),
                cell(summary.running_f1, f1),
                cell(summary.alpha0, a0),
                cell(summary.alpha1, a1),
                cell(summary.residual, residual),
                summary.test_accuracy,
                summary.counterexamples,
                summary.seconds
            );
        }
        let _ = writeln!(text);
        let _ = writeln!(
            text,
            "Figures: `figures/{variant}_f1_rule0.png`, `figures/{variant}_f1_rule1.png`, \
             `figures/{variant}_decomposition_rule0.png`, `figures/{variant}_decomposition_rule1.png` (and `.svg`).\n"
        );
    }
    text
}

/// What `reproduce caipi-colors` is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColorsReproduceSettings {
    /// Quick or full.
    pub scale: Scale,
    /// Seed of data, folds and every random choice.
    pub seed: u64,
    /// The paper's semantics, the authors' code, or both.
    pub semantics: Semantics,
    /// How the learners are solved.
    pub solver: Solver,
}

/// `xil-bench reproduce caipi-colors`.
#[derive(Debug, Clone, Copy)]
pub struct ColorsReproduction;

impl Reproduction for ColorsReproduction {
    const NAME: &'static str = "caipi-colors";
    const STEP: &'static str = "queries";
    const PARALLEL_UNITS: bool = true;
    type Settings = ColorsReproduceSettings;
    type Source = ();
    type Data = ColorsData;
    type Unit = ColorsUnit;
    type Outcome = Vec<Row>;

    fn ticks(settings: &ColorsReproduceSettings) -> usize {
        let scale = ColorsScale::of(settings.scale);
        let variants = if settings.semantics == Semantics::Both { 2 } else { 1 };
        variants * 8 * scale.folds * scale.iterations
    }

    fn load(settings: &ColorsReproduceSettings, (): &()) -> Result<ColorsData> {
        let scale = ColorsScale::of(settings.scale);
        ColorsData::generate(scale.images, scale.folds, settings.seed)
    }

    fn units(settings: &ColorsReproduceSettings) -> Result<Vec<ColorsUnit>> {
        units(ColorsScale::of(settings.scale), settings.seed, settings.semantics, settings.solver)
    }

    fn run_unit(
        _: &Path,
        _: &ColorsReproduceSettings,
        data: &ColorsData,
        unit: &ColorsUnit,
        tick: &(dyn Fn() + Sync),
    ) -> Result<Vec<Row>> {
        run_fold(&unit.settings, data, unit.fold, &crate::harness::observe::ticking(tick))
    }

    fn merge(
        dir: &Path,
        settings: &ColorsReproduceSettings,
        folds: Vec<(ColorsUnit, Vec<Row>)>,
    ) -> Result<Vec<serde_json::Value>> {
        let summaries = merge(dir, ColorsScale::of(settings.scale), settings.seed, folds)?;
        let runs: Vec<serde_json::Value> = summaries
            .iter()
            .map(|(variant, settings, summary)| {
                let mut json = summary_json(settings, summary);
                if let Some(map) = json.as_object_mut() {
                    map.insert("semantics".into(), variant.as_str().into());
                }
                json
            })
            .collect();
        Ok(runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_zero_inside_a_range_and_signed_outside() {
        let t = Target { low: 0.4, high: 0.7 };
        assert_eq!(t.gap(0.5), 0.0);
        assert!(approx::abs_diff_eq!(t.gap(0.8), 0.1, epsilon = 1e-6));
        approx::assert_abs_diff_eq!(t.gap(0.3), -0.1, epsilon = 1e-6);
    }

    #[test]
    fn the_figure_has_eight_settings_per_semantics() {
        let all = settings(ColorsScale::QUICK, 0, false, Solver::Liblinear);
        assert_eq!(all.len(), 8);
        let names: std::collections::HashSet<String> = all.iter().map(setting_name).collect();
        assert_eq!(names.len(), 8);
        assert!(all.iter().all(|s| s.validate().is_ok()));
    }
}
