//! Decoy Fashion-MNIST with a user in the loop, one answer at a time: the
//! session the app's Images tab serves.
//!
//! A session starts from the decoy protocol's network trained without
//! corrections on the first training images ([`Pretrained`]; it leans on the
//! decoy patch, whose grey level gives the class away in training but not in
//! the test set). Then, image by image from the rest of the training split
//! in a seeded random order, the user gives the class and the pixels the
//! prediction must not depend on; each answer adds the image with its mask,
//! and the network takes a few Adam steps (the decoy protocol's optimiser)
//! on minibatches of every answered image plus random training images, with
//! the right-reasons loss. Everything is a function of the settings and the
//! answers.

use super::explain::decoy_share;
use super::run::{accuracy, run};
use super::settings::{DecoySettings, Input, Network, Setting, Trainer};
use crate::data::decoy::DecoyData;
use crate::data::fashion::{CLASSES, ImageSet, PIXELS};
use crate::error::{Error, Result};
use crate::harness::folds::shuffle;
use crate::harness::limits;
use crate::harness::observe::ticking;
use crate::harness::seeds::Stream;
use crate::protocols::attributions::DataSet;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use xil_core::nn::mlp::{MlpExample, MlpLoss};
use xil_core::random::uniform_below;

/// What defines a session besides the user's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSettings {
    /// The images (sessions saved before MNIST was offered are
    /// Fashion-MNIST's).
    #[serde(default)]
    pub data: DataSet,
    /// Seed of decoys, the first training, the query order and the refits.
    pub seed: u64,
    /// Training images of the first network (no corrections).
    pub pretrain_images: usize,
    /// Epochs of the first network.
    pub pretrain_epochs: usize,
    /// Adam steps after each answer.
    pub steps_per_answer: usize,
    /// Random training images in each refit minibatch (besides every
    /// answered image).
    pub batch: usize,
    /// Weight of the input-gradient penalty on painted pixels.
    pub penalty: f32,
    /// Test images measured after each answer.
    pub test_images: usize,
}

impl Default for SessionSettings {
    /// Seed 0; a first network from 5,000 images and 4 epochs; 30 steps of
    /// 64 images per answer; penalty 1,000 (the decoy experiment's); 2,000
    /// test images.
    fn default() -> Self {
        Self {
            data: DataSet::Fashion,
            seed: 0,
            pretrain_images: 5000,
            pretrain_epochs: 4,
            steps_per_answer: 30,
            batch: 64,
            penalty: 1000.0,
            test_images: 2000,
        }
    }
}

impl SessionSettings {
    /// Checks the settings before a session starts.
    ///
    /// # Errors
    /// [`Error::Settings`] naming the first impossible value.
    pub fn validate(&self) -> Result<()> {
        if !(100..=50_000).contains(&self.pretrain_images) {
            return Err(Error::Settings(format!(
                "the first network needs 100 to 50,000 images, not {}",
                self.pretrain_images
            )));
        }
        limits::check("pretrain_epochs", self.pretrain_epochs, &limits::EPOCHS)?;
        limits::check("steps_per_answer", self.steps_per_answer, &limits::STEPS_PER_FIT)?;
        limits::check("batch", self.batch, &(1..=*limits::IMAGES.end()))?;
        if !(self.penalty.is_finite() && self.penalty >= 0.0) {
            return Err(Error::Settings(format!("the penalty must be at least 0, not {}", self.penalty)));
        }
        if !(1..=10_000).contains(&self.test_images) {
            return Err(Error::Settings(format!("test images must be 1 to 10,000, not {}", self.test_images)));
        }
        Ok(())
    }

    /// What the first network depends on: data set, seed, images and
    /// epochs.
    pub fn pretraining(&self) -> (DataSet, u64, usize, usize) {
        (self.data, self.seed, self.pretrain_images, self.pretrain_epochs)
    }
}

/// The training split with the decoys every session of `seed` uses (those of
/// the first network's training images).
pub fn training_images(fashion: &ImageSet, seed: u64) -> DecoyData {
    DecoyData::new(&fashion.train, true, Stream::DecoyTrain.seed(seed))
}

/// A network trained without corrections, with its test set: what every
/// session of the same [`SessionSettings::pretraining`] starts from.
pub struct Pretrained {
    /// Data set, seed, images and epochs it was trained with.
    pub key: (DataSet, u64, usize, usize),
    model: Box<Network>,
    test: DecoyData,
}

impl Pretrained {
    /// Trains the decoy protocol's network without corrections.
    ///
    /// # Errors
    /// The decoy run's error.
    pub fn train(fashion: &ImageSet, settings: &SessionSettings) -> Result<Self> {
        let decoy = DecoySettings {
            epochs: settings.pretrain_epochs,
            train_limit: Some(settings.pretrain_images),
            ..DecoySettings::paper(Setting::None, settings.seed)
        };
        let outcome = run(&decoy, fashion, &ticking(&|| {}))?;
        Ok(Self { key: settings.pretraining(), model: outcome.model, test: outcome.test })
    }
}

