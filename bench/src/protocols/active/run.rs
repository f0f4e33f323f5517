//! One strategy over `runs` runs: seed set, then `steps` rounds of fitting
//! the learner, measuring and labelling a batch.

use super::learners::Learner;
use super::pool::Pool;
use super::settings::{ActiveSettings, Strategy};
use super::sources::Source;
use crate::error::{Error, Result};
use crate::harness::observe::Observer;
use crate::harness::record::{Metric, Record};
use crate::harness::seeds::Stream;
use nalgebra::SVector;
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;
use xil_core::QueryStrategy;
use xil_core::active::batch::{alex, density, random_batch, retrieval, uncertainty_batch};
use xil_core::metrics::{accuracy, macro_f1};

/// What one step of one run measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ActiveRow {
    /// The run (0-based).
    pub run: usize,
    /// Labelling steps done (0: the seed set alone).
    pub step: usize,
    /// Labelled instances.
    pub labelled: usize,
    /// Test accuracy of the model fitted to them.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub accuracy: f32,
    /// Test macro-F1.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub f1_macro: f32,
    /// Seconds of the step: training, measuring and choosing the next batch.
    #[serde(serialize_with = "crate::harness::record::decimals::<3, _, _>")]
    pub seconds: f64,
}

impl Record for ActiveRow {
    const METRICS: &'static [Metric<Self>] = &[
        Metric { name: "test accuracy", panel: "active: test accuracy (x: steps)", value: |r| r.accuracy },
        Metric { name: "test macro-F1", panel: "active: test macro-F1 (x: steps)", value: |r| r.f1_macro },
    ];

    fn fold(&self) -> usize {
        self.run
    }

    /// Steps from 1 (the seed set is step 1).
    fn step(&self) -> usize {
        self.step + 1
    }
}

/// The explanation of pool instance `i` for its predicted class, and the
/// class.
///
/// # Errors
/// An explainer that fails, named.
pub fn explanation<const D: usize, const C: usize, L: Learner<D, C>>(
    learner: &L,
    fitted: &L::Fitted,
    settings: &ActiveSettings,
    x: &SVector<f32, D>,
    key: usize,
) -> Result<(SVector<f32, D>, usize)> {
    let class = learner.predict(fitted, x);
    let mut rng = Stream::ActiveExplain(key).rng(settings.seed);
    Ok((learner.explain(fitted, x, class, &mut rng)?, class))
}

/// The explanation distribution of pool instance `i` (ALEX).
///
/// # Errors
/// An explainer that fails, named.
pub fn distribution<const D: usize, const C: usize, L: Learner<D, C>>(
    learner: &L,
    fitted: &L::Fitted,
    settings: &ActiveSettings,
    pool: &Pool<D, C>,
    i: usize,
) -> Result<Vec<f32>> {
    let (phi, _) = explanation(learner, fitted, settings, &pool.pool[i], i)?;
    let mut p = vec![0.0; D];
    alex::explanation_distribution(phi.as_slice(), &mut p);
    Ok(p)
}

/// ALEX's batch among the unlabelled `left` (pool-left positions into
/// `out`): the 3b least confident, ranked by the mean KL divergence of their
/// explanations to the labelled set's, all explained by the current model.
fn alex_choice<const D: usize, const C: usize, L: Learner<D, C>>(
    (learner, fitted): (&L, &L::Fitted),
    settings: &ActiveSettings,
    pool: &Pool<D, C>,
    (labelled, left): (&[u32], &[u32]),
    probabilities: &[[f32; C]],
    out: &mut [usize],
) -> Result<usize> {
    let labelled: Vec<Vec<f32>> = labelled
        .par_iter()
        .map(|&i| distribution(learner, fitted, settings, pool, i as usize))
        .collect::<Result<_>>()?;
    let mut candidates = vec![0usize; 3 * out.len()];
    let found = alex::alex_candidates(probabilities, &mut candidates);
    candidates.truncate(found);
    let divergences: Vec<f32> = candidates
        .par_iter()
        .map(|&k| {
            let p = distribution(learner, fitted, settings, pool, left[k] as usize)?;
            Ok(alex::mean_divergence(&p, labelled.iter().map(Vec::as_slice)))
        })
        .collect::<Result<_>>()?;
    Ok(alex::most_divergent(&candidates, &divergences, out))
}

