//! Why a strategy chose each instance of a batch, for a person to read:
//! the uncertainty score that ranked it, ALEX's divergence with the
//! explanation behind it and the labelled set's mean explanation, or the
//! explained pair (different predictions, alike explanations) whose term
//! of seed 004's score pulls it in most. Computed after the choice, from the
//! same helpers and random streams, so they explain the choice actually made.

use super::learners::Learner;
use super::pool::Pool;
use super::run::{distribution, explained, retrieval_sample, unlabelled};
use super::settings::{ActiveSettings, Strategy};
use crate::error::Result;
use crate::harness::seeds::Stream;
use nalgebra::SVector;
use xil_core::QueryStrategy;
use xil_core::active::batch::{alex, density, retrieval};
use xil_core::uncertainty;

/// One explained instance of retrieval's sample.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainedInstance<const D: usize> {
    /// Its pool index.
    pub index: u32,
    /// The class the model predicts.
    pub prediction: usize,
    /// Its explanation of that class.
    pub explanation: SVector<f32, D>,
}

/// Why one instance was chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Why<const D: usize> {
    /// Drawn uniformly at random.
    Drawn,
    /// Its uncertainty under the strategy (least confident: `1 - p_top`;
    /// margin: `-(p_top - p_second)`; entropy in nats).
    Uncertain(f32),
    /// Its least-confident uncertainty and squared distance to the nearest
    /// of the pool's centroids (the density strategy weighs both).
    Dense {
        /// `1 - p_top`.
        uncertainty: f32,
        /// Squared distance to the nearest centroid.
        distance: f32,
    },
    /// ALEX: the mean KL divergence of its explanation distribution to the
    /// labelled set's, and that distribution.
    Divergent {
        /// Mean KL divergence.
        divergence: f32,
        /// Its explanation as a distribution (`|φ|` normalised).
        distribution: SVector<f32, D>,
    },
    /// Retrieval: its score `W_k` and the disagreeing pair with the largest
    /// term in it (`None` when the sample agreed everywhere).
    Retrieved {
        /// `W_k`.
        score: f32,
        /// The pair.
        pair: Option<Box<[ExplainedInstance<D>; 2]>>,
    },
}

/// Why each instance of a batch was chosen, in the batch's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Reasons<const D: usize> {
    /// One per chosen instance.
    pub why: Vec<Why<D>>,
    /// ALEX: the mean of the labelled set's explanation distributions.
    pub labelled_mean: Option<SVector<f32, D>>,
}

/// Why `chosen` was the batch at a run's step, for the model `fitted` and
/// the labelled set `labelled`.
///
/// # Errors
/// An explainer that fails, named.
pub fn reasons<const D: usize, const C: usize, L: Learner<D, C>>(
    model: (&L, &L::Fitted),
    settings: &ActiveSettings,
    pool: &Pool<D, C>,
    (labelled, chosen): (&[u32], &[u32]),
    (run, step): (usize, usize),
) -> Result<Reasons<D>> {
    let (learner, fitted) = model;
    let probabilities = |i: u32| learner.probabilities(fitted, &pool.pool[i as usize]);
    let uncertain = |strategy, i| Why::Uncertain(uncertainty(strategy, &probabilities(i)));
    let mut labelled_mean = None;
    let why = match settings.strategy {
        Strategy::Random => chosen.iter().map(|_| Why::Drawn).collect(),
        Strategy::LeastConfident => chosen.iter().map(|&i| uncertain(QueryStrategy::LeastConfident, i)).collect(),
        Strategy::Margin => chosen.iter().map(|&i| uncertain(QueryStrategy::Margin, i)).collect(),
        Strategy::Entropy => chosen.iter().map(|&i| uncertain(QueryStrategy::Entropy, i)).collect(),
        Strategy::Density => chosen
            .iter()
            .map(|&i| Why::Dense {
                uncertainty: uncertainty(QueryStrategy::LeastConfident, &probabilities(i)),
                distance: density::nearest_centroid(&pool.centroids, &pool.pool[i as usize]).1,
            })
            .collect(),
        Strategy::Alex => {
            let known: Vec<Vec<f32>> = labelled
                .iter()
                .map(|&i| distribution(learner, fitted, settings, pool, i as usize))
                .collect::<Result<_>>()?;
            let mut mean = SVector::<f32, D>::zeros();
            for p in &known {
                mean += SVector::<f32, D>::from_column_slice(p);
            }
            labelled_mean = Some(mean / known.len().max(1) as f32);
            chosen
                .iter()
                .map(|&i| {
                    let p = distribution(learner, fitted, settings, pool, i as usize)?;
                    Ok(Why::Divergent {
                        divergence: alex::mean_divergence(&p, known.iter().map(Vec::as_slice)),
                        distribution: SVector::from_column_slice(&p),
                    })
                })
                .collect::<Result<_>>()?
        }
        Strategy::ExplanationRetrieval => {
            // The sample the choice drew: same pool left, same stream.
            let left = unlabelled(pool, labelled, &[]);
            let mut rng = Stream::ActiveChoice { run, step }.rng(settings.seed);
            let sample = retrieval_sample(model, settings, pool, &left, &mut rng)?;
            let entries = explained(pool, &left, &sample);
            let mut direction = vec![0.0f32; D];
            retrieval::retrieval_direction(&entries, &mut direction)
                .map_err(|e| crate::error::Error::core("retrieval", e))?;
            let member = |s: usize| {
                let (k, q, class) = &sample[s];
                ExplainedInstance { index: left[*k], prediction: *class, explanation: *q }
            };
            chosen
                .iter()
                .map(|&i| {
                    let x = pool.pool[i as usize].as_slice();
                    Why::Retrieved {
                        score: xil_core::maths::dot(x, &direction),
                        pair: retrieval::strongest_pair(&entries, x).map(|(a, b, _)| Box::new([member(a), member(b)])),
                    }
                })
                .collect()
        }
    };
    Ok(Reasons { why, labelled_mean })
}
