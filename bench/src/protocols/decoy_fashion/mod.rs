//! Decoy Fashion-MNIST (seed 000, Table 1): a network that is right for the
//! wrong reasons, corrected by counterexamples or by an input-gradient
//! penalty.
//!
//! Every image gets a 4 x 4 patch in a random corner whose grey level is
//! `255 - 25 * label` in training and `255 - 25 * (random class)` in test: a
//! perfect shortcut that fails at test time. The 784-50-30-10 ReLU network
//! ([`Mlp`], raw 0–255 inputs, weights `N(0, 0.1^2)`) is trained with Adam
//! (lr 1e-3, batch 256), L2 1e-4 and summed cross-entropy, in one of five
//! [`Setting`]s: no correction; `c = 1, 3, 5` counterexamples per image (the
//! decoy pixels replaced by uniform noise, label kept: CAIPI's correction of
//! "these pixels don't matter"); or Ross et al.'s penalty on the input
//! gradients inside the decoy (weight 1000).
//!
//! Minibatches are split in two halves whose gradients are computed on two
//! threads and summed in a fixed order: the numbers do not depend on
//! scheduling.

pub mod reproduce;

use crate::data::fashion::{CLASS_NAMES, CLASSES, FashionMnist, PIXELS, SIDE, Split};
use crate::harness::folds::shuffle;
use crate::report::heatmap::{Explained, save_grid};
use crate::harness::limits;
use crate::harness::observe::Observer;
use crate::report::files::write_results;
use crate::harness::seeds::Stream;
use nalgebra::SVector;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;
use xil_core::nn::mlp::{Mlp, MlpExample, MlpLoss, MlpTrainer};
use xil_core::random::uniform_below;
use xil_core::{Adam, Error};

/// The network of the experiment: 784-50-30-10.
pub type Network = Mlp<PIXELS, 50, 30, CLASSES>;

/// One input image as the network sees it.
pub type Input = SVector<f32, PIXELS>;

/// Side of the decoy patch.
pub const PATCH: usize = 4;

/// How the decoy is (or is not) corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    /// No correction.
    None,
    /// One counterexample per training image.
    Ce1,
    /// Three counterexamples per training image.
    Ce3,
    /// Five counterexamples per training image.
    Ce5,
    /// The input-gradient penalty inside the decoy.
    InputGradients,
}

impl Setting {
    /// All five, in the paper's order.
    pub const ALL: [Setting; 5] = [Setting::None, Setting::Ce1, Setting::Ce3, Setting::Ce5, Setting::InputGradients];

    /// Counterexamples per training image.
    pub fn copies(self) -> usize {
        match self {
            Setting::Ce1 => 1,
            Setting::Ce3 => 3,
            Setting::Ce5 => 5,
            Setting::None | Setting::InputGradients => 0,
        }
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Setting::None => "none",
            Setting::Ce1 => "ce1",
            Setting::Ce3 => "ce3",
            Setting::Ce5 => "ce5",
            Setting::InputGradients => "input-gradients",
        }
    }

    /// The row name of Table 1.
    pub fn label(self) -> &'static str {
        match self {
            Setting::None => "no corrections",
            Setting::Ce1 => "counterexamples c=1",
            Setting::Ce3 => "counterexamples c=3",
            Setting::Ce5 => "counterexamples c=5",
            Setting::InputGradients => "input gradients",
        }
    }

    /// The paper's (train, test) accuracy.
    pub fn paper(self) -> (f32, f32) {
        match self {
            Setting::None => (0.978, 0.482),
            Setting::Ce1 => (0.938, 0.821),
            Setting::Ce3 => (0.922, 0.851),
            Setting::Ce5 => (0.924, 0.858),
            Setting::InputGradients => (0.898, 0.853),
        }
    }
}

