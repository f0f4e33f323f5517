//! The CALIMOCHO loop (seed 001): explanatory active learning with a
//! self-explaining network, whose explanations the user corrects directly.
//!
//! The same steps as CAIPI's [`Session`](crate::Session), driven one at a
//! time: [`query`](CaliSession::query) picks an unlabelled instance (at random
//! or by true uncertainty sampling) and shows the prediction with its exact
//! explanation `w(x)`; [`give_feedback`](CaliSession::give_feedback) takes the
//! label and, optionally, a corrected explanation, which enters the loss of
//! the next fit; each fit is a fixed number of Adam steps on minibatches of
//! `floor(sqrt(n))` labelled examples, warm-started from the current model.
//! CALIMOCHO's simulated user is [`correct_explanation`](crate::correct_explanation)
//! in [`user`](crate::active::user).

use crate::data::Example;
use crate::data::features::FeatureMap;
use crate::data::pool::Pool;
use crate::error::Error;
use crate::names::named;
use crate::nn::senn::{Correction, Senn, SennExample, SennTrainer};
use crate::random::uniform_index;
use crate::traits::Decision;
use nalgebra::SVector;
use rand_core::Rng;

/// How CALIMOCHO picks a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "kebab-case"))]
pub enum CaliStrategy {
    /// Uniformly at random.
    Random,
    /// The instance whose probability is closest to 1/2 (the authors' code
    /// picked the most confident one by mistake).
    #[default]
    Uncertainty,
}

named!(CaliStrategy, "CALIMOCHO strategy", [Random => "random", Uncertainty => "uncertainty"]);

/// What the network shows the user about a query.
#[derive(Debug, Clone, PartialEq)]
pub struct CaliQuery<const D: usize> {
    /// Position of the instance in the pool (valid until feedback is given).
    pub index: usize,
    /// The predicted class.
    pub prediction: u8,
    /// The probability of class 1.
    pub probability: f32,
    /// The exact explanation `w(x)`.
    pub explanation: SVector<f32, D>,
}

/// A CALIMOCHO session over a borrowed pool, network and trainer, with up to
/// `N` labelled examples.
///
/// The network and its trainer (gradient and Adam's moments) take
/// `4 L (D^2 + D)` floats, 165 KB for colors at depth 1: borrowed, so that the
/// caller keeps them where it likes (a box on a desktop, static RAM on a
/// device) and nothing that large is ever moved. The session itself holds the
/// labelled examples (`3 D N` floats).
#[derive(Debug)]
pub struct CaliSession<'p, X, F, const D: usize, const L: usize, const N: usize> {
    pool: Pool<'p, X>,
    map: F,
    model: &'p mut Senn<D, L>,
    trainer: &'p mut SennTrainer<D, L>,
    labelled: heapless::Vec<SennExample<D>, N>,
    strategy: CaliStrategy,
    steps_per_fit: usize,
    pending: Option<CaliQuery<D>>,
}

