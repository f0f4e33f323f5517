//! Batch query strategies: which `b` pool instances to label next, as the
//! active-learning papers compare them (seed 002's ALEX and its baselines,
//! seed 004's explanation-based retrieval).
//!
//! Every strategy writes the chosen pool indices into a caller's buffer
//! (`out`, its length is the batch size) and returns how many it chose, so
//! nothing is allocated and a device can run the linear ones. Scores rank
//! larger-first with ties to the lower index, and a random choice depends
//! only on the RNG: a batch is a deterministic function of its inputs.
//!
//! - [`top_scores`]: the `b` largest scores, the building block;
//! - [`random_batch`]: `b` distinct instances uniformly (reservoir
//!   sampling);
//! - [`uncertainty_batch`]: least confident (US-P), smallest margin (US-M) or
//!   highest entropy;
//! - [`density`]: k-means clusters of the pool and density-weighted
//!   uncertainty (DW);
//! - [`alex`]: ALEX, the candidates of highest uncertainty whose explanations
//!   diverge most from the labelled set's;
//! - [`retrieval`]: seed 004's retrieval by explained pairs that disagree.

pub mod alex;
pub mod density;
pub mod retrieval;

use crate::active::query::{QueryStrategy, uncertainty};
use crate::random::uniform_index;
use rand_core::Rng;

/// Writes into `out` the indices of the `out.len()` largest of `scores(0)`,
/// …, `scores(n - 1)` (larger first, ties to the lower index; NaN never
/// chosen) and returns how many it wrote (fewer when `n` is smaller).
///
/// # Examples
/// ```
/// use xil_core::active::batch::top_scores;
///
/// let scores = [0.2, 0.9, 0.5, 0.9];
/// let mut out = [0; 3];
/// assert_eq!(top_scores(|i| scores[i], scores.len(), &mut out), 3);
/// assert_eq!(out, [1, 3, 2]);
/// ```
pub fn top_scores(scores: impl Fn(usize) -> f32, n: usize, out: &mut [usize]) -> usize {
    let mut filled = 0;
    // Once `out` is full, a score must beat the last chosen one to enter; the
    // threshold is kept so that a score is computed about once per instance
    // (the density and retrieval scores cost a pass over the features).
    let mut threshold = f32::NEG_INFINITY;
    for i in 0..n {
        let score = scores(i);
        if score.is_nan() || (filled == out.len() && score <= threshold) {
            continue;
        }
        // The chosen are sorted larger first, so `i` goes after every score
        // at least as large (ties stay with the lower index), the rest move
        // down and the last falls off when the buffer is full.
        let at = out.get(..filled).map_or(filled, |chosen| chosen.partition_point(|&j| scores(j) >= score));
        if at >= out.len() {
            continue;
        }
        let end = filled.min(out.len() - 1);
        if let Some(tail) = out.get_mut(at..=end) {
            tail.rotate_right(1);
        }
        if let Some(slot) = out.get_mut(at) {
            *slot = i;
        }
        filled = (filled + 1).min(out.len());
        if filled == out.len() {
            threshold = out.last().map_or(f32::NEG_INFINITY, |&j| scores(j));
        }
    }
    filled
}

/// Writes `min(out.len(), n)` distinct indices of `0..n` into `out`, each
/// subset equally likely (reservoir sampling, Algorithm R), in increasing
/// order; returns how many.
pub fn random_batch<R: Rng + ?Sized>(n: usize, out: &mut [usize], rng: &mut R) -> usize {
    let size = out.len().min(n);
    for i in 0..n {
        if i < size {
            if let Some(slot) = out.get_mut(i) {
                *slot = i;
            }
        } else {
            let j = uniform_index(rng, i + 1);
            if let Some(slot) = out.get_mut(j).filter(|_| j < size) {
                *slot = i;
            }
        }
    }
    if let Some(chosen) = out.get_mut(..size) {
        chosen.sort_unstable();
    }
    size
}

