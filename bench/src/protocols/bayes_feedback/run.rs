//! One Bayesian feedback run: decoy images (a square in every corner),
//! 90 / 10 train / validation split, the Bayesian `LeNet-5` trained without
//! feedback, then fine-tuned with the evidence of the annotated images
//! (early stopping on validation macro-F1), measured before and after:
//! accuracy of the predictive distribution, attribution overlap with the
//! decoys on annotated test images, and the same network trained on clean
//! images.

use super::right_reasons::{Baseline, RightReasons, right_reasons};
use super::settings::BayesSettings;
use super::train::{Example, Image, Trainer, entropy, epoch, evidence, predictions, predictive, trainer};
use crate::data::decoy::{Decoy, DecoyData};
use crate::data::fashion::{CLASSES, ImageSet, PIXELS, Split};
use crate::error::{Error, Result};
use crate::harness::folds::shuffle;
use crate::harness::observe::Observer;
use crate::harness::record::{Metric, Record};
use crate::harness::seeds::Stream;
use crate::protocols::attributions::methods::{Budgets, Method, attribute};
use crate::protocols::attributions::models::{Attributable, Input};
use crate::protocols::attributions::run::explained_images;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use xil_core::metrics::{accuracy, attribution_overlap, macro_f1};
use xil_core::nn::cnn::BayesLeNet5;

/// The methods of seed 003's Table 2.
pub const METHODS: [Method; 4] = [Method::Saliency, Method::DeepLift, Method::GradCam, Method::Occlusion];

/// What one epoch measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FeedbackEpoch {
    /// 0: without feedback, 1: fine-tuning with feedback, 2: the network on
    /// clean images, 3: the control (fine-tuning as phase 1, no evidence),
    /// 4 and 5: the deterministic baseline without and with its penalty.
    pub phase: usize,
    /// 1-based epoch within the phase.
    pub epoch: usize,
    /// Mean `-ln p(y | x)` per training image.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub label_loss: f32,
    /// Mean evidence term per training image (the baseline: its penalty).
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub evidence_loss: f32,
    /// `KL / n`.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub kl: f32,
    /// Validation macro-F1 of the means' network.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub validation_f1: f32,
    /// Test accuracy of the means' network.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub test_accuracy: f32,
    /// Seconds of training in the epoch.
    #[serde(serialize_with = "crate::harness::record::decimals::<3, _, _>")]
    pub seconds: f64,
}

impl Record for FeedbackEpoch {
    const METRICS: &'static [Metric<Self>] = &[
        Metric { name: "label loss", panel: "bayes-feedback: label loss (x: epochs)", value: |e| e.label_loss },
        Metric {
            name: "validation macro-F1",
            panel: "bayes-feedback: validation F1 (x: epochs)",
            value: |e| e.validation_f1,
        },
        Metric {
            name: "test accuracy",
            panel: "bayes-feedback: test accuracy (x: epochs)",
            value: |e| e.test_accuracy,
        },
    ];

    fn fold(&self) -> usize {
        self.phase
    }

    fn step(&self) -> usize {
        self.epoch
    }
}

/// The network measured at the end of a phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// Test accuracy of the predictive distribution (= micro precision,
    /// recall and F1 for one label per image).
    pub accuracy: f32,
    /// Test macro-F1 of the predictive distribution.
    pub f1_macro: f32,
    /// Mean predictive entropy on the test images, in nats.
    pub entropy: f32,
    /// Mean attribution overlap with the decoys per method of [`METHODS`]
    /// (the means' network, the predicted class).
    pub overlap: Vec<f32>,
    /// Mean predictive entropy on out-of-distribution images (the other
    /// data set's first test images), when that data set was found.
    pub ood_entropy: Option<f32>,
}

/// Out-of-distribution images measured for the predictive entropy.
pub const OOD_IMAGES: usize = 1000;

