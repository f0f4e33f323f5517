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
use crate::protocols::decoy_fashion::{
    DecoySettings, EXPLAINED_IMAGES, Outcome, SHARE_IMAGES, Setting, explained, run, write,
};
use crate::report::figures::{Figure, PALETTE, Series};
use crate::report::files::{prepare_dir, write_atomically};
use crate::report::heatmap::save_grid;
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
#[derive(Debug, Clone, Copy, PartialEq)]
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

/// Runs every setting at `scale`, writes the report, figures and per-setting
/// folders under `out`; `on_epoch` is called after every epoch of every run.
///
/// # Errors
/// A one-line message when a run fails or a file cannot be written.
pub fn reproduce(
    out: &Path,
    data: &ImageSet,
    scale: DecoyScale,
    seed: u64,
    on_epoch: &(dyn Fn() + Sync),
) -> Result<Vec<TableRow>> {
    prepare_dir(out)?;
    let mut rows = Vec::new();
    let mut curves = Vec::new();
    let mut explanations = Vec::new();
    for (setting, colour) in Setting::ALL.into_iter().zip(PALETTE) {
        let settings = DecoySettings {
            epochs: scale.epochs,
            train_limit: scale.train_limit,
            ..DecoySettings::paper(setting, seed)
        };
        let outcome = run(&settings, data, &crate::harness::observe::ticking(on_epoch))?;
        write(&out.join(setting.name()), &settings, &outcome)?;
        rows.push(table_row(setting, &outcome));
        curves.push(Series {
            label: setting.label().into(),
            colour,
            dashed: setting == Setting::InputGradients,
            points: outcome
                .epochs
                .iter()
                .map(|e| (e.epoch as f32, e.test_accuracy, e.test_accuracy, e.test_accuracy))
                .collect(),
        });
        explanations.push((setting.label().to_string(), explained(&outcome, EXPLAINED_IMAGES)));
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

    fn ticks(settings: &ReproduceSettings) -> usize {
        Setting::ALL.len() * DecoyScale::of(settings.scale).epochs
    }

    fn load(_: &ReproduceSettings, folder: &Option<PathBuf>) -> Result<ImageSet> {
        fashion::load(&fashion::locate(folder.as_deref()))
    }

    fn reproduce(
        dir: &Path,
        settings: &ReproduceSettings,
        data: &ImageSet,
        tick: &(dyn Fn() + Sync),
    ) -> Result<Vec<serde_json::Value>> {
        let rows = reproduce(dir, data, DecoyScale::of(settings.scale), settings.seed, tick)?;
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