/// Everything that defines one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecoySettings {
    /// The correction.
    pub setting: Setting,
    /// Passes over the (augmented) training set.
    pub epochs: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Adam's step size.
    pub learning_rate: f32,
    /// Weight of `|theta|^2`.
    pub l2: f32,
    /// Standard deviation of the initial weights.
    pub init_scale: f32,
    /// Weight of the input-gradient penalty (used by `input-gradients`).
    pub penalty: f32,
    /// Use only the first this many training images.
    pub train_limit: Option<usize>,
    /// Seed of decoys, counterexamples, initial weights and shuffling.
    pub seed: u64,
}

/// The optimiser of [`Network`].
pub type Trainer = MlpTrainer<PIXELS, 50, 30, CLASSES>;

impl DecoySettings {
    /// The protocol's optimiser: Adam with the settings' learning rate
    /// (betas 0.9 and 0.999, epsilon 1e-8) and their L2 weight.
    ///
    /// # Errors
    /// A one-line message for a learning rate or L2 weight Adam refuses.
    pub fn trainer(&self) -> Result<Trainer, String> {
        let adam = Adam { learning_rate: self.learning_rate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
        MlpTrainer::new(adam, self.l2).map_err(|e| format!("invalid optimiser: {e}"))
    }

    /// The paper's protocol for a setting.
    pub fn paper(setting: Setting, seed: u64) -> Self {
        Self {
            setting,
            epochs: 64,
            batch: 256,
            learning_rate: 1e-3,
            l2: 1e-4,
            init_scale: 0.1,
            penalty: 1000.0,
            train_limit: None,
            seed,
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// A one-line message naming the offending option.
    pub fn validate(&self) -> Result<(), String> {
        limits::check("--epochs", self.epochs, &limits::EPOCHS)?;
        limits::check("--batch", self.batch, &(2..=*limits::IMAGES.end()))?;
        if let Some(limit) = self.train_limit {
            limits::check("--train-limit", limit, &limits::IMAGES)?;
        }
        Ok(())
    }
}

/// The 16 pixel indices of the decoy patch in corner `corner` (bit 0: right,
/// bit 1: bottom).
pub fn patch(corner: u8) -> [usize; PATCH * PATCH] {
    let row0 = if corner & 2 == 0 { 0 } else { SIDE - PATCH };
    let column0 = if corner & 1 == 0 { 0 } else { SIDE - PATCH };
    std::array::from_fn(|i| (row0 + i / PATCH) * SIDE + column0 + i % PATCH)
}

/// Images with decoys: pixels, labels and each image's decoy corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoyData {
    /// `len * 784` pixels.
    pub pixels: Vec<u8>,
    /// The true labels.
    pub labels: Vec<u8>,
    /// The corner of each image's patch.
    pub corners: Vec<u8>,
}

impl DecoyData {
    /// Adds decoys to a split: grey `255 - 25 * label` when `honest` (training),
    /// else `255 - 25 * (uniform random class)` (test).
    pub fn new(split: &Split, honest: bool, seed: u64) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut pixels = split.images.pixels.clone();
        let mut corners = Vec::with_capacity(split.len());
        for (image, &label) in pixels.chunks_exact_mut(PIXELS).zip(&split.labels) {
            let corner = uniform_below(&mut rng, 4) as u8;
            let class = if honest { label } else { uniform_below(&mut rng, CLASSES as u32) as u8 };
            for pixel in patch(corner) {
                image[pixel] = 255 - 25 * class;
            }
            corners.push(corner);
        }
        Self { pixels, labels: split.labels.clone(), corners }
    }

    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// The first `count` images (all when there are fewer).
    pub fn first(&self, count: usize) -> Self {
        let count = count.min(self.len());
        Self {
            pixels: self.pixels.get(..count * PIXELS).unwrap_or(&self.pixels).to_vec(),
            labels: self.labels[..count].to_vec(),
            corners: self.corners.get(..count).unwrap_or(&self.corners).to_vec(),
        }
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The pixels of image `index`.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * PIXELS..(index + 1) * PIXELS]
    }