/// Seed 004's sample `X_s` among the unlabelled `left`: `B_E`
/// (`--explained`, else the batch size) random positions into `left`, each
/// explained for its predicted class.
pub fn retrieval_sample<const D: usize, const C: usize, L: Learner<D, C>>(
    (learner, fitted): (&L, &L::Fitted),
    settings: &ActiveSettings,
    pool: &Pool<D, C>,
    left: &[u32],
    rng: &mut rand_xoshiro::Xoshiro256PlusPlus,
) -> Result<Vec<(usize, SVector<f32, D>, usize)>> {
    let mut sample = vec![0usize; settings.explained_size()];
    let drawn = random_batch(left.len(), &mut sample, rng);
    sample.truncate(drawn);
    sample
        .par_iter()
        .map(|&k| {
            let i = left[k] as usize;
            let (q, class) = explanation(learner, fitted, settings, &pool.pool[i], i)?;
            Ok((k, q, class))
        })
        .collect()
}

/// The sample as core's retrieval sees it.
pub fn explained<'s, const D: usize, const C: usize>(
    pool: &'s Pool<D, C>,
    left: &[u32],
    sample: &'s [(usize, SVector<f32, D>, usize)],
) -> Vec<retrieval::Explained<'s>> {
    sample
        .iter()
        .map(|(k, q, class)| retrieval::Explained {
            features: pool.pool[left[*k] as usize].as_slice(),
            explanation: q.as_slice(),
            prediction: *class as u8,
        })
        .collect()
}

/// Seed 004's batch among the unlabelled `left`: the sample explained, then
/// the pool scored by the pairs that disagree.
fn retrieval_choice<const D: usize, const C: usize, L: Learner<D, C>>(
    model: (&L, &L::Fitted),
    settings: &ActiveSettings,
    pool: &Pool<D, C>,
    left: &[u32],
    rng: &mut rand_xoshiro::Xoshiro256PlusPlus,
    out: &mut [usize],
) -> Result<usize> {
    let sample = retrieval_sample(model, settings, pool, left, rng)?;
    let mut direction = vec![0.0f32; D];
    retrieval::retrieval_direction(&explained(pool, left, &sample), &mut direction)
        .map_err(|e| Error::core("retrieval", e))?;
    Ok(retrieval::retrieval_batch(&direction, |k| pool.pool[left[k] as usize].as_slice(), left.len(), out))
}

/// The pool instances neither labelled nor withheld (both sorted).
pub fn unlabelled<const D: usize, const C: usize>(pool: &Pool<D, C>, labelled: &[u32], withheld: &[u32]) -> Vec<u32> {
    (0..pool.pool.len() as u32)
        .filter(|i| labelled.binary_search(i).is_err() && withheld.binary_search(i).is_err())
        .collect()
}

/// The next batch: pool indices chosen by the strategy among those neither
/// labelled nor `withheld` (both sorted).
///
/// # Errors
/// An explainer that fails, named.
pub fn choose<const D: usize, const C: usize, L: Learner<D, C>>(
    (learner, fitted): (&L, &L::Fitted),
    settings: &ActiveSettings,
    pool: &Pool<D, C>,
    (labelled, withheld): (&[u32], &[u32]),
    (run, step): (usize, usize),
) -> Result<Vec<u32>> {
    let left = unlabelled(pool, labelled, withheld);
    // Every strategy but random and retrieval ranks by the pool's class
    // probabilities (a forward pass per unlabelled instance).
    let probabilities: Vec<[f32; C]> = match settings.strategy {
        Strategy::Random | Strategy::ExplanationRetrieval => Vec::new(),
        _ => left.par_iter().map(|&i| learner.probabilities(fitted, &pool.pool[i as usize])).collect(),
    };
    let mut out = vec![0usize; settings.batch_size()];
    let mut rng = Stream::ActiveChoice { run, step }.rng(settings.seed);
    let chosen = match settings.strategy {
        Strategy::Random => random_batch(left.len(), &mut out, &mut rng),
        Strategy::LeastConfident => uncertainty_batch(QueryStrategy::LeastConfident, &probabilities, &mut out),
        Strategy::Margin => uncertainty_batch(QueryStrategy::Margin, &probabilities, &mut out),
        Strategy::Entropy => uncertainty_batch(QueryStrategy::Entropy, &probabilities, &mut out),
        Strategy::Density => {
            density::density_batch(|k| &pool.pool[left[k] as usize], &probabilities, &pool.centroids, &mut out)
        }
        Strategy::Alex => alex_choice((learner, fitted), settings, pool, (labelled, &left), &probabilities, &mut out)?,
        Strategy::ExplanationRetrieval => {
            retrieval_choice((learner, fitted), settings, pool, &left, &mut rng, &mut out)?
        }
    };
    Ok(out[..chosen].iter().map(|&k| left[k]).collect())
}