/// The `out.len()` pool instances of highest uncertainty under `strategy`
/// (least confident, margin or entropy over each instance's class
/// probabilities `probabilities[i]`); returns how many.
pub fn uncertainty_batch<const K: usize>(
    strategy: QueryStrategy,
    probabilities: &[[f32; K]],
    out: &mut [usize],
) -> usize {
    top_scores(|i| probabilities.get(i).map_or(f32::NAN, |p| uncertainty(strategy, p)), probabilities.len(), out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn the_largest_scores_come_first_and_nan_is_never_chosen() {
        let scores = [0.3, f32::NAN, 0.7, 0.1, 0.7, 0.5];
        let mut out = [9; 4];
        assert_eq!(top_scores(|i| scores[i], 6, &mut out), 4);
        assert_eq!(out, [2, 4, 5, 0]);
        let mut more = [9; 8];
        assert_eq!(top_scores(|i| scores[i], 6, &mut more), 5);
        assert_eq!(&more[..5], &[2, 4, 5, 0, 3]);
        assert_eq!(top_scores(|i| scores[i], 6, &mut []), 0);
    }

    #[test]
    fn top_scores_agree_with_a_stable_sort_and_score_each_instance_about_once() {
        extern crate std;
        use std::vec::Vec;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        // Coarse scores, so that ties are frequent; a few NaN and -inf.
        let scores: Vec<f32> = (0..5_000)
            .map(|_| match uniform_index(&mut rng, 60) {
                0 => f32::NAN,
                1 => f32::NEG_INFINITY,
                k => k as f32,
            })
            .collect();
        let mut expected: Vec<usize> = (0..scores.len()).filter(|&i| !scores[i].is_nan()).collect();
        expected.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        for b in [1, 7, 100, 5_000] {
            let evaluations = core::cell::Cell::new(0usize);
            let mut out = std::vec![0; b];
            let chosen = top_scores(
                |i| {
                    evaluations.set(evaluations.get() + 1);
                    scores[i]
                },
                scores.len(),
                &mut out,
            );
            assert_eq!(&out[..chosen], &expected[..chosen.min(expected.len())], "batch {b}");
            assert_eq!(chosen, b.min(expected.len()));
            if b <= 100 {
                assert!(evaluations.get() < 2 * scores.len(), "batch {b}: {} evaluations", evaluations.get());
            }
        }
    }

    #[test]
    fn random_batches_are_distinct_uniform_and_seeded() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let mut counts = [0u32; 10];
        for _ in 0..20_000 {
            let mut out = [0; 3];
            assert_eq!(random_batch(10, &mut out, &mut rng), 3);
            assert!(out[0] < out[1] && out[1] < out[2], "{out:?}");
            for &i in &out {
                counts[i] += 1;
            }
        }
        // Each index is chosen 3 times in 10: 6,000 expected.
        assert!(counts.iter().all(|&c| (5_700..6_300).contains(&c)), "{counts:?}");
        let mut out = [0; 5];
        assert_eq!(random_batch(2, &mut out, &mut rng), 2);
        assert_eq!(&out[..2], &[0, 1]);
        let draw = |seed| {
            let mut out = [0; 4];
            random_batch(100, &mut out, &mut Xoshiro256PlusPlus::seed_from_u64(seed));
            out
        };
        assert_eq!(draw(7), draw(7));
    }

    #[test]
    fn uncertainty_batches_rank_by_the_strategy() {
        let probabilities = [[0.9, 0.05, 0.05], [0.4, 0.4, 0.2], [0.5, 0.3, 0.2], [0.34, 0.33, 0.33]];
        let mut out = [0; 2];
        uncertainty_batch(QueryStrategy::LeastConfident, &probabilities, &mut out);
        assert_eq!(out, [3, 1]);
        uncertainty_batch(QueryStrategy::Margin, &probabilities, &mut out);
        assert_eq!(out, [1, 3]);
        uncertainty_batch(QueryStrategy::Entropy, &probabilities, &mut out);
        assert_eq!(out, [3, 1]);
    }
}