/// The result of a run. Its serde form (what a sweep's job hands to the
/// merge) leaves out the maps, which the run's own folder holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BayesOutcome {
    /// Every epoch of every phase.
    pub epochs: Vec<FeedbackEpoch>,
    /// Without feedback.
    pub before: Measured,
    /// After fine-tuning with feedback (the best epoch by validation F1).
    pub after: Measured,
    /// The fine-tuning epoch kept.
    pub best_epoch: usize,
    /// The control: the same fine-tuning (epochs, minibatch orders, noise,
    /// early stopping) without the evidence, so that `after - control` is
    /// what the feedback did and `control - before` what the epochs did.
    pub control: Measured,
    /// The control's epoch kept.
    pub control_epoch: usize,
    /// The deterministic `LeNet-5` with Ross et al.'s penalty on the same
    /// feedback.
    pub right_reasons: RightReasons,
    /// Training images annotated.
    pub annotated: usize,
    /// Training and validation images.
    pub split: (usize, usize),
    /// Test accuracy of the network trained on clean images.
    pub clean_accuracy: f32,
    /// `DeepLIFT` maps of the first explained test images, before and after.
    #[serde(skip)]
    pub maps: Vec<(Input, Input, Input)>,
}

/// Image `index` of `data` as the network reads it.
fn image(data: &DecoyData, index: usize) -> Image {
    let mut x = Image::zeros();
    data.input_scaled(index, 1.0 / 255.0, x.as_mut_slice());
    x
}

/// Image `index` of a clean split as the network reads it.
fn clean_image(split: &Split, index: usize) -> Image {
    let mut x = Image::zeros();
    for (v, &p) in x.as_mut_slice().iter_mut().zip(split.images.image(index)) {
        *v = f32::from(p) / 255.0;
    }
    x
}

/// The decoy pixels of image `index` as a mask.
fn decoy_mask(data: &DecoyData, index: usize) -> Vec<bool> {
    let mut mask = vec![false; PIXELS];
    for pixel in data.decoy_pixels(index) {
        if let Some(flag) = mask.get_mut(pixel) {
            *flag = true;
        }
    }
    mask
}

/// The training split (all images, or the first `--train-limit`).
fn training_split(settings: &BayesSettings, images: &ImageSet) -> Result<Split> {
    let mut split = images.train.clone();
    if let Some(limit) = settings.train_limit {
        if limit > split.len() {
            return Err(Error::Settings(format!("--train-limit {limit} exceeds the {} training images", split.len())));
        }
        split.truncate(limit);
    }
    if split.len() < 20 || images.test.is_empty() {
        return Err(Error::Settings(format!(
            "a run needs at least 20 training and 1 test image, not {} and {}",
            split.len(),
            images.test.len()
        )));
    }
    Ok(split)
}

/// The decoy test images and those whose attributions are measured.
pub(super) struct TestImages<'a> {
    /// The decoyed test set (labels and decoy squares).
    pub data: &'a DecoyData,
    /// Its images as the networks read them.
    pub images: &'a [Image],
    /// The indices explained.
    pub explained: &'a [usize],
}

/// The first class of highest probability.
fn most_likely(p: &[f32; CLASSES]) -> u8 {
    (0..CLASSES).fold(0, |best, c| if p[c] > p[best] { c } else { best }) as u8
}

/// Mean entropy of distributions, in nats.
fn mean_entropy(distributions: &[[f32; CLASSES]]) -> f32 {
    distributions.iter().map(|p| entropy(p)).sum::<f32>() / distributions.len().max(1) as f32
}

