//! The explainer's evaluation budget for explanation-based retrieval, chosen
//! as seed 004 chooses it (there by Bayesian optimisation): on a validation
//! split carved from the labelled data, never from the test set.
//!
//! The seed set is split per class into a validation part (30 %, at least
//! one instance of a class with two or more) and a training part. For each
//! budget, retrieval runs `rounds` rounds from the training part (the
//! validation instances cannot be retrieved), and the budget scores the
//! mean macro-F1 on the validation part over the rounds. The best budget
//! wins, the smallest of equals.

use crate::error::Result;
use crate::harness::folds::shuffle;
use crate::harness::seeds::Stream;
use crate::protocols::active::learners::Learner;
use crate::protocols::active::learners::linear::Linear;
use crate::protocols::active::pool::Pool;
use crate::protocols::active::run::choose;
use crate::protocols::active::settings::ActiveSettings;
use xil_core::metrics::macro_f1;

/// Share of each class's seed-set instances that validate.
const VALIDATION_SHARE: f32 = 0.3;

/// One budget's score.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BudgetScore {
    /// Model evaluations per explanation.
    pub samples: usize,
    /// Mean validation macro-F1 over the rounds.
    pub validation_f1: f32,
    /// Seconds the budget's rounds took.
    pub seconds: f64,
}

/// The search's outcome: every budget's score and the one chosen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BudgetSearch {
    /// The scores, in the order tried.
    pub scores: Vec<BudgetScore>,
    /// The chosen budget.
    pub chosen: usize,
    /// Instances that trained and validated.
    pub split: (usize, usize),
}

/// `seed_set` split per class into (training, validation), both sorted.
fn split<const D: usize, const C: usize>(pool: &Pool<D, C>, seed_set: &[u32], seed: u64) -> (Vec<u32>, Vec<u32>) {
    let mut rng = Stream::ActiveValidation.rng(seed);
    let (mut train, mut validation) = (Vec::new(), Vec::new());
    for class in 0..C as u8 {
        let mut members: Vec<u32> =
            seed_set.iter().copied().filter(|&i| pool.pool_labels[i as usize] == class).collect();
        shuffle(&mut members, &mut rng);
        let held =
            if members.len() < 2 { 0 } else { ((members.len() as f32 * VALIDATION_SHARE).round() as usize).max(1) };
        validation.extend_from_slice(&members[..held]);
        train.extend_from_slice(&members[held..]);
    }
    train.sort_unstable();
    validation.sort_unstable();
    (train, validation)
}

/// Scores every budget in `budgets` for retrieval with `learner` on run 0's
/// seed set of `pool`, `rounds` rounds each; `tick` after each round.
///
/// # Errors
/// A fit or explanation that fails, named.
pub fn search<const D: usize, const C: usize>(
    settings: &ActiveSettings,
    learner: &Linear,
    pool: &Pool<D, C>,
    (budgets, rounds): (&[usize], usize),
    tick: &(dyn Fn() + Sync),
) -> Result<BudgetSearch> {
    let seed_set = pool.seed_set(settings.q, &mut Stream::ActiveSeedSet(0).rng(settings.seed))?;
    let (train, validation) = split(pool, &seed_set, settings.seed);
    let truth: Vec<u8> = validation.iter().map(|&i| pool.pool_labels[i as usize]).collect();
    let tuned = Learner::<D, C>::for_run(learner, pool, &train, 0)?;
    let mut scores = Vec::with_capacity(budgets.len());
    for &samples in budgets {
        let started = std::time::Instant::now();
        let budget = ActiveSettings { explainer_samples: samples, ..settings.clone() };
        let learner = tuned.with_samples(samples);
        let mut labelled = train.clone();
        let mut fitted = Learner::<D, C>::fit(&learner, pool, &labelled, 0, 0)?;
        let mut total = 0.0;
        for round in 0..rounds {
            let batch = choose((&learner, &fitted), &budget, pool, (&labelled, &validation), (0, round))?;
            labelled.extend(batch);
            labelled.sort_unstable();
            fitted = Learner::<D, C>::fit(&learner, pool, &labelled, 0, round + 1)?;
            let predicted: Vec<u8> = validation
                .iter()
                .map(|&i| Learner::<D, C>::predict(&learner, &fitted, &pool.pool[i as usize]) as u8)
                .collect();
            total += macro_f1::<C>(&predicted, &truth);
            tick();
        }
        scores.push(BudgetScore {
            samples,
            validation_f1: total / rounds.max(1) as f32,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let chosen = scores.iter().fold(None::<BudgetScore>, |best, s| match best {
        Some(b) if b.validation_f1 >= s.validation_f1 => Some(b),
        _ => Some(*s),
    });
    Ok(BudgetSearch {
        chosen: chosen.map_or(settings.explainer_samples, |b| b.samples),
        scores,
        split: (train.len(), validation.len()),
    })
}
