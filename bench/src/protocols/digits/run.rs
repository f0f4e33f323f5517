//! Training the device's network on the UCI digits, and its files.

use crate::data::digits::{LEVELS, PIXELS, SIDE};
use crate::data::fashion::{ImageSet, Split};
use crate::error::{Error, Result};
use crate::harness::epoch::{EpochPanels, TrainingEpoch};
use crate::harness::folds::shuffle;
use crate::harness::limits;
use crate::harness::minibatch::{Trainable, Training};
use crate::harness::observe::Observer;
use crate::harness::record::with_settings;
use crate::harness::seeds::Stream;
use crate::report::files::{write_atomically, write_results};
use crate::report::heatmap::{Explained, save_grid};
use nalgebra::SVector;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;
use xil_core::explain::attribution::{Attribution, GradCam, Saliency};
use xil_core::nn::cnn::DigitsCnn;

/// One digit as the network sees it: levels divided by 16.
pub type Digit = SVector<f32, PIXELS>;

/// Everything that defines a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigitsSettings {
    /// Passes over the training digits.
    pub epochs: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Adam's step size.
    pub learning_rate: f32,
    /// Seed of the initial weights and the minibatch order.
    pub seed: u64,
}

impl Default for DigitsSettings {
    /// 30 epochs of minibatches of 32, Adam at 1e-3, seed 0.
    fn default() -> Self {
        Self { epochs: 30, batch: 32, learning_rate: 1e-3, seed: 0 }
    }
}

impl DigitsSettings {
    /// Checks the settings.
    ///
    /// # Errors
    /// A one-line message naming the option.
    pub fn validate(&self) -> Result<()> {
        limits::check("--epochs", self.epochs, &limits::EPOCHS)?;
        limits::check("--batch", self.batch, &(2..=*limits::IMAGES.end()))?;
        Ok(())
    }
}

/// The digits experiment's panels of the epochs' plots.
#[derive(Debug, Clone, Copy)]
pub struct DigitsPanels;

impl EpochPanels for DigitsPanels {
    const LOSS: &'static str = "digits: training loss (x: epochs)";
    const ACCURACY: &'static str = "digits: test accuracy (x: epochs)";
}

/// What one epoch measured.
pub type DigitsEpoch = TrainingEpoch<DigitsPanels>;

/// The result of a run.
#[derive(Debug, Clone)]
pub struct DigitsOutcome {
    /// Per-epoch measurements.
    pub epochs: Vec<DigitsEpoch>,
    /// Accuracy on the training digits.
    pub train_accuracy: f32,
    /// The trained network.
    pub model: Box<DigitsCnn>,
}

/// Digit `index` of `split` with its label.
fn digit(split: &Split, index: usize) -> (Digit, u8) {
    let x = Digit::from_fn(|i, _| f32::from(split.images.image(index)[i]) / f32::from(LEVELS));
    (x, split.labels[index])
}

/// The share of `split` the network classifies correctly.
fn accuracy(model: &DigitsCnn, split: &Split) -> f32 {
    let correct = (0..split.len()).filter(|&i| {
        let (x, y) = digit(split, i);
        Trainable::predict(model, &x) == usize::from(y)
    });
    correct.count() as f32 / split.len().max(1) as f32
}

