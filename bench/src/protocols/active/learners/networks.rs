//! The networks on 28 x 28 images: trained from the same initial weights at
//! every step (Adam 1e-3, minibatches of 32, `--epochs` epochs) and
//! explained by any attribution method.

use super::Learner;
use crate::data::fashion::{CLASSES, PIXELS};
use crate::error::{Error, Result};
use crate::harness::folds::shuffle;
use crate::harness::minibatch::Training;
use crate::harness::seeds::Stream;
use crate::protocols::active::pool::Pool;
use crate::protocols::active::settings::ActiveSettings;
use crate::protocols::attributions::methods::{Budgets, Method, attribute};
use crate::protocols::attributions::models::{Input, Model};
use std::marker::PhantomData;

/// Minibatch size of every training.
const TRAINING_BATCH: usize = 32;

/// Network `M`, trained and explained as the settings say.
#[derive(Debug)]
pub struct Network<M> {
    epochs: usize,
    explainer: Method,
    budgets: Budgets,
    seed: u64,
    model: PhantomData<fn() -> M>,
}

impl<M> Network<M> {
    /// The network of `settings`.
    pub fn new(settings: &ActiveSettings) -> Self {
        let samples = settings.explainer_samples;
        Self {
            epochs: settings.epochs,
            explainer: settings.explainer,
            budgets: Budgets { shap_samples: samples, lime_samples: samples },
            seed: settings.seed,
            model: PhantomData,
        }
    }
}

impl<M> Clone for Network<M> {
    fn clone(&self) -> Self {
        Self { model: PhantomData, ..*self }
    }
}

impl<M: Model> Learner<PIXELS, CLASSES> for Network<M> {
    type Fitted = Box<M>;

    fn for_run(&self, _: &Pool<PIXELS, CLASSES>, _: &[u32], _: usize) -> Result<Self> {
        Ok(self.clone())
    }

    fn fit(&self, pool: &Pool<PIXELS, CLASSES>, labelled: &[u32], run: usize, step: usize) -> Result<Box<M>> {
        let model = M::build(&mut Stream::ActiveInit(run).rng(self.seed)).map_err(|e| Error::core("network", e))?;
        let mut training = Training::new(model, 1e-3)?;
        let mut shuffler = Stream::ActiveShuffle { run, step }.rng(self.seed);
        let mut order = labelled.to_vec();
        let example = |i: u32| (pool.pool[i as usize], pool.pool_labels[i as usize]);
        for epoch in 1..=self.epochs {
            shuffle(&mut order, &mut shuffler);
            training.epoch(epoch, &order, TRAINING_BATCH, &example)?;
        }
        Ok(training.model)
    }

    fn probabilities(&self, fitted: &Box<M>, x: &Input) -> [f32; CLASSES] {
        fitted.probabilities(x)
    }

    fn predict(&self, fitted: &Box<M>, x: &Input) -> usize {
        fitted.predict(x)
    }

    fn explain(
        &self,
        fitted: &Box<M>,
        x: &Input,
        class: usize,
        rng: &mut rand_xoshiro::Xoshiro256PlusPlus,
    ) -> Result<Input> {
        attribute(&**fitted, self.explainer, x, class, self.budgets, rng)
            .map_err(|e| Error::core(self.explainer.name(), e))?
            .ok_or_else(|| Error::Settings(format!("{} does not apply to this network", self.explainer.name())))
    }
}
