//! Decoy Fashion-MNIST with a user in the loop, one answer at a time: the
//! session the app's Images tab serves.
//!
//! A session starts from a network trained without corrections on the first
//! training images ([`Pretrained`]; it leans on the decoy patch, whose grey
//! level gives the class away in training but not in the test set): the
//! decoy protocol's perceptron or seed 003's Bayesian `LeNet-5`
//! ([`SessionModel`]). Then, image by image from the rest of the training
//! split in a seeded random order, the user gives the class and the pixels
//! the prediction must not depend on; each answer adds the image with its
//! mask, and the network takes a few Adam steps on minibatches of every
//! answered image plus random training images, with the right-reasons loss
//! or the activation evidence ([`Corrected`]). Everything is a function of
//! the settings and the answers.

pub use super::corrected::{SessionModel, Uncertainty};

use super::corrected::{Answer, Corrected, check_answer};
use crate::data::decoy::DecoyData;
use crate::data::fashion::ImageSet;
use crate::error::{Error, Result};
use crate::harness::folds::shuffle;
use crate::harness::limits;
use crate::harness::seeds::Stream;
use crate::protocols::attributions::DataSet;
use crate::protocols::attributions::methods::Method;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// What defines a session besides the user's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSettings {
    /// The images (sessions saved before MNIST was offered are
    /// Fashion-MNIST's).
    #[serde(default)]
    pub data: DataSet,
    /// The network corrected (sessions saved before the choice existed:
    /// the perceptron).
    #[serde(default)]
    pub model: SessionModel,
    /// Seed of decoys, the first training, the query order and the refits.
    pub seed: u64,
    /// Training images of the first network (no corrections).
    pub pretrain_images: usize,
    /// Epochs of the first network.
    pub pretrain_epochs: usize,
    /// Adam steps after each answer.
    pub steps_per_answer: usize,
    /// Random training images in each refit minibatch (besides every
    /// answered image); the Bayesian network's first training uses
    /// minibatches of this size too.
    pub batch: usize,
    /// Weight of the input-gradient penalty on painted pixels (the
    /// perceptron).
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
            model: SessionModel::Perceptron,
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

    /// What the first network depends on: network, data set, seed, images,
    /// epochs and (the Bayesian network's) minibatch size.
    pub fn pretraining(&self) -> (SessionModel, DataSet, u64, usize, usize, usize) {
        (self.model, self.data, self.seed, self.pretrain_images, self.pretrain_epochs, self.batch)
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
    /// Network, data set, seed, images, epochs and minibatch size it was
    /// trained with.
    pub key: (SessionModel, DataSet, u64, usize, usize, usize),
    corrected: Corrected,
    test: DecoyData,
}

impl Pretrained {
    /// Trains the settings' network without corrections.
    ///
    /// # Errors
    /// The training's error.
    pub fn train(fashion: &ImageSet, settings: &SessionSettings) -> Result<Self> {
        let train = training_images(fashion, settings.seed);
        let corrected = Corrected::pretrain(
            settings.model,
            (fashion, &train),
            (settings.pretrain_images, settings.pretrain_epochs, settings.batch),
            (settings.penalty, settings.seed),
        )?;
        let test = DecoyData::new(&fashion.test, false, Stream::DecoyTest.seed(settings.seed));
        Ok(Self { key: settings.pretraining(), corrected, test })
    }
}

/// A session going on: the network, its optimiser, the images still to ask
/// about and the answers so far.
pub struct CorrectionSession<'w> {
    train: &'w DecoyData,
    test: DecoyData,
    settings: SessionSettings,
    corrected: Corrected,
    order: Vec<usize>,
    rng: Xoshiro256PlusPlus,
    answered: Vec<(usize, u8, Vec<usize>)>,
}

impl<'w> CorrectionSession<'w> {
    /// A session on `train` (from [`training_images`]) starting from
    /// `pretrained`.
    ///
    /// # Errors
    /// [`Error::Settings`] for impossible settings or a first network of
    /// other settings.
    pub fn start(train: &'w DecoyData, pretrained: &Pretrained, settings: SessionSettings) -> Result<Self> {
        settings.validate()?;
        if pretrained.key != settings.pretraining() {
            return Err(Error::Settings("the first network was trained with other settings".into()));
        }
        let mut order: Vec<usize> = (settings.pretrain_images..train.len()).collect();
        let mut rng = Stream::ImageRefit.rng(settings.seed);
        shuffle(&mut order, &mut rng);
        order.reverse();
        Ok(Self {
            train,
            test: pretrained.test.first(settings.test_images),
            settings,
            corrected: pretrained.corrected.clone(),
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

    /// The network's class for training image `index`.
    pub fn predict(&self, index: usize) -> usize {
        self.corrected.predict(self.train, index)
    }

    /// `method`'s map of the predicted class at training image `index`
    /// (`None` when the method does not apply to the network).
    ///
    /// # Errors
    /// The method's failure.
    pub fn attribute(&self, method: Method, index: usize) -> std::result::Result<Option<Vec<f32>>, xil_core::Error> {
        let mut rng = Stream::AttributionsExplain(index).rng(self.settings.seed);
        Ok(self.corrected.attribute(method, (self.train, index), &mut rng)?.map(|map| map.iter().copied().collect()))
    }

    /// The Bayesian network's uncertainty about training image `index` (none
    /// for the perceptron).
    pub fn uncertainty(&self, index: usize) -> Option<Uncertainty> {
        self.corrected.uncertainty(self.train, index, &mut Stream::ImageUncertainty(index).rng(self.settings.seed))
    }

    /// Accuracy on the session's test images.
    pub fn test_accuracy(&self) -> f32 {
        self.corrected.accuracy(&self.test)
    }

    /// Mean share of the explanation's magnitude inside the decoy patch,
    /// over the test images.
    pub fn decoy_share(&self) -> f32 {
        self.corrected.decoy_share(&self.test)
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
        check_answer(label, irrelevant)?;
        let mut mask = irrelevant.to_vec();
        mask.sort_unstable();
        mask.dedup();
        self.answered.push((index, label, mask));
        let (before, rng) = (self.corrected.clone(), self.rng.clone());
        let answers: Vec<Answer<'_>> = self
            .answered
            .iter()
            .map(|(index, label, mask)| Answer { index: *index, label: *label, irrelevant: mask })
            .collect();
        let sizes = (self.settings.steps_per_answer, self.settings.batch, self.settings.pretrain_images);
        if let Err(e) = self.corrected.refit(self.train, &answers, sizes, &mut self.rng) {
            (self.corrected, self.rng) = (before, rng);
            self.answered.pop();
            return Err(Error::core("the refit", e));
        }
        self.order.pop();
        Ok(())
    }
}