    /// Image `index` as network input (raw 0–255 values).
    pub fn input(&self, index: usize, into: &mut Input) {
        for (x, &p) in into.iter_mut().zip(self.image(index)) {
            *x = f32::from(p);
        }
    }

    /// These images followed by `copies` counterexamples of each: the image
    /// with its decoy pixels replaced by uniform noise in 0–255, same label.
    pub fn with_counterexamples(&self, copies: usize, seed: u64) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut augmented = self.clone();
        for _ in 0..copies {
            for index in 0..self.len() {
                let start = augmented.pixels.len();
                augmented.pixels.extend_from_slice(self.image(index));
                for pixel in patch(self.corners[index]) {
                    augmented.pixels[start + pixel] = uniform_below(&mut rng, 256) as u8;
                }
                augmented.labels.push(self.labels[index]);
                augmented.corners.push(self.corners[index]);
            }
        }
        augmented
    }
}

/// What one epoch measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Epoch {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean data loss per training example during the epoch.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub loss: f32,
    /// Accuracy on the decoyed test set after the epoch.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub test_accuracy: f32,
    /// Seconds spent training (not evaluating) in the epoch.
    #[serde(serialize_with = "crate::harness::record::decimals::<3, _, _>")]
    pub seconds: f64,
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Per-epoch measurements.
    pub epochs: Vec<Epoch>,
    /// Accuracy on the decoyed training images (without counterexamples).
    pub train_accuracy: f32,
    /// Accuracy on the decoyed test images.
    pub test_accuracy: f32,
    /// Mean training seconds per epoch.
    pub seconds_per_epoch: f64,
    /// The share of the test explanations inside the decoy ([`decoy_share`]).
    pub decoy_share: f32,
    /// The trained network.
    pub model: Box<Network>,
    /// The decoyed test images (for explanations).
    pub test: DecoyData,
}

/// A gradient buffer and input scratch space for one thread.
struct Worker {
    gradient: Box<Network>,
    inputs: Vec<Input>,
    patches: Vec<[usize; PATCH * PATCH]>,
}

impl Worker {
    fn new() -> Self {
        Self { gradient: Box::new(Network::zeros()), inputs: Vec::new(), patches: Vec::new() }
    }

    /// Sets the gradient to that of the summed loss of `batch`.
    fn compute(&mut self, model: &Network, loss: &MlpLoss, data: &DecoyData, batch: &[u32]) -> Result<f32, Error> {
        self.gradient.set_zero();
        self.inputs.resize(batch.len(), Input::zeros());
        self.patches.clear();
        for (input, &index) in self.inputs.iter_mut().zip(batch) {
            data.input(index as usize, input);
            self.patches.push(patch(data.corners[index as usize]));
        }
        let examples: Vec<MlpExample<PIXELS>> = batch
            .iter()
            .zip(self.inputs.iter().zip(&self.patches))
            .map(|(&index, (x, patch))| MlpExample { x, label: data.labels[index as usize], irrelevant: patch })
            .collect();
        loss.accumulate(model, &examples, &mut self.gradient)
    }
}

/// The share of `data` the model classifies correctly (in parallel, exact).
pub fn accuracy(model: &Network, data: &DecoyData) -> f32 {
    let correct: usize = (0..data.len())
        .into_par_iter()
        .with_min_len(256)
        .map_init(Input::zeros, |x, index| {
            data.input(index, x);
            usize::from(model.predict(x) == usize::from(data.labels[index]))
        })
        .sum();
    correct as f32 / data.len().max(1) as f32
}