/// Every run of the strategy with `learner` on `source` (in parallel);
/// `observe` sees each step's row and can stop the runs (their rows so far
/// are returned).
///
/// # Errors
/// The first failing run's message.
pub fn run<const D: usize, const C: usize, L: Learner<D, C>>(
    settings: &ActiveSettings,
    learner: &L,
    source: &impl Source<D>,
    observe: Observer<'_, ActiveRow>,
) -> Result<Vec<ActiveRow>> {
    let pool = Pool::<D, C>::prepare(settings, source)?;
    Ok(trajectories(settings, learner, &pool, observe)?.into_iter().flat_map(|t| t.rows).collect())
}

/// One run's rows and the pool instances labelled at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// A row per step.
    pub rows: Vec<ActiveRow>,
    /// The labelled pool instances after the last step (sorted).
    pub labelled: Vec<u32>,
}

/// Every run of the strategy on a prepared pool (in parallel), in run
/// order.
///
/// # Errors
/// The first failing run's message.
pub fn trajectories<const D: usize, const C: usize, L: Learner<D, C>>(
    settings: &ActiveSettings,
    learner: &L,
    pool: &Pool<D, C>,
    observe: Observer<'_, ActiveRow>,
) -> Result<Vec<Trajectory>> {
    (0..settings.runs).into_par_iter().map(|run| run_one(settings, learner, pool, run, observe)).collect()
}

/// Test accuracy and macro-F1 of a fitted model.
pub fn measure<const D: usize, const C: usize, L: Learner<D, C>>(
    learner: &L,
    fitted: &L::Fitted,
    pool: &Pool<D, C>,
) -> (f32, f32) {
    let predicted: Vec<u8> = pool.test.par_iter().map(|x| learner.predict(fitted, x) as u8).collect();
    (accuracy(&predicted, &pool.test_labels), macro_f1::<C>(&predicted, &pool.test_labels))
}

/// One run: the seed set, then fitting, measuring and labelling.
fn run_one<const D: usize, const C: usize, L: Learner<D, C>>(
    settings: &ActiveSettings,
    learner: &L,
    pool: &Pool<D, C>,
    run: usize,
    observe: Observer<'_, ActiveRow>,
) -> Result<Trajectory> {
    let mut labelled = pool.seed_set(settings.q, &mut Stream::ActiveSeedSet(run).rng(settings.seed))?;
    let learner = learner.for_run(pool, &labelled, run)?;
    let mut rows = Vec::with_capacity(settings.steps + 1);
    for step in 0..=settings.steps {
        let started = Instant::now();
        let fitted = learner.fit(pool, &labelled, run, step)?;
        let (accuracy, f1_macro) = measure(&learner, &fitted, pool);
        let trained_on = labelled.len();
        if step < settings.steps {
            let batch = choose((&learner, &fitted), settings, pool, (&labelled, &[]), (run, step))?;
            labelled.extend(batch);
            labelled.sort_unstable();
        }
        let row =
            ActiveRow { run, step, labelled: trained_on, accuracy, f1_macro, seconds: started.elapsed().as_secs_f64() };
        rows.push(row);
        if observe(&row).is_break() {
            break;
        }
    }
    Ok(Trajectory { rows, labelled })
}
