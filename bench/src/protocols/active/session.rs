//! Active learning with a person as the annotator, one batch at a time: the
//! strategy proposes a batch of pool images with the reasons for each
//! ([`reasons`](super::reasons)); the person gives each a class; the model is
//! refitted on everything labelled so far and measured on the test images.
//! The seed set is labelled by the data set. A session is a pure function of
//! its settings and answers, so the app can replay it.

use super::learners::linear::Linear;
use super::learners::networks::Network;
use super::learners::{ActiveModel, Learner};
use super::pool::Pool;
use super::reasons::{Reasons, reasons};
use super::run::{choose, measure};
use super::settings::{ActiveSettings, Strategy};
use super::sources::ActiveData;
use crate::data::fashion::{CLASSES, ImageSet, PIXELS};
use crate::error::{Error, Result};
use crate::harness::seeds::Stream;
use crate::protocols::attributions::DataSet;
use crate::protocols::attributions::methods::Method;
use crate::protocols::attributions::models::{Input, Perceptron};
use serde::{Deserialize, Serialize};
use xil_core::nn::cnn::{AlexCnn, LeNet5};

/// What defines a session besides the answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchSettings {
    /// The images.
    pub data: DataSet,
    /// The model, refitted after every batch.
    pub model: ActiveModel,
    /// The strategy proposing the batches.
    pub strategy: Strategy,
    /// Seed-set images per class (labelled by the data set).
    pub q: usize,
    /// Images per batch.
    pub batch: usize,
    /// The explainer of ALEX and retrieval.
    pub explainer: Method,
    /// Evaluations (Kernel SHAP) or samples (LIME) per explanation.
    pub explainer_samples: usize,
    /// Epochs of each network training.
    pub epochs: usize,
    /// Pool images.
    pub pool: usize,
    /// Test images.
    pub test: usize,
    /// Seed of the pool, seed set, weights and strategy.
    pub seed: u64,
}

impl Default for BatchSettings {
    /// ALEX with the perceptron on MNIST (seconds per batch): one seed image
    /// per class, batches of 10, input x gradient, 20 epochs, 2,000 pool and
    /// 1,000 test images.
    fn default() -> Self {
        Self {
            data: DataSet::Mnist,
            model: ActiveModel::Mlp,
            strategy: Strategy::Alex,
            q: 1,
            batch: 10,
            explainer: Method::InputXGradient,
            explainer_samples: 256,
            epochs: 20,
            pool: 2000,
            test: 1000,
            seed: 0,
        }
    }
}

impl BatchSettings {
    /// The settings of one run of the bench with these choices.
    pub fn active(&self) -> ActiveSettings {
        let data = match self.data {
            DataSet::Mnist => ActiveData::Mnist,
            DataSet::Fashion => ActiveData::Fashion,
        };
        ActiveSettings {
            model: self.model,
            steps: 1,
            batch: Some(self.batch),
            runs: 1,
            epochs: self.epochs,
            explainer: self.explainer,
            explainer_samples: self.explainer_samples,
            pool: self.pool,
            test: self.test,
            ..ActiveSettings::paper(data, self.strategy, self.q, self.seed)
        }
    }
}

/// The model after each batch (and the seed set).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BatchPoint {
    /// Labelled images.
    pub labelled: usize,
    /// Test accuracy.
    pub accuracy: f32,
    /// Test macro-F1.
    pub f1_macro: f32,
    /// Share of the person's labels so far that agree with the data set's.
    pub agreement: f32,
}

/// A session as the app drives it, whatever its model.
pub trait Batches: Send {
    /// The settings.
    fn settings(&self) -> &BatchSettings;
    /// The proposed batch: pool indices.
    fn proposal(&self) -> &[u32];
    /// Why each proposed image was chosen.
    ///
    /// # Errors
    /// An explainer that fails, named.
    fn reasons(&self) -> Result<Reasons<PIXELS>>;
    /// Pool image `index` with pixels in `[0, 1]`.
    fn image(&self, index: u32) -> Option<&Input>;
    /// The model's class probabilities for pool image `index`.
    fn probabilities(&self, index: u32) -> [f32; CLASSES];
    /// The data set's class of pool image `index`.
    fn truth(&self, index: u32) -> Option<u8>;
    /// Labels the proposed batch (one class per image, in order), refits,
    /// measures and proposes the next batch.
    ///
    /// # Errors
    /// A wrong number of labels or a class out of range (nothing changes),
    /// or a fit that fails.
    fn answer(&mut self, labels: &[u8]) -> Result<()>;
    /// The model after the seed set and after each batch.
    fn points(&self) -> &[BatchPoint];
}

/// A session with learner `L`.
struct BatchSession<L: Learner<PIXELS, CLASSES>> {
    settings: BatchSettings,
    active: ActiveSettings,
    learner: L,
    pool: Pool<PIXELS, CLASSES>,
    truth: Vec<u8>,
    labelled: Vec<u32>,
    fitted: L::Fitted,
    proposal: Vec<u32>,
    points: Vec<BatchPoint>,
    answered: (usize, usize),
}