/// Trains the network and measures it after every epoch.
///
/// # Errors
/// Invalid settings, data without training digits, or a failing step.
pub fn run(settings: &DigitsSettings, data: &ImageSet, observe: Observer<'_, DigitsEpoch>) -> Result<DigitsOutcome> {
    settings.validate()?;
    if data.train.is_empty() || data.test.is_empty() {
        return Err(Error::Settings("the digits need a training and a test split".into()));
    }
    let model = Box::new(DigitsCnn::new(&mut Stream::DigitsInit.rng(settings.seed)));
    let mut training = Training::new(model, settings.learning_rate)?;
    let example = |index: u32| digit(&data.train, index as usize);
    let mut shuffler = Stream::DigitsShuffle.rng(settings.seed);
    let mut order: Vec<u32> = (0..data.train.len() as u32).collect();
    let mut epochs = Vec::with_capacity(settings.epochs);
    for epoch in 1..=settings.epochs {
        let started = Instant::now();
        shuffle(&mut order, &mut shuffler);
        let total = training.epoch(epoch, &order, settings.batch, &example)?;
        let record = DigitsEpoch::new(
            epoch,
            (total / data.train.len() as f64) as f32,
            accuracy(&training.model, &data.test),
            started.elapsed().as_secs_f64(),
        );
        if !record.loss.is_finite() {
            return Err(Error::Diverged { epoch, loss: record.loss });
        }
        epochs.push(record);
        if observe(&record).is_break() {
            break;
        }
    }
    Ok(DigitsOutcome { train_accuracy: accuracy(&training.model, &data.train), epochs, model: training.model })
}

/// Test digits in the figure.
const FIGURE_DIGITS: usize = 8;

/// Writes `metrics.csv`, `summary.json`, `model.f32` (the parameters in
/// core's order, little-endian) and `explanations.png` (saliency and
/// Grad-CAM of the first test digits); returns the summary.
///
/// # Errors
/// A file that cannot be written or drawn, named.
pub fn write(
    dir: &Path,
    settings: &DigitsSettings,
    data: &ImageSet,
    outcome: &DigitsOutcome,
) -> Result<serde_json::Value> {
    let model = &*outcome.model;
    let summary = with_settings(
        &serde_json::json!({
            "test_accuracy": outcome.epochs.last().map_or(0.0, |e| e.test_accuracy),
            "train_accuracy": outcome.train_accuracy,
            "parameters": model.parameter_count(),
            "seconds_per_epoch": outcome.epochs.iter().map(|e| e.seconds).sum::<f64>() / outcome.epochs.len().max(1) as f64,
        }),
        settings,
    );
    write_results(dir, &outcome.epochs, &summary)?;
    let bytes: Vec<u8> = model.parameters().flatten().flat_map(|v| v.to_le_bytes()).collect();
    write_atomically(&dir.join("model.f32"), &bytes)?;
    let panels = |method: &dyn Fn(&Digit, usize) -> Option<Digit>| -> Vec<Explained> {
        (0..data.test.len().min(FIGURE_DIGITS))
            .map(|index| {
                let (x, label) = digit(&data.test, index);
                let class = Trainable::predict(model, &x);
                Explained {
                    pixels: data.test.images.image(index).iter().map(|&l| l * (255 / LEVELS)).collect(),
                    relevance: method(&x, class).map_or_else(|| vec![0.0; PIXELS], |m| m.iter().copied().collect()),
                    outline: Vec::new(),
                    caption: format!("{class} (true {label})"),
                }
            })
            .collect()
    };
    let rows = vec![
        ("saliency".to_string(), panels(&|x, class| Saliency.attribute(model, x, class).ok())),
        ("Grad-CAM".to_string(), panels(&|x, class| GradCam.attribute(model, x, class).ok())),
    ];
    save_grid(&dir.join("explanations.png"), SIDE, &rows)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::observe::ticking;

    #[test]
    fn the_device_network_learns_the_uci_digits_the_same_way_twice() {
        let data = crate::data::digits::load(&crate::data::digits::locate(None)).unwrap();
        let settings = DigitsSettings { epochs: 20, ..DigitsSettings::default() };
        let first = run(&settings, &data, &ticking(&|| {})).unwrap();
        let again = run(&settings, &data, &ticking(&|| {})).unwrap();
        let accuracy = first.epochs.last().unwrap().test_accuracy;
        assert!(accuracy > 0.9, "test accuracy {accuracy}");
        assert!(first.epochs[19].loss < 0.5 * first.epochs[0].loss);
        assert_eq!(first.model, again.model, "same seed, same network");
        let bad = DigitsSettings { batch: 1, ..settings };
        assert!(run(&bad, &data, &ticking(&|| {})).unwrap_err().to_string().contains("--batch"));
    }
}
