//! Metrics of explanations and of predictions.
//!
//! - Explanation precision, recall and F1 between the components an
//!   explanation names and the true ones, with a running mean over queries
//!   (CAIPI's curves) and recall@k.
//! - Weight decomposition: how much of a linear model's weight vector lies
//!   along the directions of two candidate concepts, `w = a0 w0 + a1 w1 + r`,
//!   by least squares; for disjoint supports in closed form.
//! - Accuracy and macro-F1 of predicted classes.

use crate::error::Error;

/// Precision, recall and F1 of a named set against a true set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SetScores {
    /// `|P ∩ T| / |P|`.
    pub precision: f32,
    /// `|P ∩ T| / |T|`.
    pub recall: f32,
    /// The harmonic mean of precision and recall (0 when both are 0).
    pub f1: f32,
}

/// Scores the components an explanation names (`predicted`, duplicates
/// ignored) against the true ones.
///
/// Defined results for empty sets: an empty `predicted` has precision 0
/// (recall 0), an empty `truth` has recall 0; both empty score 1 throughout
/// (nothing to find, nothing wrongly named).
///
/// # Examples
/// ```
/// use xil_core::metrics::explanation_scores;
///
/// let scores = explanation_scores(&[0, 4, 7, 9], &[0, 4, 20, 24]);
/// assert_eq!((scores.precision, scores.recall, scores.f1), (0.5, 0.5, 0.5));
/// ```
pub fn explanation_scores(predicted: &[usize], truth: &[usize]) -> SetScores {
    let distinct = |set: &[usize]| set.iter().enumerate().filter(|&(i, c)| !set.iter().take(i).any(|d| d == c)).count();
    let (named, relevant) = (distinct(predicted), distinct(truth));
    if named == 0 && relevant == 0 {
        return SetScores { precision: 1.0, recall: 1.0, f1: 1.0 };
    }
    let hits = predicted
        .iter()
        .enumerate()
        .filter(|&(i, c)| !predicted.iter().take(i).any(|d| d == c) && truth.contains(c))
        .count() as f32;
    let precision = if named > 0 { hits / named as f32 } else { 0.0 };
    let recall = if relevant > 0 { hits / relevant as f32 } else { 0.0 };
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    SetScores { precision, recall, f1 }
}

/// The share of the true components among the first `k` of a ranking
/// (`k` beyond the ranking's length uses the whole ranking; an empty truth
/// gives 1).
pub fn recall_at_k(ranking: &[usize], truth: &[usize], k: usize) -> f32 {
    if truth.is_empty() {
        return 1.0;
    }
    let top = ranking.get(..k.min(ranking.len())).unwrap_or(ranking);
    let found = truth.iter().filter(|c| top.contains(c)).count();
    found as f32 / truth.len() as f32
}

/// A mean updated one value at a time.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunningMean {
    count: u32,
    mean: f32,
}

impl RunningMean {
    /// An empty mean (reports 0).
    pub const fn new() -> Self {
        Self { count: 0, mean: 0.0 }
    }

    /// Adds a value.
    pub fn push(&mut self, value: f32) {
        self.count = self.count.saturating_add(1);
        self.mean += (value - self.mean) / self.count as f32;
    }

    /// The mean so far (0 before any value).
    pub fn mean(&self) -> f32 {
        self.mean
    }

    /// How many values were added.
    pub fn count(&self) -> u32 {
        self.count
    }
}

/// `w = alpha0 w0 + alpha1 w1 + r`, with `residual = |r|^2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decomposition {
    /// Coefficient along the first direction.
    pub alpha0: f32,
    /// Coefficient along the second direction.
    pub alpha1: f32,
    /// Squared norm of what the two directions do not explain.
    pub residual: f32,
}

/// Least-squares decomposition of `w` along two directions, by the 2x2
/// normal equations. Only the common length of the three slices is used.
///
/// # Errors
/// [`Error::Singular`] when the directions are parallel or zero;
/// [`Error::NonFinite`] (example 0) when an input is NaN or infinite.
///
/// # Examples
/// ```
/// use xil_core::metrics::decompose;
///
/// let w0 = [1.0, 1.0, 0.0];
/// let w1 = [0.0, 1.0, 1.0];
/// let w = [2.0, -1.0, -3.0]; // 2 w0 - 3 w1
/// let d = decompose(&w, &w0, &w1)?;
/// approx::assert_abs_diff_eq!(d.alpha0, 2.0, epsilon = 1e-5);
/// approx::assert_abs_diff_eq!(d.alpha1, -3.0, epsilon = 1e-5);
/// assert!(d.residual < 1e-5);
/// # Ok::<(), xil_core::Error>(())
/// ```
pub fn decompose(w: &[f32], w0: &[f32], w1: &[f32]) -> Result<Decomposition, Error> {
    let triples = || w.iter().zip(w0).zip(w1).map(|((&a, &b), &c)| (a, b, c));
    if triples().any(|(a, b, c)| !(a.is_finite() && b.is_finite() && c.is_finite())) {
        return Err(Error::NonFinite { example: 0 });
    }
    let (mut g00, mut g01, mut g11, mut b0, mut b1) = (0.0f32, 0.0, 0.0, 0.0, 0.0);
    for (a, b, c) in triples() {
        g00 += b * b;
        g01 += b * c;
        g11 += c * c;
        b0 += a * b;
        b1 += a * c;
    }
    let determinant = g00 * g11 - g01 * g01;
    if determinant.is_nan() || determinant <= 1e-12 * (g00 * g11).max(f32::MIN_POSITIVE) {
        return Err(Error::Singular);
    }
    let alpha0 = (g11 * b0 - g01 * b1) / determinant;
    let alpha1 = (g00 * b1 - g01 * b0) / determinant;
    let residual = triples().map(|(a, b, c)| (a - alpha0 * b - alpha1 * c) * (a - alpha0 * b - alpha1 * c)).sum();
    Ok(Decomposition { alpha0, alpha1, residual })
}