/// Measures a network at the end of a phase from its distributions on the
/// test images (and on out-of-distribution images, when there are some),
/// the attribution methods explaining `explained_by` for the class
/// `predict` gives.
///
/// # Errors
/// A method that fails or does not apply, named.
pub(super) fn measure<M: Attributable + Sync>(
    (explained_by, predict): (&M, &(dyn Fn(&Image) -> usize + Sync)),
    distributions: &[[f32; CLASSES]],
    ood: Option<&[[f32; CLASSES]]>,
    test: &TestImages<'_>,
    seed: u64,
) -> Result<Measured> {
    let predicted: Vec<u8> = distributions.iter().map(most_likely).collect();
    let overlaps: Vec<Vec<f32>> = test
        .explained
        .par_iter()
        .map(|&index| {
            let x = Input::from_column_slice(test.images[index].as_slice());
            let class = predict(&test.images[index]);
            let mask = decoy_mask(test.data, index);
            let mut rng = Stream::AttributionsExplain(index).rng(seed);
            METHODS
                .iter()
                .map(|&method| {
                    let map = attribute(explained_by, method, &x, class, Budgets::DEFAULT, &mut rng)
                        .map_err(|e| Error::core(method.name(), e))?
                        .ok_or_else(|| Error::Settings(format!("{} does not apply", method.name())))?;
                    Ok(attribution_overlap(map.as_slice(), &mask))
                })
                .collect::<Result<Vec<f32>>>()
        })
        .collect::<Result<_>>()?;
    let count = overlaps.len().max(1) as f32;
    Ok(Measured {
        accuracy: accuracy(&predicted, &test.data.labels),
        f1_macro: macro_f1::<CLASSES>(&predicted, &test.data.labels),
        entropy: mean_entropy(distributions),
        overlap: (0..METHODS.len()).map(|m| overlaps.iter().map(|o| o[m]).sum::<f32>() / count).collect(),
        ood_entropy: ood.map(mean_entropy),
    })
}

/// Measures the Bayesian network: its predictive distribution
/// (`--eval-samples` Monte Carlo samples), its means' network explained.
fn measure_bayes(
    model: &BayesLeNet5,
    settings: &BayesSettings,
    test: &TestImages<'_>,
    ood: Option<&[Image]>,
) -> Result<Measured> {
    let distributions = predictive(model, test.images, settings.eval_samples, settings.seed);
    let ood = ood.map(|images| predictive(model, images, settings.eval_samples, settings.seed));
    let mut means = model.clone();
    means.clear_noise();
    measure((&means, &|x| means.predict(x)), &distributions, ood.as_deref(), test, settings.seed)
}

/// `DeepLIFT` of the means' network on test image `index`, for the
/// predicted class.
fn deeplift(model: &BayesLeNet5, x: &Image, seed: u64) -> Result<Input> {
    let mut means = model.clone();
    means.clear_noise();
    let input = Input::from_column_slice(x.as_slice());
    let class = means.predict(x);
    attribute(&means, Method::DeepLift, &input, class, Budgets::DEFAULT, &mut Stream::AttributionsExplain(0).rng(seed))
        .map_err(|e| Error::core("deeplift", e))?
        .ok_or_else(|| Error::Settings("DeepLIFT does not apply".into()))
}