impl<L: Learner<PIXELS, CLASSES> + Send> BatchSession<L>
where
    L::Fitted: Send,
{
    fn begin(settings: BatchSettings, learner: &L, images: &ImageSet) -> Result<Self> {
        let active = settings.active();
        let pool = Pool::prepare(&active, images)?;
        let labelled = pool.seed_set(active.q, &mut Stream::ActiveSeedSet(0).rng(active.seed))?;
        let learner = learner.for_run(&pool, &labelled, 0)?;
        let fitted = learner.fit(&pool, &labelled, 0, 0)?;
        let truth = pool.pool_labels.clone();
        let mut session = Self {
            settings,
            active,
            learner,
            pool,
            truth,
            labelled,
            fitted,
            proposal: Vec::new(),
            points: Vec::new(),
            answered: (0, 0),
        };
        session.measure_and_propose()?;
        Ok(session)
    }

    fn step(&self) -> usize {
        self.points.len().saturating_sub(1)
    }

    fn measure_and_propose(&mut self) -> Result<()> {
        let (accuracy, f1_macro) = measure(&self.learner, &self.fitted, &self.pool);
        let (agreeing, total) = self.answered;
        let agreement = if total == 0 { 1.0 } else { agreeing as f32 / total as f32 };
        self.points.push(BatchPoint { labelled: self.labelled.len(), accuracy, f1_macro, agreement });
        let model = (&self.learner, &self.fitted);
        self.proposal = choose(model, &self.active, &self.pool, (&self.labelled, &[]), (0, self.step()))?;
        Ok(())
    }
}

impl<L: Learner<PIXELS, CLASSES> + Send> Batches for BatchSession<L>
where
    L::Fitted: Send,
{
    fn settings(&self) -> &BatchSettings {
        &self.settings
    }

    fn proposal(&self) -> &[u32] {
        &self.proposal
    }

    fn reasons(&self) -> Result<Reasons<PIXELS>> {
        let model = (&self.learner, &self.fitted);
        reasons(model, &self.active, &self.pool, (&self.labelled, &self.proposal), (0, self.step()))
    }

    fn image(&self, index: u32) -> Option<&Input> {
        self.pool.pool.get(index as usize)
    }

    fn probabilities(&self, index: u32) -> [f32; CLASSES] {
        self.image(index).map_or([0.0; CLASSES], |x| self.learner.probabilities(&self.fitted, x))
    }

    fn truth(&self, index: u32) -> Option<u8> {
        self.truth.get(index as usize).copied()
    }

    fn answer(&mut self, labels: &[u8]) -> Result<()> {
        if labels.len() != self.proposal.len() {
            return Err(Error::Settings(format!(
                "{} labels for a batch of {}: give every proposed image a class",
                labels.len(),
                self.proposal.len()
            )));
        }
        if let Some(bad) = labels.iter().find(|&&l| usize::from(l) >= CLASSES) {
            return Err(Error::Settings(format!("class {bad}: a class must be 0 to 9")));
        }
        let mut labelled = self.labelled.clone();
        let mut pool_labels = self.pool.pool_labels.clone();
        for (&index, &label) in self.proposal.iter().zip(labels) {
            pool_labels[index as usize] = label;
            labelled.push(index);
        }
        labelled.sort_unstable();
        let original = std::mem::replace(&mut self.pool.pool_labels, pool_labels);
        let fitted = match self.learner.fit(&self.pool, &labelled, 0, self.step() + 1) {
            Ok(fitted) => fitted,
            Err(e) => {
                self.pool.pool_labels = original;
                return Err(e);
            }
        };
        let agreeing = self.proposal.iter().zip(labels).filter(|&(&i, &l)| self.truth[i as usize] == l).count();
        self.answered = (self.answered.0 + agreeing, self.answered.1 + labels.len());
        self.labelled = labelled;
        self.fitted = fitted;
        self.measure_and_propose()
    }

    fn points(&self) -> &[BatchPoint] {
        &self.points
    }
}

/// A session with `settings` on `images` (MNIST or Fashion-MNIST, as the
/// settings say): seed set labelled, first model fitted, first batch
/// proposed.
///
/// # Errors
/// Settings the bench refuses (named), too few images, or a fit that fails.
pub fn start(settings: BatchSettings, images: &ImageSet) -> Result<Box<dyn Batches>> {
    let active = settings.active();
    active.validate()?;
    Ok(match settings.model {
        ActiveModel::Mlp => Box::new(BatchSession::begin(settings, &Network::<Perceptron>::new(&active), images)?),
        ActiveModel::Lenet => Box::new(BatchSession::begin(settings, &Network::<LeNet5>::new(&active), images)?),
        ActiveModel::AlexCnn => Box::new(BatchSession::begin(settings, &Network::<AlexCnn>::new(&active), images)?),
        ActiveModel::LinearSvm | ActiveModel::Logreg => {
            Box::new(BatchSession::begin(settings, &Linear::new(&active)?, images)?)
        }
    })
}