/// The closed form of [`decompose`] for directions with disjoint supports
/// and entries `sign0` on `support0`, `sign1` on `support1`: `alpha` is the
/// signed mean of `w` over each support, and
/// `residual = |w|^2 - |S0| alpha0^2 - |S1| alpha1^2`.
///
/// # Errors
/// [`Error::EmptyData`] for an empty support; [`Error::OutOfRange`] for a
/// support index beyond `w`.
pub fn decompose_disjoint(
    w: &[f32],
    support0: &[usize],
    sign0: f32,
    support1: &[usize],
    sign1: f32,
) -> Result<Decomposition, Error> {
    let signed_mean = |support: &[usize], sign: f32| -> Result<f32, Error> {
        if support.is_empty() {
            return Err(Error::EmptyData);
        }
        let mut sum = 0.0;
        for &j in support {
            sum += w.get(j).ok_or(Error::OutOfRange { index: j, len: w.len() })?;
        }
        Ok(sign * sum / support.len() as f32)
    };
    let alpha0 = signed_mean(support0, sign0)?;
    let alpha1 = signed_mean(support1, sign1)?;
    let norm: f32 = w.iter().map(|v| v * v).sum();
    let residual = norm - support0.len() as f32 * alpha0 * alpha0 - support1.len() as f32 * alpha1 * alpha1;
    Ok(Decomposition { alpha0, alpha1, residual })
}

/// The attribution overlap of one sample (seed 003, eq. 17): the share of an
/// attribution map's magnitude that falls on the components a user marked
/// irrelevant, `‖F ⊙ T‖₁ / ‖T‖₁` for the attribution `T` and the 0/1 mask `F`
/// (`irrelevant`, over the common length). In `[0, 1]`; lower means less
/// attention on what does not matter. 0 for an all-zero attribution.
/// Seed 003 reports its mean over the annotated test samples.
///
/// # Examples
/// ```
/// use xil_core::metrics::attribution_overlap;
///
/// let overlap = attribution_overlap(&[0.5, -1.5, 2.0], &[false, true, false]);
/// assert_eq!(overlap, 1.5 / 4.0);
/// ```
pub fn attribution_overlap(attribution: &[f32], irrelevant: &[bool]) -> f32 {
    let (mut inside, mut total) = (0.0f32, 0.0f32);
    for (value, &marked) in attribution.iter().zip(irrelevant) {
        total += value.abs();
        if marked {
            inside += value.abs();
        }
    }
    if total > 0.0 { inside / total } else { 0.0 }
}

/// The share of positions where `predicted` equals `truth` (over the common
/// length; 0 for empty input).
pub fn accuracy(predicted: &[u8], truth: &[u8]) -> f32 {
    let n = predicted.len().min(truth.len());
    if n == 0 {
        return 0.0;
    }
    predicted.iter().zip(truth).filter(|(p, t)| p == t).count() as f32 / n as f32
}