/// Runs the whole protocol; `observe` sees every epoch (a break stops the
/// current phase early).
///
/// # Errors
/// Invalid settings, too few images or a failing step, named.
pub fn run(
    settings: &BayesSettings,
    (images, other): (&ImageSet, Option<&ImageSet>),
    observe: Observer<'_, FeedbackEpoch>,
) -> Result<BayesOutcome> {
    settings.validate()?;
    let ood: Option<Vec<Image>> =
        other.map(|other| (0..other.test.len().min(OOD_IMAGES)).map(|i| clean_image(&other.test, i)).collect());
    let seed = settings.seed;
    let split = training_split(settings, images)?;
    let decoyed = DecoyData::with_decoy(&split, Decoy::FourCorners, true, Stream::BayesTrain.seed(seed));
    let test = DecoyData::with_decoy(&images.test, Decoy::FourCorners, false, Stream::BayesTest.seed(seed));
    let test_images: Vec<Image> = (0..test.len()).into_par_iter().map(|i| image(&test, i)).collect();
    // 90 / 10 train / validation.
    let mut order: Vec<usize> = (0..decoyed.len()).collect();
    shuffle(&mut order, &mut Stream::BayesSplit.rng(seed));
    let validation_size = (decoyed.len() / 10).max(1);
    let (validation, training) = order.split_at(validation_size);
    let validation_images: Vec<Image> = validation.iter().map(|&i| image(&decoyed, i)).collect();
    let validation_labels: Vec<u8> = validation.iter().map(|&i| decoyed.labels[i]).collect();
    let examples: Vec<Example> =
        training.iter().map(|&i| Example { x: image(&decoyed, i), label: decoyed.labels[i], evidence: None }).collect();
    let explained = explained_images(settings.explained, test.len());
    // The figure's images, spread over the test set (MNIST's is ordered by class).
    let shown = explained_images(crate::protocols::attributions::run::FIGURE_IMAGES, test.len());
    let mut epochs = Vec::new();
    let validation_f1 =
        |model: &BayesLeNet5| macro_f1::<CLASSES>(&predictions(model, &validation_images), &validation_labels);
    let test_accuracy = |model: &BayesLeNet5| accuracy(&predictions(model, &test_images), &test.labels);
    let n = examples.len();
    // Phase 0: without feedback.
    let mut model = Box::new(BayesLeNet5::new(&mut Stream::BayesInit { clean: false }.rng(seed)));
    let mut optimiser = trainer(settings.learning_rate, settings.prior, n)?;
    for e in 1..=settings.epochs_before {
        let started = Instant::now();
        let terms = epoch(&mut model, &mut optimiser, &examples, (settings.batch, settings.mc), (0, e, seed))?;
        let row = row((0, e), terms, validation_f1(&model), test_accuracy(&model), started);
        epochs.push(row);
        if observe(&row).is_break() {
            break;
        }
    }
    let test_set = TestImages { data: &test, images: &test_images, explained: &explained };
    let before = measure_bayes(&model, settings, &test_set, ood.as_deref())?;
    let maps_before: Vec<Input> =
        shown.iter().map(|&i| deeplift(&model, &test_images[i], seed)).collect::<Result<_>>()?;
    // The annotator marks the decoys of a share of the training images.
    let annotated = ((settings.feedback_share * n as f32).round() as usize).clamp(1, n);
    let mut chosen: Vec<usize> = (0..n).collect();
    shuffle(&mut chosen, &mut Stream::BayesAnnotated.rng(seed));
    chosen.truncate(annotated);
    let masks: Vec<(usize, Vec<bool>)> = chosen.iter().map(|&k| (k, decoy_mask(&decoyed, training[k]))).collect();
    let tuning = FineTuning { settings, validation_f1: &validation_f1, test_accuracy: &test_accuracy, observe };
    // Phase 3, the control: fine-tuning without the evidence.
    let (control_epoch, control) = fine_tune((&model, &optimiser), &examples, &[], 3, &tuning, &mut epochs)?;
    let control = measure_bayes(&control, settings, &test_set, ood.as_deref())?;
    // Phase 1: fine-tuning with the evidence, early stopping on validation F1.
    let (best_epoch, tuned) = fine_tune((&model, &optimiser), &examples, &masks, 1, &tuning, &mut epochs)?;
    let after = measure_bayes(&tuned, settings, &test_set, ood.as_deref())?;
    let maps: Vec<(Input, Input, Input)> = shown
        .iter()
        .zip(maps_before)
        .map(|(&i, before)| {
            Ok((Input::from_column_slice(test_images[i].as_slice()), before, deeplift(&tuned, &test_images[i], seed)?))
        })
        .collect::<Result<_>>()?;
    // Phase 2: the same network on clean images, as many epochs.
    let clean_examples: Vec<Example> = training
        .iter()
        .map(|&i| Example { x: clean_image(&split, i), label: split.labels[i], evidence: None })
        .collect();
    let clean_test: Vec<Image> = (0..images.test.len()).map(|i| clean_image(&images.test, i)).collect();
    let clean_validation: Vec<Image> = validation.iter().map(|&i| clean_image(&split, i)).collect();
    let mut clean = Box::new(BayesLeNet5::new(&mut Stream::BayesInit { clean: true }.rng(seed)));
    let mut clean_optimiser = trainer(settings.learning_rate, settings.prior, n)?;
    for e in 1..=settings.epochs_before + settings.epochs_after {
        let started = Instant::now();
        let terms =
            epoch(&mut clean, &mut clean_optimiser, &clean_examples, (settings.batch, settings.mc), (2, e, seed))?;
        let accuracy_now = accuracy(&predictions(&clean, &clean_test), &images.test.labels);
        let f1 = macro_f1::<CLASSES>(&predictions(&clean, &clean_validation), &validation_labels);
        let row = row((2, e), terms, f1, accuracy_now, started);
        epochs.push(row);
        if observe(&row).is_break() {
            break;
        }
    }
    // The deterministic baseline on the same feedback.
    let right_reasons = right_reasons(
        &Baseline {
            settings,
            examples: &examples,
            masks: &masks,
            validation: (&validation_images, &validation_labels),
            test: &test_set,
            ood: ood.as_deref(),
            observe,
        },
        &mut epochs,
    )?;
    let clean_distributions = predictive(&clean, &clean_test, settings.eval_samples, seed);
    let clean_predicted: Vec<u8> = clean_distributions.iter().map(most_likely).collect();
    Ok(BayesOutcome {
        epochs,
        before,
        after,
        best_epoch,
        control,
        control_epoch,
        right_reasons,
        annotated,
        split: (training.len(), validation.len()),
        clean_accuracy: accuracy(&clean_predicted, &images.test.labels),
        maps,
    })
}

