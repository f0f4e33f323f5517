//! The interactive loop as a state machine a device can drive one step at a
//! time, without callbacks.
//!
//! ```text
//!   seed labels ──► Ready ──query()──► AwaitingFeedback ──give_feedback()──► Ready
//!                     ▲   (instance, prediction, explanation)   (label, irrelevant     │
//!                     └──────────────── refit ◄── counterexamples ◄── components) ─────┘
//! ```
//!
//! A [`Session`] borrows the caller's pool of unlabelled examples (a `static`
//! array on a device, a `Vec` on a desktop) and keeps the labelled examples and
//! counterexamples in a [`Dataset`] of capacity `N`. The pool is a
//! [`Pool`], partitioned in place: answering a query swaps the queried example
//! behind the unlabelled ones. The
//! labels stored in the pool are not read by the learner, only by
//! [`seed_per_class`](Session::seed_per_class), which stands in for a user
//! labelling a few examples of each class to start.

use crate::Categorical;
use crate::active::counterexamples::Counterexamples;
use crate::active::query::{QueryStrategy, select_query};
use crate::data::features::{FeatureMap, Featurized};
use crate::data::pool::Pool;
use crate::data::{Dataset, Example, Origin};
use crate::error::Error;
use crate::explain::{Explainer, Explanation};
use crate::random::uniform_index;
use crate::traits::{Decision, Fit, OnInstances, Score};
use rand_core::Rng;

/// Settings of the loop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionConfig {
    /// Components each explanation names.
    pub k: usize,
    /// How queries are chosen.
    pub strategy: QueryStrategy,
    /// How corrections become counterexamples.
    pub counterexamples: Counterexamples,
}

impl SessionConfig {
    /// Settings from their parts.
    pub const fn new(k: usize, strategy: QueryStrategy, counterexamples: Counterexamples) -> Self {
        Self { k, strategy, counterexamples }
    }
}

/// What the learner shows the user about a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query<const C: usize> {
    /// Position of the instance in the pool (valid until feedback is given).
    pub index: usize,
    /// The predicted class.
    pub prediction: u8,
    /// The model's score (decision value).
    pub score: f32,
    /// Why: the explanation of the prediction.
    pub explanation: Explanation<C>,
}

/// The user's answer to a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback<const C: usize> {
    /// The true class.
    pub label: u8,
    /// Components the user says do not matter (empty: the explanation is
    /// accepted, or the user does not comment on it).
    pub irrelevant: heapless::Vec<usize, C>,
}

impl<const C: usize> Feedback<C> {
    /// A label with no correction of the explanation.
    pub const fn accept(label: u8) -> Self {
        Self { label, irrelevant: heapless::Vec::new() }
    }

    /// Whether the user accepted the explanation ("right for the right
    /// reasons", when the label agrees with the prediction).
    pub fn accepts_explanation(&self) -> bool {
        self.irrelevant.is_empty()
    }
}

/// What giving feedback did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Counterexamples added.
    pub counterexamples: usize,
    /// Candidate counterexamples the label check rejected.
    pub filtered: usize,
    /// Whether counterexamples were dropped because the labelled set was full.
    pub buffer_full: bool,
}

/// An interactive learning session over a borrowed pool.
///
/// Type parameters: instances `X` with `C` components, a feature map `F` to
/// `D` features, a learner `L` and an explainer `E`; `N` is the capacity of
/// the labelled set (labels plus counterexamples).
#[derive(Debug)]
pub struct Session<'p, X, F, L: Fit<D, N>, E, const D: usize, const C: usize, const N: usize> {
    pool: Pool<'p, X>,
    training: Dataset<X, N>,
    learner: L,
    map: F,
    explainer: E,
    config: SessionConfig,
    model: Option<L::Model>,
    pending: Option<Query<C>>,
    answered: usize,
    dropped: usize,
}