/// The mean over the `K` classes of each class's F1 (a class that never
/// occurs and is never predicted counts as F1 = 1; labels `>= K` count as
/// wrong predictions).
///
/// # Examples
/// ```
/// use xil_core::metrics::macro_f1;
///
/// let f1 = macro_f1::<2>(&[1, 1, 0, 0], &[1, 0, 0, 0]);
/// // class 0: P = 1, R = 2/3; class 1: P = 1/2, R = 1
/// assert!(approx::abs_diff_eq!(f1, (0.8 + 2.0 / 3.0) / 2.0, epsilon = 1e-6));
/// ```
pub fn macro_f1<const K: usize>(predicted: &[u8], truth: &[u8]) -> f32 {
    if K == 0 {
        return 0.0;
    }
    let mut true_positives = [0u32; K];
    let mut predicted_counts = [0u32; K];
    let mut true_counts = [0u32; K];
    for (&p, &t) in predicted.iter().zip(truth) {
        if let Some(count) = predicted_counts.get_mut(usize::from(p)) {
            *count += 1;
        }
        if let Some(count) = true_counts.get_mut(usize::from(t)) {
            *count += 1;
        }
        if p == t
            && let Some(count) = true_positives.get_mut(usize::from(p))
        {
            *count += 1;
        }
    }
    let total: f32 = true_positives
        .iter()
        .zip(predicted_counts.iter().zip(&true_counts))
        .map(|(&tp, (&pc, &tc))| if pc + tc == 0 { 1.0 } else { 2.0 * tp as f32 / (pc + tc) as f32 })
        .sum();
    total / K as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_overlap_is_the_share_of_magnitude_on_the_mask() {
        assert_eq!(attribution_overlap(&[1.0, -1.0, 2.0, 0.0], &[true, true, false, true]), 0.5);
        assert_eq!(attribution_overlap(&[3.0, -3.0], &[true, true]), 1.0);
        assert_eq!(attribution_overlap(&[3.0, -3.0], &[false, false]), 0.0);
        assert_eq!(attribution_overlap(&[0.0, 0.0], &[true, false]), 0.0, "no attribution, no overlap");
        // Only the common length counts.
        assert_eq!(attribution_overlap(&[1.0, 1.0, 5.0], &[true, false]), 0.5);
    }

    #[test]
    fn empty_sets_have_defined_scores() {
        assert_eq!(explanation_scores(&[], &[1]).f1, 0.0);
        assert_eq!(explanation_scores(&[1], &[]).f1, 0.0);
        assert_eq!(explanation_scores(&[], &[]).f1, 1.0);
        assert_eq!(explanation_scores(&[1, 1], &[1]).precision, 1.0, "duplicates are ignored");
    }

    #[test]
    fn recall_at_k_counts_the_top_of_the_ranking() {
        assert_eq!(recall_at_k(&[3, 1, 2, 0], &[0, 1], 2), 0.5);
        assert_eq!(recall_at_k(&[3, 1, 2, 0], &[0, 1], 99), 1.0);
        assert_eq!(recall_at_k(&[], &[0], 3), 0.0);
    }

    #[test]
    fn the_closed_form_agrees_with_least_squares_on_disjoint_supports() {
        let w = [0.5, 0.7, -0.2, 0.1, -1.0, -0.8, 0.3];
        let (s0, s1) = ([0usize, 1], [4usize, 5, 6]);
        let mut w0 = [0.0; 7];
        let mut w1 = [0.0; 7];
        s0.iter().for_each(|&j| w0[j] = 1.0);
        s1.iter().for_each(|&j| w1[j] = -1.0);
        let general = decompose(&w, &w0, &w1).unwrap();
        let closed = decompose_disjoint(&w, &s0, 1.0, &s1, -1.0).unwrap();
        assert!(approx::abs_diff_eq!(general.alpha0, closed.alpha0, epsilon = 1e-6));
        assert!(approx::abs_diff_eq!(general.alpha1, closed.alpha1, epsilon = 1e-6));
        assert!(approx::abs_diff_eq!(general.residual, closed.residual, epsilon = 1e-5));
    }

    #[test]
    fn degenerate_decompositions_are_errors() {
        assert_eq!(decompose(&[1.0, 2.0], &[1.0, 1.0], &[2.0, 2.0]), Err(Error::Singular));
        assert_eq!(decompose(&[f32::NAN, 2.0], &[1.0, 0.0], &[0.0, 1.0]), Err(Error::NonFinite { example: 0 }));
        assert_eq!(decompose_disjoint(&[1.0], &[], 1.0, &[0], 1.0), Err(Error::EmptyData));
        assert_eq!(decompose_disjoint(&[1.0], &[3], 1.0, &[0], 1.0), Err(Error::OutOfRange { index: 3, len: 1 }));
    }

    #[test]
    fn running_mean_matches_the_batch_mean() {
        let mut mean = RunningMean::new();
        assert_eq!(mean.mean(), 0.0);
        for v in [1.0, 2.0, 6.0] {
            mean.push(v);
        }
        assert!(approx::abs_diff_eq!(mean.mean(), 3.0, epsilon = 1e-6));
        assert_eq!(mean.count(), 3);
    }

    #[test]
    fn accuracy_and_macro_f1_of_perfect_and_empty_predictions() {
        assert_eq!(accuracy(&[1, 0], &[1, 0]), 1.0);
        assert_eq!(accuracy(&[], &[]), 0.0);
        assert_eq!(macro_f1::<3>(&[0, 1, 2], &[0, 1, 2]), 1.0);
        assert_eq!(macro_f1::<2>(&[5], &[0]), 0.5, "an unknown label is a wrong prediction");
    }
}
