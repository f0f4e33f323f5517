//! One attributions run: the network trained on decoyed images (minibatches
//! on two threads), then every method on the first test images.

use super::methods::{Maps, Method, MethodRow, explain_image};
use super::models::{Input, Model};
use super::settings::AttributionSettings;
use crate::data::decoy::DecoyData;
use crate::data::fashion::{ImageSet, Split};
use crate::error::{Error, Result};
use crate::harness::epoch::{EpochPanels, TrainingEpoch};
use crate::harness::folds::shuffle;
use crate::harness::minibatch::Training;
use crate::harness::observe::Observer;
use crate::harness::seeds::Stream;
use rayon::prelude::*;

use std::time::Instant;

/// The attributions experiment's panels of the epochs' plots.
#[derive(Debug, Clone, Copy)]
pub struct AttributionsPanels;

impl EpochPanels for AttributionsPanels {
    const LOSS: &'static str = "attributions: training loss (x: epochs)";
    const ACCURACY: &'static str = "attributions: test accuracy (x: epochs)";
}

/// What one epoch measured.
pub type Epoch = TrainingEpoch<AttributionsPanels>;

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Per-epoch measurements.
    pub epochs: Vec<Epoch>,
    /// Accuracy on the decoyed training images.
    pub train_accuracy: f32,
    /// Accuracy on the decoyed test images.
    pub test_accuracy: f32,
    /// Per method (in [`Method::ALL`]'s order), one row per explained image;
    /// empty when the method does not apply to the network.
    pub methods: Vec<Vec<MethodRow>>,
    /// The maps of every explained image (in the rows' order).
    pub maps: Vec<Maps>,
    /// The explained images as the network saw them.
    pub inputs: Vec<Input>,
    /// The trained network's parameters (see [`Model::flat_parameters`]).
    pub parameters: Vec<f32>,
    /// The decoyed test images.
    pub test: DecoyData,
}

/// Images explained in the figure.
pub const FIGURE_IMAGES: usize = 4;

/// The test images explained: `count` spread evenly over the test set (the
/// MNIST split is ordered by class, so the first ones would all be zeros).
pub fn explained_images(count: usize, len: usize) -> Vec<usize> {
    let count = count.min(len);
    (0..count).map(|i| i * len / count.max(1)).collect()
}

/// The decoyed images as network inputs in `[0, 1]` with their labels.
fn inputs(data: &DecoyData, indices: &[u32]) -> Vec<(Input, u8)> {
    indices
        .iter()
        .map(|&index| {
            let mut x = Input::zeros();
            data.input_scaled(index as usize, 1.0 / 255.0, x.as_mut_slice());
            (x, data.labels.get(index as usize).copied().unwrap_or(0))
        })
        .collect()
}

/// The share of `data` the model classifies correctly.
fn accuracy<M: Model>(model: &M, data: &DecoyData) -> f32 {
    let correct: usize = (0..data.len() as u32)
        .into_par_iter()
        .with_min_len(64)
        .map(|index| inputs(data, &[index]).iter().filter(|(x, y)| model.predict(x) == usize::from(*y)).count())
        .sum();
    correct as f32 / data.len().max(1) as f32
}

/// The training images a run uses: all, or the first `--train-limit`.
fn training_split(settings: &AttributionSettings, images: &ImageSet) -> Result<Split> {
    if images.train.len() < 2 || images.test.is_empty() {
        return Err(Error::Settings(format!(
            "the data hold {} training and {} test images; a run needs at least 2 and 1",
            images.train.len(),
            images.test.len()
        )));
    }
    let mut split = images.train.clone();
    if let Some(limit) = settings.train_limit {
        if limit > split.len() {
            return Err(Error::Settings(format!("--train-limit {limit} exceeds the {} training images", split.len())));
        }
        split.truncate(limit);
    }
    Ok(split)
}

/// Trains `M` on the decoyed training images and explains the first test
/// images with every method; `observe` sees each epoch and can stop the
/// training early (the explanations are still computed).
///
/// # Errors
/// Invalid settings or a failing training or explanation step, named.
pub fn run<M: Model>(
    settings: &AttributionSettings,
    images: &ImageSet,
    observe: Observer<'_, Epoch>,
) -> Result<Outcome> {
    let split = training_split(settings, images)?;
    let seed = settings.seed;
    let train = DecoyData::with_decoy(&split, settings.decoy, true, Stream::AttributionsTrain.seed(seed));
    let test = DecoyData::with_decoy(&images.test, settings.decoy, false, Stream::AttributionsTest.seed(seed));
    let model = M::build(&mut Stream::AttributionsInit.rng(seed)).map_err(|e| Error::core("network", e))?;
    let mut training = Training::new(model, settings.learning_rate)?;
    let example = |index: u32| inputs(&train, &[index]).remove(0);
    let mut shuffler = Stream::AttributionsShuffle.rng(seed);
    let mut order: Vec<u32> = (0..train.len() as u32).collect();
    let mut epochs = Vec::with_capacity(settings.epochs);
    for epoch in 1..=settings.epochs {
        let started = Instant::now();
        shuffle(&mut order, &mut shuffler);
        let total = training.epoch(epoch, &order, settings.batch, &example)?;
        let record = Epoch::new(
            epoch,
            (total / train.len() as f64) as f32,
            accuracy(&*training.model, &test),
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
    let model = training.model;
    let indices = explained_images(settings.explained, test.len());
    let explained: Vec<Result<(Vec<Option<MethodRow>>, Maps)>> =
        indices.par_iter().copied().map(|index| explain_image(&*model, settings, &test, index)).collect();
    let mut methods = vec![Vec::new(); Method::ALL.len()];
    let mut maps = Vec::with_capacity(indices.len());
    for result in explained {
        let (rows, image_maps) = result?;
        for (column, row) in methods.iter_mut().zip(rows) {
            column.extend(row);
        }
        maps.push(image_maps);
    }
    let as_u32 = |indices: &[usize]| indices.iter().map(|&i| i as u32).collect::<Vec<u32>>();
    Ok(Outcome {
        train_accuracy: accuracy(&*model, &train),
        test_accuracy: epochs.last().map_or(0.0, |e| e.test_accuracy),
        epochs,
        methods,
        maps,
        inputs: inputs(&test, &as_u32(&indices)).into_iter().map(|(x, _)| x).collect(),
        parameters: model.flat_parameters(),
        test,
    })
}