/// Trains the network of one setting and evaluates it after every epoch;
/// `observe` sees each epoch's record and can stop the training (the outcome
/// then has the epochs so far).
///
/// # Errors
/// A one-line message for invalid settings or a failing training step.
pub fn run(settings: &DecoySettings, data: &FashionMnist, observe: Observer<'_, Epoch>) -> Result<Outcome, String> {
    settings.validate()?;
    if data.train.len() < 2 || data.test.is_empty() {
        return Err(format!(
            "the data hold {} training and {} test images; a run needs at least 2 and 1",
            data.train.len(),
            data.test.len()
        ));
    }
    let mut train_split = data.train.clone();
    if let Some(limit) = settings.train_limit {
        if limit > data.train.len() {
            return Err(format!("--train-limit {limit} exceeds the {} training images", data.train.len()));
        }
        train_split.truncate(limit);
    }
    let seed = settings.seed;
    let train = DecoyData::new(&train_split, true, Stream::DecoyTrain.seed(seed));
    let test = DecoyData::new(&data.test, false, Stream::DecoyTest.seed(seed));
    let copies = settings.setting.copies();
    let training = if copies > 0 {
        train.with_counterexamples(copies, Stream::DecoyCounterexamples.seed(seed))
    } else {
        train.clone()
    };
    let loss = if settings.setting == Setting::InputGradients {
        MlpLoss::right_reasons(settings.penalty)
    } else {
        Ok(MlpLoss::cross_entropy())
    }
    .map_err(|e| format!("--penalty: {e}"))?;
    let mut init = Stream::DecoyInit.rng(seed);
    let mut model = Box::new(Network::new(settings.init_scale, &mut init).map_err(|e| format!("--init-scale: {e}"))?);
    let mut trainer = Box::new(settings.trainer()?);
    let mut shuffler = Stream::DecoyShuffle.rng(seed);
    let mut order: Vec<u32> = (0..training.len() as u32).collect();
    let mut workers = [Worker::new(), Worker::new()];
    let mut epochs = Vec::with_capacity(settings.epochs);
    for epoch in 1..=settings.epochs {
        let started = Instant::now();
        shuffle(&mut order, &mut shuffler);
        let mut total = 0.0f64;
        for batch in order.chunks(settings.batch) {
            let (left, right) = batch.split_at(batch.len() / 2);
            let [first, second] = &mut workers;
            let (a, b) = rayon::join(
                || first.compute(&model, &loss, &training, left),
                || second.compute(&model, &loss, &training, right),
            );
            let (a, b) = (a.map_err(|e| e.to_string())?, b.map_err(|e| e.to_string())?);
            total += f64::from(a) + f64::from(b);
            *first.gradient += &second.gradient;
            trainer.apply(&mut model, &first.gradient);
        }
        let seconds = started.elapsed().as_secs_f64();
        let record = Epoch {
            epoch,
            loss: (total / training.len() as f64) as f32,
            test_accuracy: accuracy(&model, &test),
            seconds,
        };
        if !record.loss.is_finite() {
            return Err(format!("training diverged in epoch {epoch} (loss {})", record.loss));
        }
        epochs.push(record);
        if observe(&record).is_break() {
            break;
        }
    }
    let seconds_per_epoch = epochs.iter().map(|e| e.seconds).sum::<f64>() / epochs.len() as f64;
    Ok(Outcome {
        decoy_share: decoy_share(&model, &test, SHARE_IMAGES),
        train_accuracy: accuracy(&model, &train),
        test_accuracy: epochs.last().map_or(0.0, |e| e.test_accuracy),
        seconds_per_epoch,
        epochs,
        model,
        test,
    })
}

/// The explanation of image `index`: the exact contributions `x ⊙ ∇_x log
/// p_c(x)` of its pixels to the predicted class `c` (input times input
/// gradient: zero on black background, large where a bright pixel drives the
/// prediction), and `c`.
pub fn explain(model: &Network, data: &DecoyData, index: usize) -> (Input, usize) {
    let mut x = Input::zeros();
    data.input(index, &mut x);
    let class = model.predict(&x);
    let gradient = model.input_gradient(&x, class).unwrap_or_else(|_| Input::zeros());
    (gradient.component_mul(&x), class)
}

