//! One decoy Fashion-MNIST run: epochs of minibatch training on two threads, evaluated after each.

use super::explain::{SHARE_IMAGES, decoy_share};
use super::settings::{DecoySettings, Input, Network, Setting};
use crate::data::decoy::{DecoyData, PATCH, patch};
use crate::data::fashion::{ImageSet, PIXELS, Split};
use crate::error::{Error, Result};
use crate::harness::epoch::{EpochPanels, TrainingEpoch};
use crate::harness::folds::shuffle;
use crate::harness::observe::Observer;
use crate::harness::seeds::Stream;
use rayon::prelude::*;

use std::time::Instant;
use xil_core::Error as CoreError;
use xil_core::nn::mlp::{MlpExample, MlpLoss};

/// The decoy experiment's panels of the epochs' plots.
#[derive(Debug, Clone, Copy)]
pub struct DecoyPanels;

impl EpochPanels for DecoyPanels {
    const LOSS: &'static str = "decoy: training loss (x: epochs)";
    const ACCURACY: &'static str = "decoy: test accuracy (x: epochs)";
}

/// What one epoch measured.
pub type Epoch = TrainingEpoch<DecoyPanels>;

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
    fn compute(
        &mut self,
        model: &Network,
        loss: &MlpLoss,
        data: &DecoyData,
        batch: &[u32],
    ) -> std::result::Result<f32, CoreError> {
        self.gradient.set_zero();
        self.inputs.resize(batch.len(), Input::zeros());
        self.patches.clear();
        for (input, &index) in self.inputs.iter_mut().zip(batch) {
            data.input_scaled(index as usize, 1.0, input.as_mut_slice());
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
            data.input_scaled(index, 1.0, x.as_mut_slice());
            usize::from(model.predict(x) == usize::from(data.labels[index]))
        })
        .sum();
    correct as f32 / data.len().max(1) as f32
}

/// The training images a run uses: all, or the first `--train-limit`.
fn training_images(settings: &DecoySettings, data: &ImageSet) -> Result<Split> {
    settings.validate()?;
    if data.train.len() < 2 || data.test.is_empty() {
        return Err(Error::Settings(format!(
            "the data hold {} training and {} test images; a run needs at least 2 and 1",
            data.train.len(),
            data.test.len()
        )));
    }
    let mut train_split = data.train.clone();
    if let Some(limit) = settings.train_limit {
        if limit > data.train.len() {
            return Err(Error::Settings(format!(
                "--train-limit {limit} exceeds the {} training images",
                data.train.len()
            )));
        }
        train_split.truncate(limit);
    }
    Ok(train_split)
}

/// Trains the network of one setting and evaluates it after every epoch;
/// `observe` sees each epoch's record and can stop the training (the outcome
/// then has the epochs so far).
///
/// # Errors
/// A one-line message for invalid settings or a failing training step.
pub fn run(settings: &DecoySettings, data: &ImageSet, observe: Observer<'_, Epoch>) -> Result<Outcome> {
    let train_split = training_images(settings, data)?;
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
    .map_err(|e| Error::core("--penalty", e))?;
    let mut init = Stream::DecoyInit.rng(seed);
    let mut model = Box::new(Network::new(settings.init_scale, &mut init).map_err(|e| Error::core("--init-scale", e))?);
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
            let step = |e| Error::core(format!("epoch {epoch}, gradient"), e);
            let (a, b) = (a.map_err(step)?, b.map_err(step)?);
            total += f64::from(a) + f64::from(b);
            *first.gradient += &second.gradient;
            trainer.apply(&mut model, &first.gradient);
        }
        let seconds = started.elapsed().as_secs_f64();
        let record = Epoch::new(epoch, (total / training.len() as f64) as f32, accuracy(&model, &test), seconds);
        if !record.loss.is_finite() {
            return Err(Error::Diverged { epoch, loss: record.loss });
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
