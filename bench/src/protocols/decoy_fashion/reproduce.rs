//! Table 1 of CAIPI (seed 000) on decoy Fashion-MNIST: all five settings,
//! a report beside the paper's figures, learning curves and explanations.
//!
//! Writes, under the output folder: one folder per setting (as
//! `xil-bench decoy-fashion` writes it), `report.md` (train and test accuracy,
//! ours beside the paper's, the share of the explanations inside the decoy,
//! seconds per epoch), `test_accuracy.png/.svg` (test accuracy per epoch, one
//! curve per setting) and `explanations.png` (the same test images explained
//! by each setting's network).

use crate::data::fashion::{self, ImageSet, SIDE};
use crate::error::Result;
use crate::harness::protocol::{ReproduceSettings, Reproduction, Sizes};
use crate::harness::seeds::Stream;
use crate::protocols::decoy_fashion::{
    DecoySettings, EXPLAINED_IMAGES, Outcome, SHARE_IMAGES, Setting, explained, run, write,
};
use crate::report::figures::{Figure, PALETTE, Series};
use crate::report::files::write_atomically;
use crate::report::heatmap::{Explained, save_grid};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How much of the protocol to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoyScale {
    /// Epochs per setting.
    pub epochs: usize,
    /// Training images used (all when `None`).
    pub train_limit: Option<usize>,
}

impl Sizes for DecoyScale {
    /// The paper's protocol: 64 epochs on all 60,000 training images.
    const FULL: Self = Self { epochs: 64, train_limit: None };
    /// A first look (and CI's check): 12 epochs on 10,000 training images.
    const QUICK: Self = Self { epochs: 12, train_limit: Some(10_000) };
}

/// One setting's figures for the report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    /// The setting.
    pub setting: Setting,
    /// Our train accuracy.
    pub train_accuracy: f32,
    /// Our test accuracy.
    pub test_accuracy: f32,
    /// Share of the explanations' magnitude inside the decoy.
    pub decoy_share: f32,
    /// Training seconds per epoch.
    pub seconds_per_epoch: f64,
}

fn table_row(setting: Setting, outcome: &Outcome) -> TableRow {
    TableRow {
        setting,
        train_accuracy: outcome.train_accuracy,
        test_accuracy: outcome.test_accuracy,
        decoy_share: outcome.decoy_share,
        seconds_per_epoch: outcome.seconds_per_epoch,
    }
}

/// The Markdown report: Table 1, ours beside the paper's.
pub fn report(rows: &[TableRow], scale: DecoyScale, seed: u64) -> String {
    let mut text = String::from("# Decoy Fashion-MNIST (CAIPI, Table 1)\n\n");
    let images = scale.train_limit.map_or("all 60,000".to_string(), |n| format!("the first {n}"));
    let _ = writeln!(
        text,
        "MLP 784-50-30-10, {} epochs on {images} training images (plus counterexamples), seed {seed}; \
         test on the 10,000 test images with random-class decoys.\n",
        scale.epochs
    );
    text.push_str(
        "| setting | train | paper | test | paper | test - paper | decoy share of explanation | s / epoch |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        let (train, test) = row.setting.paper();
        let _ = writeln!(
            text,
            "| {} | {:.3} | {train:.3} | {:.3} | {test:.3} | {:+.3} | {:.3} | {:.2} |",
            row.setting.label(),
            row.train_accuracy,
            row.test_accuracy,
            row.test_accuracy - test,
            row.decoy_share,
            row.seconds_per_epoch
        );
    }
    let _ = writeln!(
        text,
        "\nDecoy share: the mean share of the explanation's magnitude `sum |x ⊙ ∇_x log p_pred|` inside the 4x4 \
         decoy, over the first {SHARE_IMAGES} test images."
    );
    text
}

/// One setting of `reproduce decoy-fashion`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecoyUnit {
    /// The run, checked.
    pub settings: DecoySettings,
    /// Its random streams.
    pub stream: String,
}

/// What a setting hands to the merge: its row of the table, its test
/// accuracy per epoch and its explanations of the first test images.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecoyUnitOutcome {
    /// The row of Table 1.
    pub row: TableRow,
    /// (epoch, test accuracy) after every epoch.
    pub curve: Vec<(f32, f32)>,
    /// The first test images explained.
    pub explained: Vec<Explained>,
}

/// The units: every setting, in Table 1's order.
///
/// # Errors
/// [`crate::Error::Settings`] when a setting does not pass its check.
pub fn units(scale: DecoyScale, seed: u64) -> Result<Vec<DecoyUnit>> {
    Setting::ALL
        .into_iter()
        .map(|setting| {
            let settings = DecoySettings {
                epochs: scale.epochs,
                train_limit: scale.train_limit,
                ..DecoySettings::paper(setting, seed)
            };
            settings.validate()?;
            let stream = [
                Stream::DecoyTrain,
                Stream::DecoyTest,
                Stream::DecoyCounterexamples,
                Stream::DecoyInit,
                Stream::DecoyShuffle,
            ]
            .map(|stream| format!("{stream:?}"))
            .join(", ");
            Ok(DecoyUnit { settings, stream })
        })
        .collect()
}

