//! [`TrainingEpoch`]: what one pass of minibatch training measured, the row of every
//! experiment that trains a network; each experiment names its plot panels
//! with an [`EpochPanels`] marker.

use crate::harness::record::{Metric, Record};
use serde::Serialize;
use std::marker::PhantomData;

/// The plot panels of an experiment's epochs.
pub trait EpochPanels: Send + Sync + 'static {
    /// Panel of the training loss.
    const LOSS: &'static str;
    /// Panel of the test accuracy.
    const ACCURACY: &'static str;
}

/// What one epoch measured.
#[derive(Debug, Serialize)]
#[serde(bound = "")]
pub struct TrainingEpoch<P> {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean data loss per training example during the epoch.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub loss: f32,
    /// Accuracy on the test images after the epoch.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub test_accuracy: f32,
    /// Seconds spent training (not evaluating) in the epoch.
    #[serde(serialize_with = "crate::harness::record::decimals::<3, _, _>")]
    pub seconds: f64,
    #[serde(skip)]
    panels: PhantomData<P>,
}

impl<P> TrainingEpoch<P> {
    /// The record of `epoch`.
    pub fn new(epoch: usize, loss: f32, test_accuracy: f32, seconds: f64) -> Self {
        Self { epoch, loss, test_accuracy, seconds, panels: PhantomData }
    }
}

// By hand: derives would ask the marker `P` for the traits too.
impl<P> Clone for TrainingEpoch<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for TrainingEpoch<P> {}

impl<P> PartialEq for TrainingEpoch<P> {
    fn eq(&self, other: &Self) -> bool {
        (self.epoch, self.loss, self.test_accuracy, self.seconds)
            == (other.epoch, other.loss, other.test_accuracy, other.seconds)
    }
}

impl<P: EpochPanels> Record for TrainingEpoch<P> {
    const METRICS: &'static [Metric<Self>] = &[
        Metric { name: "training loss", panel: P::LOSS, value: |e| e.loss },
        Metric { name: "test accuracy", panel: P::ACCURACY, value: |e| e.test_accuracy },
    ];

    fn fold(&self) -> usize {
        0
    }

    fn step(&self) -> usize {
        self.epoch
    }
}
