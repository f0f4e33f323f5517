//! A Bayesian feedback run's files: `metrics.csv` (a row per epoch of each
//! phase), `summary.json`, `tables.md` (seed 003's Tables 1 and 2 for this
//! run) and `deeplift.png` (the first test images with `DeepLIFT` before and
//! after the feedback, decoys framed).

use super::run::{BayesOutcome, METHODS, Measured};
use super::settings::BayesSettings;
use crate::data::fashion::SIDE;
use crate::error::Result;
use crate::harness::record::with_settings;
use crate::protocols::attributions::models::Input;
use crate::report::files::{write_atomically, write_results};
use crate::report::heatmap::{Explained, save_grid};
use std::fmt::Write as _;
use std::path::Path;

/// Method name to mean overlap.
fn overlaps(measured: &Measured) -> serde_json::Map<String, serde_json::Value> {
    METHODS.iter().zip(&measured.overlap).map(|(m, &v)| (m.name().to_string(), serde_json::json!(v))).collect()
}

/// The summary: accuracy and overlaps without (`_nf`) and with (`_f`)
/// feedback and of the control (`_control`: fine-tuned as long without the
/// evidence), the clean network's accuracy, and the deterministic baseline's
/// (`_rrr`: Ross et al.'s penalty on the same feedback; `_rrr_nf` before it).
pub fn summary(settings: &BayesSettings, outcome: &BayesOutcome) -> serde_json::Value {
    with_settings(
        &serde_json::json!({
            "accuracy_nf": outcome.before.accuracy,
            "accuracy_f": outcome.after.accuracy,
            "accuracy_control": outcome.control.accuracy,
            "f1_macro_nf": outcome.before.f1_macro,
            "f1_macro_f": outcome.after.f1_macro,
            "f1_macro_control": outcome.control.f1_macro,
            "entropy_nf": outcome.before.entropy,
            "entropy_f": outcome.after.entropy,
            "entropy_ood_nf": outcome.before.ood_entropy,
            "entropy_ood_f": outcome.after.ood_entropy,
            "overlap_nf": overlaps(&outcome.before),
            "overlap_f": overlaps(&outcome.after),
            "overlap_control": overlaps(&outcome.control),
            "clean_accuracy": outcome.clean_accuracy,
            "accuracy_rrr_nf": outcome.right_reasons.before.accuracy,
            "accuracy_rrr": outcome.right_reasons.after.accuracy,
            "overlap_rrr_nf": overlaps(&outcome.right_reasons.before),
            "overlap_rrr": overlaps(&outcome.right_reasons.after),
            "rrr_epoch": outcome.right_reasons.best_epoch,
            "best_epoch": outcome.best_epoch,
            "control_epoch": outcome.control_epoch,
            "annotated": outcome.annotated,
            "train": outcome.split.0,
            "validation": outcome.split.1,
        }),
        settings,
    )
}

/// Tables 1 and 2 of this run, as Markdown.
pub fn tables(settings: &BayesSettings, outcome: &BayesOutcome) -> String {
    let mut text = format!(
        "# Bayesian feedback on four-corner decoy {}\n\n{} training / {} validation images, {} annotated \
         ({:.2} %), seed {}; fine-tuning kept epoch {} of {} by validation macro-F1 (the control, fine-tuned \
         as long without the evidence: epoch {}).\n\n",
        settings.data.label(),
        outcome.split.0,
        outcome.split.1,
        outcome.annotated,
        100.0 * settings.feedback_share,
        settings.seed,
        outcome.best_epoch,
        settings.epochs_after,
        outcome.control_epoch
    );
    let _ = writeln!(
        text,
        "Table 1 (test; one label per image, so micro precision = recall = F1 = accuracy):\n\n\
         | | NF | control | F |\n|---|---:|---:|---:|"
    );
    let (b, c, a) = (&outcome.before, &outcome.control, &outcome.after);
    let _ = writeln!(
        text,
        "| precision = recall = F1 = accuracy | {:.4} | {:.4} | {:.4} |",
        b.accuracy, c.accuracy, a.accuracy
    );
    let _ = writeln!(text, "| macro-F1 | {:.4} | {:.4} | {:.4} |", b.f1_macro, c.f1_macro, a.f1_macro);
    let _ = writeln!(text, "| predictive entropy (nats) | {:.4} | {:.4} | {:.4} |", b.entropy, c.entropy, a.entropy);
    match (b.ood_entropy, c.ood_entropy, a.ood_entropy) {
        (Some(nf), Some(control), Some(f)) => {
            let _ = writeln!(
                text,
                "| predictive entropy, the other data set's images (nats) | {nf:.4} | {control:.4} | {f:.4} |"
            );
        }
        _ => {
            let _ = writeln!(text, "| predictive entropy, the other data set's images | not found | | |");
        }
    }
    let _ = writeln!(text, "| clean network's accuracy | {:.4} | | |", outcome.clean_accuracy);
    let _ = writeln!(
        text,
        "\nTable 2 (attribution overlap with the decoys, lower is better):\n\n| method | NF | control | F |\n\
         |---|---:|---:|---:|"
    );
    for (((method, nf), control), f) in METHODS.iter().zip(&b.overlap).zip(&c.overlap).zip(&a.overlap) {
        let _ = writeln!(text, "| {} | {nf:.4} | {control:.4} | {f:.4} |", method.label());
    }
    let rrr = &outcome.right_reasons;
    let _ = writeln!(
        text,
        "\nThe deterministic LeNet-5 on the same images and annotations, fine-tuned with Ross et al.'s \
         input-gradient penalty (weight {}; kept epoch {}):\n\n| | NF | penalty |\n|---|---:|---:|\n\
         | accuracy | {:.4} | {:.4} |",
        settings.penalty_weight, rrr.best_epoch, rrr.before.accuracy, rrr.after.accuracy
    );
    for ((method, nf), f) in METHODS.iter().zip(&rrr.before.overlap).zip(&rrr.after.overlap) {
        let _ = writeln!(text, "| overlap, {} | {nf:.4} | {f:.4} |", method.label());
    }
    text
}

/// Writes the files and returns the summary.
///
/// # Errors
/// A file that cannot be written or drawn, named.
pub fn write(dir: &Path, settings: &BayesSettings, outcome: &BayesOutcome) -> Result<serde_json::Value> {
    let summary = summary(settings, outcome);
    write_results(dir, &outcome.epochs, &summary)?;
    write_atomically(&dir.join("tables.md"), tables(settings, outcome).as_bytes())?;
    let decoys: Vec<usize> = (0..4).flat_map(crate::data::decoy::patch).collect();
    let grey = |x: &Input| -> Vec<u8> { x.iter().map(|&v| (v * 255.0).round().clamp(0.0, 255.0) as u8).collect() };
    let row = |label: &str, pick: fn(&(Input, Input, Input)) -> &Input| {
        (
            label.to_string(),
            outcome
                .maps
                .iter()
                .map(|maps| Explained {
                    pixels: grey(&maps.0),
                    relevance: pick(maps).iter().copied().collect(),
                    outline: decoys.clone(),
                    caption: String::new(),
                })
                .collect::<Vec<_>>(),
        )
    };
    save_grid(
        &dir.join("deeplift.png"),
        SIDE,
        &[row("DeepLIFT, no feedback", |m| &m.1), row("DeepLIFT, feedback", |m| &m.2)],
    )?;
    Ok(summary)
}