/// Runs one setting and writes its folder under `out`; `on_epoch` is called
/// after every epoch.
///
/// # Errors
/// A one-line message when the run fails or a file cannot be written.
pub fn run_unit(
    out: &Path,
    data: &ImageSet,
    unit: &DecoyUnit,
    on_epoch: &(dyn Fn() + Sync),
) -> Result<DecoyUnitOutcome> {
    let settings = &unit.settings;
    let outcome = run(settings, data, &crate::harness::observe::ticking(on_epoch))?;
    write(&out.join(settings.setting.name()), settings, &outcome)?;
    Ok(DecoyUnitOutcome {
        row: table_row(settings.setting, &outcome),
        curve: outcome.epochs.iter().map(|e| (e.epoch as f32, e.test_accuracy)).collect(),
        explained: explained(&outcome, EXPLAINED_IMAGES),
    })
}

/// Writes the report, the learning curves and the explanations under `out`
/// from every setting's outcome; returns the table's rows.
///
/// # Errors
/// A one-line message when a file cannot be written.
pub fn merge(out: &Path, scale: DecoyScale, seed: u64, outcomes: Vec<DecoyUnitOutcome>) -> Result<Vec<TableRow>> {
    let mut rows = Vec::new();
    let mut curves = Vec::new();
    let mut explanations = Vec::new();
    for (outcome, colour) in outcomes.into_iter().zip(PALETTE.into_iter().cycle()) {
        let setting = outcome.row.setting;
        curves.push(Series {
            label: setting.label().into(),
            colour,
            dashed: setting == Setting::InputGradients,
            points: outcome.curve.iter().map(|&(epoch, accuracy)| (epoch, accuracy, accuracy, accuracy)).collect(),
        });
        explanations.push((setting.label().to_string(), outcome.explained));
        rows.push(outcome.row);
    }
    let figure = Figure {
        title: "Decoy Fashion-MNIST: test accuracy".into(),
        x_label: "epoch".into(),
        y_label: "test accuracy".into(),
        series: curves,
    };
    figure.save(&out.join("test_accuracy"))?;
    save_grid(&out.join("explanations.png"), SIDE, &explanations)?;
    write_atomically(&out.join("report.md"), report(&rows, scale, seed).as_bytes())?;
    Ok(rows)
}

/// `xil-bench reproduce decoy-fashion`.
#[derive(Debug, Clone, Copy)]
pub struct DecoyReproduction;

impl Reproduction for DecoyReproduction {
    const NAME: &'static str = "decoy-fashion";
    const STEP: &'static str = "epochs";
    type Settings = ReproduceSettings;
    /// The folder of the four gzip IDX files.
    type Source = Option<PathBuf>;
    type Data = ImageSet;
    type Unit = DecoyUnit;
    type Outcome = DecoyUnitOutcome;

    fn ticks(settings: &ReproduceSettings) -> usize {
        Setting::ALL.len() * DecoyScale::of(settings.scale).epochs
    }

    fn load(_: &ReproduceSettings, folder: &Option<PathBuf>) -> Result<ImageSet> {
        fashion::load(&fashion::locate(folder.as_deref()))
    }

    fn units(settings: &ReproduceSettings) -> Result<Vec<DecoyUnit>> {
        units(DecoyScale::of(settings.scale), settings.seed)
    }

    fn run_unit(
        dir: &Path,
        _: &ReproduceSettings,
        data: &ImageSet,
        unit: &DecoyUnit,
        tick: &(dyn Fn() + Sync),
    ) -> Result<DecoyUnitOutcome> {
        run_unit(dir, data, unit, tick)
    }

    fn merge(
        dir: &Path,
        settings: &ReproduceSettings,
        outcomes: Vec<(DecoyUnit, DecoyUnitOutcome)>,
    ) -> Result<Vec<serde_json::Value>> {
        let outcomes = outcomes.into_iter().map(|(_, outcome)| outcome).collect();
        let rows = merge(dir, DecoyScale::of(settings.scale), settings.seed, outcomes)?;
        let runs: Vec<serde_json::Value> = rows
            .iter()
            .map(|row| {
                serde_json::json!({
                    "setting": row.setting.name(),
                    "train_accuracy": row.train_accuracy,
                    "test_accuracy": row.test_accuracy,
                    "decoy_gradient_share": row.decoy_share,
                    "seconds_per_epoch": row.seconds_per_epoch,
                })
            })
            .collect();
        Ok(runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_sets_ours_beside_the_paper() {
        let row = TableRow {
            setting: Setting::Ce3,
            train_accuracy: 0.9,
            test_accuracy: 0.8,
            decoy_share: 0.01,
            seconds_per_epoch: 4.0,
        };
        let text = report(&[row], DecoyScale::QUICK, 3);
        assert!(
            text.contains("| counterexamples c=3 | 0.900 | 0.922 | 0.800 | 0.851 | -0.051 | 0.010 | 4.00 |"),
            "{text}"
        );
        assert!(text.contains("the first 10000 training images") && text.contains("seed 3"), "{text}");
    }
}