/// A session going on: the network, its optimiser, the images still to ask
/// about and the answers so far.
pub struct CorrectionSession<'w> {
    train: &'w DecoyData,
    test: DecoyData,
    settings: SessionSettings,
    model: Box<Network>,
    trainer: Box<Trainer>,
    gradient: Box<Network>,
    loss: MlpLoss,
    order: Vec<usize>,
    rng: Xoshiro256PlusPlus,
    answered: Vec<(usize, u8, Vec<usize>)>,
}

impl<'w> CorrectionSession<'w> {
    /// A session on `train` (from [`training_images`]) starting from
    /// `pretrained`.
    ///
    /// # Errors
    /// [`Error::Settings`] for impossible settings.
    pub fn start(train: &'w DecoyData, pretrained: &Pretrained, settings: SessionSettings) -> Result<Self> {
        settings.validate()?;
        let loss = MlpLoss::right_reasons(settings.penalty).map_err(|e| Error::core("penalty", e))?;
        let trainer = Box::new(DecoySettings::paper(Setting::InputGradients, settings.seed).trainer()?);
        let mut order: Vec<usize> = (settings.pretrain_images..train.len()).collect();
        let mut rng = Stream::ImageRefit.rng(settings.seed);
        shuffle(&mut order, &mut rng);
        order.reverse();
        Ok(Self {
            train,
            test: pretrained.test.first(settings.test_images),
            settings,
            model: pretrained.model.clone(),
            trainer,
            gradient: Box::new(Network::zeros()),
            loss,
            order,
            rng,
            answered: Vec::new(),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &SessionSettings {
        &self.settings
    }

    /// The training images with their decoys.
    pub fn train(&self) -> &DecoyData {
        self.train
    }

    /// The training image asked about, if any is left.
    pub fn query(&self) -> Option<usize> {
        self.order.last().copied()
    }

    /// The network as it stands.
    pub fn model(&self) -> &Network {
        &self.model
    }

    /// Accuracy on the session's test images.
    pub fn test_accuracy(&self) -> f32 {
        accuracy(&self.model, &self.test)
    }

    /// Mean share of the explanation's magnitude inside the decoy patch,
    /// over the test images.
    pub fn decoy_share(&self) -> f32 {
        decoy_share(&self.model, &self.test, self.test.len())
    }

    /// Answers the query: its class and the pixels the prediction must not
    /// depend on; the network refits and the next image is asked about.
    ///
    /// # Errors
    /// [`Error::Settings`] for a class or pixel out of range or no image
    /// left; [`Error::Core`] when the refit fails (the session is as before).
    pub fn answer(&mut self, label: u8, irrelevant: &[usize]) -> Result<()> {
        let Some(index) = self.query() else {
            return Err(Error::Settings("no image to answer: every training image was shown".into()));
        };
        if usize::from(label) >= CLASSES {
            return Err(Error::Settings(format!("the class must be 0 to 9, not {label}")));
        }
        if let Some(bad) = irrelevant.iter().find(|&&p| p >= PIXELS) {
            return Err(Error::Settings(format!("pixel {bad} is not one of the {PIXELS}")));
        }
        let mut mask = irrelevant.to_vec();
        mask.sort_unstable();
        mask.dedup();
        self.answered.push((index, label, mask));
        if let Err(e) = self.refit() {
            self.answered.pop();
            return Err(Error::core("the refit", e));
        }
        self.order.pop();
        Ok(())
    }

    /// Adam steps on every answered image plus `batch` random training
    /// images from the first network's set.
    fn refit(&mut self) -> std::result::Result<(), xil_core::Error> {
        let mut inputs: Vec<Input> = Vec::new();
        for _ in 0..self.settings.steps_per_answer {
            let mut batch: Vec<(usize, u8, &[usize])> =
                self.answered.iter().map(|(i, label, mask)| (*i, *label, mask.as_slice())).collect();
            for _ in 0..self.settings.batch {
                let index = uniform_below(&mut self.rng, self.settings.pretrain_images as u32) as usize;
                batch.push((index, self.train.labels[index], &[]));
            }
            inputs.resize(batch.len(), Input::zeros());
            for (input, &(index, _, _)) in inputs.iter_mut().zip(&batch) {
                self.train.input_scaled(index, 1.0, input.as_mut_slice());
            }
            let examples: Vec<MlpExample<PIXELS>> = batch
                .iter()
                .zip(&inputs)
                .map(|(&(_, label, irrelevant), x)| MlpExample { x, label, irrelevant })
                .collect();
            self.trainer.step(&mut self.model, &self.loss, &examples, &mut self.gradient)?;
        }
        Ok(())
    }
}