impl<'p, X, F, const D: usize, const L: usize, const N: usize> CaliSession<'p, X, F, D, L, N>
where
    F: FeatureMap<X, D>,
{
    /// A session on `pool` starting from `model` and `trainer`.
    ///
    /// # Errors
    /// [`Error::EmptyData`] for an empty pool; [`Error::InvalidParameter`]
    /// (`"steps_per_fit"`) for zero steps.
    pub fn new(
        pool: &'p mut [Example<X>],
        map: F,
        model: &'p mut Senn<D, L>,
        trainer: &'p mut SennTrainer<D, L>,
        strategy: CaliStrategy,
        steps_per_fit: usize,
    ) -> Result<Self, Error> {
        let pool = Pool::new(pool)?;
        if steps_per_fit == 0 {
            return Err(Error::InvalidParameter { name: "steps_per_fit" });
        }
        Ok(Self { pool, map, model, trainer, labelled: heapless::Vec::new(), strategy, steps_per_fit, pending: None })
    }

    /// Labels `count` random pool examples with their stored labels (no
    /// correction), then fits.
    ///
    /// # Errors
    /// [`Error::InvalidState`] while a query is pending;
    /// [`Error::CapacityExceeded`]; the trainer's errors.
    pub fn seed<R: Rng + ?Sized>(&mut self, count: usize, rng: &mut R) -> Result<(), Error> {
        if self.pending.is_some() {
            return Err(Error::InvalidState);
        }
        for _ in 0..count.min(self.unlabelled()) {
            let index = uniform_index(rng, self.unlabelled());
            let label = self.pool.get(index).ok_or(Error::PoolExhausted)?.label;
            self.take(index, label, None)?;
        }
        self.refit(rng)
    }

    fn take(&mut self, index: usize, label: u8, correction: Option<Correction<D>>) -> Result<(), Error> {
        // Check the capacity first: a full set must leave the pool as it was.
        if self.labelled.is_full() {
            return Err(Error::CapacityExceeded);
        }
        let x = self.map.features(&self.pool.take(index)?.instance);
        self.labelled.push(SennExample { x, label, correction }).map_err(|_| Error::CapacityExceeded)
    }

    /// Fits the model: `steps_per_fit` Adam steps, batch `floor(sqrt(n))`.
    ///
    /// # Errors
    /// The trainer's errors ([`Error::EmptyData`] without labels).
    pub fn refit<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Result<(), Error> {
        let batch = (libm::sqrtf(self.labelled.len() as f32) as usize).max(1);
        self.trainer.fit(self.model, &self.labelled, self.steps_per_fit, batch, rng)?;
        Ok(())
    }

    /// Picks the next query and shows its prediction and explanation.
    ///
    /// # Errors
    /// [`Error::InvalidState`] while a query is pending;
    /// [`Error::PoolExhausted`].
    pub fn query<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Result<CaliQuery<D>, Error> {
        if self.pending.is_some() {
            return Err(Error::InvalidState);
        }
        let candidates = self.pool.unlabelled();
        if candidates.is_empty() {
            return Err(Error::PoolExhausted);
        }
        let index = match self.strategy {
            CaliStrategy::Random => uniform_index(rng, candidates.len()),
            CaliStrategy::Uncertainty => candidates
                .iter()
                .enumerate()
                .map(|(i, e)| (i, self.model.decision(&self.map.features(&e.instance)).abs()))
                .filter(|(_, margin)| !margin.is_nan())
                .fold(None, |best: Option<(usize, f32)>, (i, m)| match best {
                    Some((_, b)) if b <= m => best,
                    _ => Some((i, m)),
                })
                .map_or(0, |(i, _)| i),
        };
        let x = self.map.features(&candidates.get(index).ok_or(Error::PoolExhausted)?.instance);
        let explanation = self.model.relevance(&x);
        let probability = self.model.probability(&x);
        let query = CaliQuery { index, prediction: u8::from(probability > 0.5), probability, explanation };
        self.pending = Some(query.clone());
        Ok(query)
    }

    /// The instance of the pending query.
    pub fn pending_instance(&self) -> Option<&X> {
        self.pool.get(self.pending.as_ref()?.index).map(|e| &e.instance)
    }

    /// Takes the label and optional corrected explanation of the pending
    /// query, and refits.
    ///
    /// # Errors
    /// [`Error::InvalidState`] without a pending query; [`Error::InvalidLabel`]
    /// or [`Error::NonFinite`] for a malformed answer (the query stays
    /// pending); [`Error::CapacityExceeded`] when the labelled set is full.
    pub fn give_feedback<R: Rng + ?Sized>(
        &mut self,
        label: u8,
        corrected: Option<SVector<f32, D>>,
        rng: &mut R,
    ) -> Result<(), Error> {
        let query = self.pending.as_ref().ok_or(Error::InvalidState)?;
        if label > 1 {
            return Err(Error::InvalidLabel { label });
        }
        if corrected.is_some_and(|z| !z.iter().all(|v| v.is_finite())) {
            return Err(Error::NonFinite { example: query.index });
        }
        let correction = corrected.map(|z| Correction { shown: query.explanation, corrected: z });
        self.take(query.index, label, correction)?;
        self.pending = None;
        self.refit(rng)
    }

    /// The current model.
    pub fn model(&self) -> &Senn<D, L> {
        self.model
    }

    /// The feature map.
    pub fn map(&self) -> &F {
        &self.map
    }

    /// The labelled examples, oldest first.
    pub fn labelled(&self) -> &[SennExample<D>] {
        &self.labelled
    }

    /// Unlabelled examples left.
    pub fn unlabelled(&self) -> usize {
        self.pool.unlabelled().len()
    }
}
