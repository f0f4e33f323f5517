//! ALEX (seed 002, Algorithm 1): among the `k = 3b` pool instances whose
//! predictions are least confident, label the `b` whose explanations diverge
//! most, on average, from the explanations of the labelled set.
//!
//! An explanation vector `φ` (Kernel SHAP's values in the paper, any
//! explainer's here) becomes a distribution over its components by
//! normalising its magnitudes with additive smoothing,
//!
//! ```text
//! p_j = (|φ_j| + ε) / Σ_k (|φ_k| + ε),   ε = 0.01 · mean_k |φ_k|
//! ```
//!
//! (uniform when `φ = 0`), so that the Kullback-Leibler divergence
//! `KL(p ‖ r) = Σ_j p_j ln(p_j / r_j)` is finite; an instance's score is its
//! mean divergence to every labelled instance's distribution.

use super::{top_scores, uncertainty_batch};
use crate::active::query::QueryStrategy;
use crate::error::Error;

/// The smoothing `ε` as a share of the mean magnitude.
pub const SMOOTHING: f32 = 0.01;

/// Writes `φ`'s distribution into `out` (the common length); see the module
/// docs.
pub fn explanation_distribution(phi: &[f32], out: &mut [f32]) {
    let n = phi.len().min(out.len());
    let (Some(phi), Some(out)) = (phi.get(..n), out.get_mut(..n)) else { return };
    let total: f32 = phi.iter().map(|v| v.abs()).sum();
    if !(total.is_finite() && total > 0.0) {
        out.fill(1.0 / n.max(1) as f32);
        return;
    }
    let epsilon = SMOOTHING * total / n as f32;
    let norm = total + epsilon * n as f32;
    for (p, v) in out.iter_mut().zip(phi) {
        *p = (v.abs() + epsilon) / norm;
    }
}

/// `KL(p ‖ r) = Σ p_j ln(p_j / r_j)` over the common length (terms with
/// `p_j = 0` are 0; `r_j = 0` where `p_j > 0` gives infinity).
pub fn kl_divergence(p: &[f32], r: &[f32]) -> f32 {
    p.iter()
        .zip(r)
        .filter(|(p, _)| **p > 0.0)
        .map(|(&p, &r)| if r > 0.0 { p * libm::logf(p / r) } else { f32::INFINITY })
        .sum()
}

/// The mean of `KL(p ‖ r)` over the labelled distributions `r` (0 when
/// there are none).
pub fn mean_divergence<'a>(p: &[f32], labelled: impl IntoIterator<Item = &'a [f32]>) -> f32 {
    let (mut sum, mut count) = (0.0f32, 0usize);
    for r in labelled {
        sum += kl_divergence(p, r);
        count += 1;
    }
    if count == 0 { 0.0 } else { sum / count as f32 }
}

/// ALEX's candidates: the `candidates.len()` least confident pool
/// instances (the paper takes three times the batch); returns how many.
pub fn alex_candidates<const K: usize>(probabilities: &[[f32; K]], candidates: &mut [usize]) -> usize {
    uncertainty_batch(QueryStrategy::LeastConfident, probabilities, candidates)
}

/// The `out.len()` candidates whose explanations diverge most
/// (`divergences[c]` is candidate `c`'s [`mean_divergence`]), as pool
/// indices; returns how many.
pub fn most_divergent(candidates: &[usize], divergences: &[f32], out: &mut [usize]) -> usize {
    let found = candidates.len().min(divergences.len());
    let picked = top_scores(|c| divergences.get(c).copied().unwrap_or(f32::NAN), found, out);
    for slot in out.iter_mut().take(picked) {
        *slot = candidates.get(*slot).copied().unwrap_or(*slot);
    }
    picked
}

/// ALEX's batch in one call: [`alex_candidates`], each scored by
/// `divergence(i)` (the [`mean_divergence`] of pool instance `i`'s
/// explanation distribution to the labelled set's), then
/// [`most_divergent`]. `scores` is scratch of `candidates`' length.
///
/// # Errors
/// [`Error::OutOfRange`] when `scores` is shorter than `candidates`; the
/// explainer's error, when it fails.
pub fn alex_batch<const K: usize>(
    probabilities: &[[f32; K]],
    candidates: &mut [usize],
    scores: &mut [f32],
    mut divergence: impl FnMut(usize) -> Result<f32, Error>,
    out: &mut [usize],
) -> Result<usize, Error> {
    if scores.len() < candidates.len() {
        return Err(Error::OutOfRange { index: candidates.len(), len: scores.len() });
    }
    let found = alex_candidates(probabilities, candidates);
    for (score, &candidate) in scores.iter_mut().zip(candidates.iter()).take(found) {
        *score = divergence(candidate)?;
    }
    let (candidates, scores) = (candidates.get(..found).unwrap_or(&[]), scores.get(..found).unwrap_or(&[]));
    Ok(most_divergent(candidates, scores, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_are_smoothed_magnitudes_and_kl_is_by_hand() {
        let mut p = [0.0f32; 4];
        explanation_distribution(&[2.0, -2.0, 0.0, 0.0], &mut p);
        // ε = 0.01, norm = 4.04.
        let expected = [2.01 / 4.04, 2.01 / 4.04, 0.01 / 4.04, 0.01 / 4.04];
        for (a, b) in p.iter().zip(expected) {
            approx::assert_abs_diff_eq!(*a, b, epsilon = 1e-7);
        }
        explanation_distribution(&[0.0; 4], &mut p);
        assert_eq!(p, [0.25; 4]);
        let q = [0.5f32, 0.25, 0.25];
        let r = [0.25f32, 0.5, 0.25];
        // 0.5 ln 2 + 0.25 ln 0.5.
        approx::assert_abs_diff_eq!(kl_divergence(&q, &r), 0.25 * 2.0f32.ln(), epsilon = 1e-7);
        assert_eq!(kl_divergence(&q, &q), 0.0);
        approx::assert_abs_diff_eq!(mean_divergence(&q, [&r[..], &q[..]]), 0.125 * 2.0f32.ln(), epsilon = 1e-7);
        assert_eq!(mean_divergence(&q, []), 0.0);
    }

    #[test]
    fn alex_picks_the_most_divergent_of_the_least_confident() {
        // Instances 1, 2, 3 are the least confident; 0 and 4 are sure.
        let probabilities = [[0.95, 0.05], [0.5, 0.5], [0.6, 0.4], [0.55, 0.45], [0.9, 0.1]];
        let divergence = [9.0f32, 0.1, 0.7, 0.3, 8.0];
        let (mut candidates, mut scores, mut out) = ([0; 3], [0.0; 3], [0; 2]);
        let chosen = alex_batch(&probabilities, &mut candidates, &mut scores, |i| Ok(divergence[i]), &mut out).unwrap();
        assert_eq!((chosen, out), (2, [2, 3]));
        assert_eq!(candidates, [1, 3, 2]);
        let failing = alex_batch(&probabilities, &mut candidates, &mut scores, |_| Err(Error::Singular), &mut out);
        assert_eq!(failing, Err(Error::Singular));
        assert!(alex_batch(&probabilities, &mut candidates, &mut [0.0; 2], |_| Ok(0.0), &mut out).is_err());
    }
}