impl<'p, X, F, L, E, const D: usize, const C: usize, const N: usize> Session<'p, X, F, L, E, D, C, N>
where
    X: Categorical<C>,
    F: FeatureMap<X, D>,
    L: Fit<D, N>,
    E: Explainer<X, C>,
{
    /// A session on `pool` with no labels yet.
    ///
    /// # Errors
    /// [`Error::EmptyData`] for an empty pool.
    pub fn new(
        pool: &'p mut [Example<X>],
        learner: L,
        map: F,
        explainer: E,
        config: SessionConfig,
    ) -> Result<Self, Error> {
        Ok(Self {
            pool: Pool::new(pool)?,
            training: Dataset::new(),
            learner,
            map,
            explainer,
            config,
            model: None,
            pending: None,
            answered: 0,
            dropped: 0,
        })
    }

    /// Labels `per_class` random pool examples of each class with their
    /// stored labels, then fits the first model.
    ///
    /// # Errors
    /// [`Error::InvalidState`] while a query awaits feedback;
    /// [`Error::CapacityExceeded`] if the labelled set cannot hold them; the
    /// learner's errors (e.g. [`Error::SingleClass`] when the pool lacks a
    /// class).
    pub fn seed_per_class<R: Rng + ?Sized>(&mut self, per_class: usize, rng: &mut R) -> Result<(), Error> {
        if self.pending.is_some() {
            return Err(Error::InvalidState);
        }
        if self.training.len() + 2 * per_class > N {
            return Err(Error::CapacityExceeded);
        }
        for class in 0..2u8 {
            for _ in 0..per_class {
                let unlabelled = self.pool.unlabelled();
                let available = unlabelled.iter().filter(|e| e.label == class).count();
                if available == 0 {
                    break;
                }
                let pick = uniform_index(rng, available);
                let index = unlabelled
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.label == class)
                    .nth(pick)
                    .map(|(i, _)| i)
                    .ok_or(Error::InvalidState)?;
                self.take_from_pool(index, class)?;
            }
        }
        self.refit()
    }

    /// Labels pool example `index` (among the unlabelled) as `label`, without
    /// refitting; call [`refit`](Self::refit) after a batch of labels.
    ///
    /// # Errors
    /// [`Error::InvalidState`] while a query awaits feedback;
    /// [`Error::OutOfRange`], [`Error::InvalidLabel`],
    /// [`Error::CapacityExceeded`].
    pub fn label(&mut self, index: usize, label: u8) -> Result<(), Error> {
        if self.pending.is_some() {
            return Err(Error::InvalidState);
        }
        if label > 1 {
            return Err(Error::InvalidLabel { label });
        }
        self.take_from_pool(index, label)
    }

    fn take_from_pool(&mut self, index: usize, label: u8) -> Result<(), Error> {
        // Check the capacity first: a full set must leave the pool as it was.
        if self.training.is_full() {
            return Err(Error::CapacityExceeded);
        }
        let instance = self.pool.take(index)?.instance.clone();
        self.training.push(Example::labelled(instance, label)).map_err(|_| Error::CapacityExceeded)
    }

    /// Fits the learner to the labelled set, warm-started from the current
    /// model when there is one.
    ///
    /// # Errors
    /// The learner's errors; the previous model is kept.
    pub fn refit(&mut self) -> Result<(), Error> {
        let design = Featurized::new(self.training.as_slice(), &self.map);
        let model = match &self.model {
            Some(current) => self.learner.fit_from(&design, current)?,
            None => self.learner.fit(&design)?,
        };
        self.model = Some(model);
        Ok(())
    }

    /// Picks the next query, predicts it and explains the prediction.
    ///
    /// # Errors
    /// [`Error::InvalidState`] without a model (seed labels first) or while a
    /// query awaits feedback; [`Error::PoolExhausted`]; the explainer's errors.
    pub fn query<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Result<Query<C>, Error> {
        if self.pending.is_some() {
            return Err(Error::InvalidState);
        }
        let model = self.model.as_ref().ok_or(Error::InvalidState)?;
        let scorer = OnInstances::new(model, &self.map);
        let candidates = self.pool.unlabelled();
        let index = select_query(self.config.strategy, &scorer, candidates, rng).ok_or(Error::PoolExhausted)?;
        let instance = &candidates.get(index).ok_or(Error::PoolExhausted)?.instance;
        let score = scorer.score(instance);
        let explanation = self.explainer.explain(&scorer, instance, self.config.k, rng)?;
        let query = Query { index, prediction: u8::from(score > 0.0), score, explanation };
        self.pending = Some(query.clone());
        Ok(query)
    }

    /// The instance of the pending query.
    pub fn pending_instance(&self) -> Option<&X> {
        let query = self.pending.as_ref()?;
        self.pool.get(query.index).map(|e| &e.instance)
    }

    /// The pending query, if any.
    pub fn pending(&self) -> Option<&Query<C>> {
        self.pending.as_ref()
    }

    /// Takes the user's answer to the pending query: adds the labelled
    /// instance, turns irrelevant components into counterexamples (labelled
    /// with the user's label and kept only where `keep` agrees), and refits.
    ///
    /// # Errors
    /// [`Error::InvalidState`] without a pending query; [`Error::InvalidLabel`]
    /// or [`Error::OutOfRange`] for a malformed answer (the query stays
    /// pending); [`Error::CapacityExceeded`] when the labelled set is full (the
    /// query stays pending); the learner's errors after the data was added.
    pub fn give_feedback<R: Rng + ?Sized>(
        &mut self,
        feedback: &Feedback<C>,
        keep: impl Fn(&X) -> bool,
        rng: &mut R,
    ) -> Result<Outcome, Error> {
        let query = self.pending.as_ref().ok_or(Error::InvalidState)?;
        if feedback.label > 1 {
            return Err(Error::InvalidLabel { label: feedback.label });
        }
        if let Some(&bad) = feedback.irrelevant.iter().find(|&&c| c >= C) {
            return Err(Error::OutOfRange { index: bad, len: C });
        }
        let index = query.index;
        self.take_from_pool(index, feedback.label)?;
        self.pending = None;
        self.answered += 1;
        let mut outcome = Outcome { counterexamples: 0, filtered: 0, buffer_full: false };
        if !feedback.irrelevant.is_empty() {
            let instance = self.training.as_slice().last().ok_or(Error::InvalidState)?.instance.clone();
            let generated = self.config.counterexamples.generate(
                &instance,
                feedback.label,
                &feedback.irrelevant,
                keep,
                &mut self.training,
                rng,
            )?;
            outcome = Outcome {
                counterexamples: generated.added,
                filtered: generated.filtered,
                buffer_full: generated.overflow.is_some(),
            };
            if outcome.buffer_full {
                self.dropped += 1;
            }
        }
        self.refit()?;
        Ok(outcome)
    }

    /// The current model, once one was fitted.
    pub fn model(&self) -> Option<&L::Model> {
        self.model.as_ref()
    }

    /// The feature map.
    pub fn map(&self) -> &F {
        &self.map
    }

    /// Labelled examples and counterexamples.
    pub fn training(&self) -> &Dataset<X, N> {
        &self.training
    }

    /// Number of counterexamples in the labelled set.
    pub fn counterexamples(&self) -> usize {
        self.training.count(Origin::Counterexample)
    }

    /// Number of unlabelled examples left in the pool.
    pub fn unlabelled(&self) -> usize {
        self.pool.unlabelled().len()
    }

    /// Number of queries answered.
    pub fn queries_answered(&self) -> usize {
        self.answered
    }

    /// Number of corrections whose counterexamples did not all fit.
    pub fn corrections_truncated(&self) -> usize {
        self.dropped
    }

    /// The model's prediction for an instance (`None` before the first fit).
    pub fn predict(&self, x: &X) -> Option<u8> {
        self.model.as_ref().map(|m| u8::from(m.decision_of(&self.map, x) > 0.0))
    }
}