/// How much the model looks at the decoy: over the first `limit` images, the
/// mean share of the explanation's magnitude `sum |x ⊙ ∇|` that falls inside
/// the decoy patch.
pub fn decoy_share(model: &Network, data: &DecoyData, limit: usize) -> f32 {
    let shares: Vec<f32> = (0..data.len().min(limit))
        .into_par_iter()
        .map(|index| {
            let (contributions, _) = explain(model, data, index);
            let inside: f32 = patch(data.corners[index]).iter().map(|&p| contributions[p].abs()).sum();
            inside / contributions.abs().sum().max(f32::MIN_POSITIVE)
        })
        .collect();
    // Summed in order: the same numbers whatever the thread schedule.
    shares.iter().sum::<f32>() / shares.len().max(1) as f32
}

/// Test images explained in the figures of every setting.
pub const EXPLAINED_IMAGES: usize = 6;

/// The first `count` test images with their explanations, for
/// [`save_grid`].
pub fn explained(outcome: &Outcome, count: usize) -> Vec<Explained> {
    (0..outcome.test.len().min(count))
        .map(|index| {
            let (contributions, class) = explain(&outcome.model, &outcome.test, index);
            let truth = usize::from(outcome.test.labels[index]);
            Explained {
                pixels: outcome.test.image(index).to_vec(),
                relevance: contributions.iter().copied().collect(),
                outline: patch(outcome.test.corners[index]).to_vec(),
                caption: format!(
                    "{} ({})",
                    CLASS_NAMES[class],
                    if class == truth { "right" } else { CLASS_NAMES[truth] }
                ),
            }
        })
        .collect()
}

/// Test images over which [`decoy_share`] is measured.
pub const SHARE_IMAGES: usize = 2000;

/// The summary JSON of a run: the keys the command promises, the decoy share
/// of the explanations, and the settings.
pub fn summary_json(settings: &DecoySettings, outcome: &Outcome) -> serde_json::Value {
    serde_json::json!({
        "train_accuracy": outcome.train_accuracy,
        "test_accuracy": outcome.test_accuracy,
        "seconds_per_epoch": outcome.seconds_per_epoch,
        "decoy_gradient_share": outcome.decoy_share,
        "settings": settings,
    })
}

