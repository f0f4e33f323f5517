//! The baseline at equal feedback: the deterministic `LeNet-5` trained as
//! the Bayesian one (same decoy images, split, epochs, minibatches and Adam),
//! then fine-tuned with Ross et al.'s input-gradient penalty on the same
//! annotated images and masks (core's
//! [`Classifier::accumulate_right_reasons`](xil_core::nn::cnn::Classifier::accumulate_right_reasons),
//! weight `--penalty-weight`, Ross's 1,000 by default, beside the summed
//! cross-entropy), early stopping on validation macro-F1 — so the report can
//! say whether the Bayesian route does better with the same 0.4 %.

use super::run::{FeedbackEpoch, Measured, TestImages, measure};
use super::settings::BayesSettings;
use super::train::{Example, Image};
use crate::data::fashion::CLASSES;
use crate::error::{Error, Result};
use crate::harness::folds::shuffle;
use crate::harness::observe::Observer;
use crate::harness::seeds::Stream;
use crate::protocols::attributions::models::{Input, Model};
use rayon::prelude::*;
use std::time::Instant;
use xil_core::Adam;
use xil_core::metrics::{accuracy, macro_f1};
use xil_core::nn::cnn::architectures::{LeNet5Features, LeNet5Head};
use xil_core::nn::cnn::{ClassifierExample, ClassifierTrainer, LeNet5, Tensor};

/// The trainer of the deterministic `LeNet-5` (no weight decay).
type Trainer = ClassifierTrainer<LeNet5Features, LeNet5Head>;

/// What the baseline is trained on and scored by.
pub(super) struct Baseline<'a> {
    /// The run's settings.
    pub settings: &'a BayesSettings,
    /// The training examples (their Bayesian evidence is not used).
    pub examples: &'a [Example],
    /// Positions into `examples` of the annotated images, with their masks.
    pub masks: &'a [(usize, Vec<bool>)],
    /// Validation images and labels (early stopping).
    pub validation: (&'a [Image], &'a [u8]),
    /// The decoy test images.
    pub test: &'a TestImages<'a>,
    /// Out-of-distribution images, when found.
    pub ood: Option<&'a [Image]>,
    /// Sees every epoch (phase 4: before, 5: with the penalty).
    pub observe: Observer<'a, FeedbackEpoch>,
}

/// The baseline measured after its fine-tuning, and the epoch kept.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RightReasons {
    /// Before the penalty (the deterministic network's "no feedback").
    pub before: Measured,
    /// After fine-tuning with the penalty (the best epoch by validation F1).
    pub after: Measured,
    /// The fine-tuning epoch kept (0: none beat the start).
    pub best_epoch: usize,
}