/// What fine-tuning is scored and watched by.
struct FineTuning<'a> {
    settings: &'a BayesSettings,
    validation_f1: &'a (dyn Fn(&BayesLeNet5) -> f32 + Sync),
    test_accuracy: &'a (dyn Fn(&BayesLeNet5) -> f32 + Sync),
    observe: Observer<'a, FeedbackEpoch>,
}

/// Fine-tunes copies of the network and optimiser left by phase 0 for at
/// most `--epochs-after` epochs, the training images `masks` names carrying
/// the evidence of their mask (selected anew from the current weights before
/// every epoch; no masks: the control), with the minibatch orders and noise
/// of phase 1 whatever `phase` the rows are filed under. Returns the epoch
/// of the best validation F1 (0: none beat the start) and its network.
fn fine_tune(
    (start, optimiser): (&BayesLeNet5, &Trainer),
    examples: &[Example],
    masks: &[(usize, Vec<bool>)],
    phase: usize,
    tuning: &FineTuning<'_>,
    rows: &mut Vec<FeedbackEpoch>,
) -> Result<(usize, Box<BayesLeNet5>)> {
    let settings = tuning.settings;
    // The evidence goes on a copy of the examples (none for the control).
    let mut annotated = std::borrow::Cow::Borrowed(examples);
    let mut model = Box::new(start.clone());
    let mut optimiser = Box::new(optimiser.clone());
    let mut best = ((tuning.validation_f1)(&model), 0usize, model.clone());
    for e in 1..=settings.epochs_after {
        for (k, mask) in masks {
            if let Some(example) = annotated.to_mut().get_mut(*k) {
                example.evidence = Some(Box::new(evidence(&model, &example.x, mask)));
            }
        }
        let started = Instant::now();
        let terms =
            epoch(&mut model, &mut optimiser, &annotated, (settings.batch, settings.mc), (1, e, settings.seed))?;
        let f1 = (tuning.validation_f1)(&model);
        let row = row((phase, e), terms, f1, (tuning.test_accuracy)(&model), started);
        rows.push(row);
        if f1 > best.0 {
            best = (f1, e, model.clone());
        }
        if (tuning.observe)(&row).is_break() {
            break;
        }
    }
    Ok((best.1, best.2))
}

/// An epoch's row.
fn row(
    (phase, epoch): (usize, usize),
    terms: super::train::EpochTerms,
    validation_f1: f32,
    test_accuracy: f32,
    started: Instant,
) -> FeedbackEpoch {
    FeedbackEpoch {
        phase,
        epoch,
        label_loss: terms.label,
        evidence_loss: terms.evidence,
        kl: terms.kl,
        validation_f1,
        test_accuracy,
        seconds: started.elapsed().as_secs_f64(),
    }
}