/// Writes `dir/metrics.csv` (one row per epoch), `dir/summary.json` and
/// `dir/explanations.png` (the first test images and their explanations).
///
/// # Errors
/// A one-line message when a file cannot be written.
pub fn write(dir: &Path, settings: &DecoySettings, outcome: &Outcome) -> Result<(), String> {
    write_results(dir, &outcome.epochs, &summary_json(settings, outcome))?;
    let row = (settings.setting.label().to_string(), explained(outcome, EXPLAINED_IMAGES));
    save_grid(&dir.join("explanations.png"), SIDE, &[row])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_images_keep_their_pixels_labels_and_corners() {
        let data = DecoyData {
            pixels: (0..3 * PIXELS).map(|i| (i / PIXELS) as u8).collect(),
            labels: vec![4, 5, 6],
            corners: vec![0, 1, 2],
        };
        let two = data.first(2);
        assert_eq!((two.len(), two.labels.as_slice(), two.corners.as_slice()), (2, &[4, 5][..], &[0, 1][..]));
        assert_eq!(two.pixels, data.pixels[..2 * PIXELS]);
        assert_eq!(data.first(99), data);
    }
    use crate::data::idx::Images;

    fn split(n: usize) -> Split {
        let pixels = (0..n * PIXELS).map(|i| (i % 7) as u8).collect();
        Split { images: Images { rows: SIDE, columns: SIDE, pixels }, labels: (0..n).map(|i| (i % 10) as u8).collect() }
    }

    #[test]
    fn patches_are_the_four_corners() {
        assert_eq!(patch(0)[..5], [0, 1, 2, 3, 28]);
        assert_eq!(patch(1)[0], 24);
        assert_eq!(patch(2)[0], 24 * 28);
        assert_eq!(patch(3)[15], 28 * 28 - 1);
    }

    #[test]
    fn training_decoys_encode_the_label_and_test_decoys_do_not() {
        let original = split(200);
        let train = DecoyData::new(&original, true, 1);
        for i in 0..train.len() {
            let grey = 255 - 25 * train.labels[i];
            assert!(patch(train.corners[i]).iter().all(|&p| train.image(i)[p] == grey));
            // Outside the patch the image is untouched.
            let outside = (0..PIXELS).filter(|p| !patch(train.corners[i]).contains(p));
            assert!(outside.clone().all(|p| train.image(i)[p] == original.images.image(i)[p]));
        }
        let corners: std::collections::HashSet<u8> = train.corners.iter().copied().collect();
        assert_eq!(corners.len(), 4, "every corner is used");
        let test = DecoyData::new(&split(2000), false, 2);
        let matching =
            (0..test.len()).filter(|&i| test.image(i)[patch(test.corners[i])[0]] == 255 - 25 * test.labels[i]).count();
        // A random class matches the label one time in ten.
        assert!((140..260).contains(&matching), "{matching} of 2000 test decoys match the label");
        assert_eq!(DecoyData::new(&split(50), false, 3), DecoyData::new(&split(50), false, 3), "seeded");
    }

    #[test]
    fn counterexamples_randomise_only_the_decoy_and_keep_the_label() {
        let train = DecoyData::new(&split(30), true, 4);
        let augmented = train.with_counterexamples(3, 5);
        assert_eq!(augmented.len(), 120);
        assert_eq!(&augmented.pixels[..30 * PIXELS], &train.pixels[..]);
        let mut changed = 0;
        for copy in 1..=3 {
            for i in 0..30 {
                let j = copy * 30 + i;
                assert_eq!((augmented.labels[j], augmented.corners[j]), (train.labels[i], train.corners[i]));
                let inside = patch(train.corners[i]);
                for p in 0..PIXELS {
                    if inside.contains(&p) {
                        changed += usize::from(augmented.image(j)[p] != train.image(i)[p]);
                    } else {
                        assert_eq!(augmented.image(j)[p], train.image(i)[p]);
                    }
                }
            }
        }
        assert!(changed > 90 * 16 * 9 / 10, "noise replaces nearly every decoy pixel ({changed})");
    }

    #[test]
    fn a_tiny_run_learns_and_is_deterministic() {
        let mut data = FashionMnist { train: split(300), test: split(100) };
        // Make the class visible outside the decoy too: a bright row per class.
        for split in [&mut data.train, &mut data.test] {
            for (i, &label) in split.labels.iter().enumerate() {
                let row = 6 + 2 * label as usize;
                split.images.pixels[i * PIXELS + row * SIDE..i * PIXELS + row * SIDE + SIDE].fill(200);
            }
        }
        let settings = DecoySettings { epochs: 8, batch: 32, ..DecoySettings::paper(Setting::Ce1, 9) };
        let first = run(&settings, &data, &crate::harness::observe::ticking(&|| {})).unwrap();
        let again = run(&settings, &data, &crate::harness::observe::ticking(&|| {})).unwrap();
        assert_eq!(first.epochs.len(), 8);
        assert!(first.test_accuracy > 0.9, "test accuracy {}", first.test_accuracy);
        assert_eq!(first.model, again.model, "same seed, same network");
        assert_eq!(first.test_accuracy, again.test_accuracy);
        let bad = DecoySettings { epochs: 0, ..settings };
        assert!(run(&bad, &data, &crate::harness::observe::ticking(&|| {})).unwrap_err().contains("--epochs"));
    }
}