/// Trains and fine-tunes the baseline; its epochs are added to `rows`.
///
/// # Errors
/// A step core refuses or an attribution that fails, named.
pub(super) fn right_reasons(baseline: &Baseline<'_>, rows: &mut Vec<FeedbackEpoch>) -> Result<RightReasons> {
    let settings = baseline.settings;
    let adam = Adam { learning_rate: settings.learning_rate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    let mut trainer = Box::new(Trainer::new(adam, 0.0).map_err(|e| Error::core("--learning-rate", e))?);
    let mut model = Box::new(LeNet5::new(&mut Stream::RightReasonsInit.rng(settings.seed)));
    let (validation, validation_labels) = baseline.validation;
    let validation_f1 = |model: &LeNet5| {
        let predicted: Vec<u8> = validation.par_iter().map(|x| model.predict(x) as u8).collect();
        macro_f1::<CLASSES>(&predicted, validation_labels)
    };
    let test_accuracy = |model: &LeNet5| {
        let predicted: Vec<u8> = baseline.test.images.par_iter().map(|x| model.predict(x) as u8).collect();
        accuracy(&predicted, &baseline.test.data.labels)
    };
    let mut masks: Vec<Option<Image>> = vec![None; baseline.examples.len()];
    for (k, mask) in baseline.masks {
        if let Some(slot) = masks.get_mut(*k) {
            let mut irrelevant = Image::zeros();
            for (a, &flag) in irrelevant.as_mut_slice().iter_mut().zip(mask) {
                *a = f32::from(u8::from(flag));
            }
            *slot = Some(irrelevant);
        }
    }
    let mut watch = |phase: usize, e: usize, (label, penalty): (f32, f32), model: &LeNet5, started: Instant| {
        let row = FeedbackEpoch {
            phase,
            epoch: e,
            label_loss: label,
            evidence_loss: penalty,
            kl: 0.0,
            validation_f1: validation_f1(model),
            test_accuracy: test_accuracy(model),
            seconds: started.elapsed().as_secs_f64(),
        };
        rows.push(row);
        (baseline.observe)(&row).is_break()
    };
    let unpenalised = vec![None; baseline.examples.len()];
    for e in 1..=settings.epochs_before {
        let started = Instant::now();
        let terms = epoch(&mut model, &mut trainer, (baseline.examples, &unpenalised), settings, (4, e))?;
        if watch(4, e, terms, &model, started) {
            break;
        }
    }
    let before = measure_lenet(&model, baseline)?;
    let mut best = (validation_f1(&model), 0, model.clone());
    for e in 1..=settings.epochs_after {
        let started = Instant::now();
        let terms = epoch(&mut model, &mut trainer, (baseline.examples, &masks), settings, (5, e))?;
        let f1 = validation_f1(&model);
        if f1 > best.0 {
            best = (f1, e, model.clone());
        }
        if watch(5, e, terms, &model, started) {
            break;
        }
    }
    Ok(RightReasons { before, after: measure_lenet(&best.2, baseline)?, best_epoch: best.1 })
}

/// One epoch of minibatches (`--batch`), the gradients of each minibatch's
/// cross-entropy and penalties summed over chunks on the bench's threads in
/// a fixed order; returns the mean cross-entropy and the mean penalty per
/// training image.
fn epoch(
    model: &mut LeNet5,
    trainer: &mut Trainer,
    (examples, masks): (&[Example], &[Option<Image>]),
    settings: &BayesSettings,
    (phase, epoch): (usize, usize),
) -> Result<(f32, f32)> {
    /// Examples per chunk of a minibatch.
    const CHUNK: usize = 32;
    let mut order: Vec<u32> = (0..examples.len() as u32).collect();
    shuffle(&mut order, &mut Stream::BayesShuffle { phase, epoch }.rng(settings.seed));
    let (mut label_total, mut penalty_total) = (0.0f64, 0.0f64);
    let mut gradient = Box::new(LeNet5::zeros());
    for minibatch in order.chunks(settings.batch.max(1)) {
        let parts: Vec<(Box<LeNet5>, f32, f32)> = minibatch
            .par_chunks(CHUNK)
            .map(|members| {
                let mut part = Box::new(LeNet5::zeros());
                let chunk: Vec<ClassifierExample<'_, Tensor<1, 28, 28>>> = members
                    .iter()
                    .map(|&i| ClassifierExample { x: &examples[i as usize].x, label: examples[i as usize].label })
                    .collect();
                let label = model.accumulate(&chunk, &mut part).map_err(|e| Error::core("LeNet-5 training", e))?;
                let mut penalty = 0.0;
                for &i in members {
                    if let Some(irrelevant) = &masks[i as usize] {
                        penalty += model
                            .accumulate_right_reasons(
                                &examples[i as usize].x,
                                irrelevant,
                                settings.penalty_weight,
                                &mut part,
                            )
                            .map_err(|e| Error::core("input-gradient penalty", e))?;
                    }
                }
                Ok((part, label, penalty))
            })
            .collect::<Result<_>>()?;
        gradient.set_zero();
        for (part, label, penalty) in &parts {
            gradient.add(part);
            label_total += f64::from(*label);
            penalty_total += f64::from(*penalty);
        }
        trainer.apply(model, &gradient);
    }
    let n = examples.len().max(1) as f64;
    Ok(((label_total / n) as f32, (penalty_total / n) as f32))
}

/// The deterministic network measured: its softmax as the distribution.
fn measure_lenet(model: &LeNet5, baseline: &Baseline<'_>) -> Result<Measured> {
    let softmax = |images: &[Image]| -> Vec<[f32; CLASSES]> {
        images.par_iter().map(|x| Model::probabilities(model, &Input::from_column_slice(x.as_slice()))).collect()
    };
    let ood = baseline.ood.map(softmax);
    measure(
        (model, &|x| model.predict(x)),
        &softmax(baseline.test.images),
        ood.as_deref(),
        baseline.test,
        baseline.settings.seed,
    )
}
