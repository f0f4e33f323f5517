//! Explanation-based retrieval (seed 004, eqs. 1-13): explain a random
//! sample `X_s` of the pool, find the pairs the model predicts differently
//! although their explanations look alike, and label the pool instances most
//! similar to the instances in such pairs.
//!
//! With `x'_i` an instance in the explanation's (interpretable) space and
//! `q_i` its explanation:
//!
//! ```text
//! A_ij = (q_i ⊙ x'_i) · (q_j ⊙ x'_j)          (1)  explanations alike
//! B_ij = [f(x_i) ≠ f(x_j)]                     (2)  predictions differ
//! C    = (A ⊙ B) 1                             (3)  how surprising each sampled instance is
//! W    = X'_inc (C 1ᵀ ⊙ X'_s)ᵀ 1               (13) each pool instance's score
//! ```
//!
//! `W_k = x'_k · v` with `v = Σ_i C_i x'_i`, so the pool is scored in one
//! pass after an `O(N_s² d')` pass over the sample.

use super::top_scores;
use crate::error::Error;
use crate::maths::dot;

/// One explained instance of the sample `X_s`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Explained<'a> {
    /// `x'_i`: the instance in the explanation's space.
    pub features: &'a [f32],
    /// `q_i`: its explanation, one weight per feature.
    pub explanation: &'a [f32],
    /// `f(x_i)`: the predicted class.
    pub prediction: u8,
}

/// `(q_i ⊙ x'_i) · (q_j ⊙ x'_j)`.
fn alike(a: &Explained<'_>, b: &Explained<'_>) -> f32 {
    a.features
        .iter()
        .zip(a.explanation)
        .zip(b.features.iter().zip(b.explanation))
        .map(|((x, q), (y, r))| x * q * y * r)
        .sum()
}

/// `C_i = Σ_j A_ij B_ij` of sampled instance `i` (eq. 3).
///
/// # Errors
/// [`Error::OutOfRange`] for an `i` outside the sample.
pub fn surprise(sample: &[Explained<'_>], i: usize) -> Result<f32, Error> {
    let this = sample.get(i).ok_or(Error::OutOfRange { index: i, len: sample.len() })?;
    Ok(sample.iter().filter(|other| other.prediction != this.prediction).map(|other| alike(this, other)).sum())
}

/// `v = Σ_i C_i x'_i` over the sample, written into `direction` (the
/// features' length); the pool's scores are `W_k = x'_k · v`.
///
/// # Errors
/// [`Error::OutOfRange`] when an instance's features or explanation do not
/// have `direction`'s length.
pub fn retrieval_direction(sample: &[Explained<'_>], direction: &mut [f32]) -> Result<(), Error> {
    let d = direction.len();
    if let Some(bad) = sample.iter().find(|e| e.features.len() != d || e.explanation.len() != d) {
        return Err(Error::OutOfRange { index: bad.features.len().max(bad.explanation.len()), len: d });
    }
    direction.fill(0.0);
    for i in 0..sample.len() {
        let c = surprise(sample, i)?;
        if let Some(instance) = sample.get(i) {
            for (v, &x) in direction.iter_mut().zip(instance.features) {
                *v += c * x;
            }
        }
    }
    Ok(())
}

/// The `out.len()` pool instances of highest `W_k = x'_k · v` (eq. 13) for
/// the pool's interpretable features `pool(k)`, `k < n`; returns how many.
pub fn retrieval_batch<'p>(direction: &[f32], pool: impl Fn(usize) -> &'p [f32], n: usize, out: &mut [usize]) -> usize {
    top_scores(|k| dot(pool(k), direction), n, out)
}

/// The pair of the sample that pulls pool instance `features` in most: `W_k
/// = Σ_{i<j} A_ij B_ij (x'_k · x'_i + x'_k · x'_j)` sums over the unordered
/// pairs that disagree, and this is the pair `(i, j)`, `i < j`, of largest
/// term, with the term. `None` when every sampled instance has the same
/// prediction (or lengths differ).
pub fn strongest_pair(sample: &[Explained<'_>], features: &[f32]) -> Option<(usize, usize, f32)> {
    let mut best: Option<(usize, usize, f32)> = None;
    for (i, a) in sample.iter().enumerate() {
        if a.features.len() != features.len() {
            return None;
        }
        let toward_i = dot(features, a.features);
        for (j, b) in sample.iter().enumerate().skip(i + 1).filter(|(_, b)| b.prediction != a.prediction) {
            let term = alike(a, b) * (toward_i + dot(features, b.features));
            if best.is_none_or(|(.., top)| term > top) {
                best = Some((i, j, term));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_papers_worked_example() {
        // Vectors z_i = q_i ⊙ x'_i (x' = 1) whose Gram matrix is eq. 4's A:
        // the rows of A's Cholesky factor.
        let a = [[1.0f32, 0.7, 0.8], [0.7, 1.0, 0.3], [0.8, 0.3, 1.0]];
        let l21 = 0.7f32;
        let l22 = (1.0 - l21 * l21).sqrt();
        let l31 = 0.8f32;
        let l32 = (0.3 - l31 * l21) / l22;
        let l33 = (1.0 - l31 * l31 - l32 * l32).sqrt();
        let z = [[1.0, 0.0, 0.0], [l21, l22, 0.0], [l31, l32, l33]];
        let ones = [1.0f32; 3];
        // Predictions 0, 1, 1: B of eq. 4.
        let sample: [Explained<'_>; 3] =
            core::array::from_fn(|i| Explained { features: &ones, explanation: &z[i], prediction: u8::from(i > 0) });
        for i in 0..3 {
            for j in 0..3 {
                approx::assert_abs_diff_eq!(alike(&sample[i], &sample[j]), a[i][j], epsilon = 1e-6);
            }
        }
        // Eq. 6: C = [1.5, 0.7, 0.8].
        let c: [f32; 3] = core::array::from_fn(|i| surprise(&sample, i).unwrap());
        for (c, expected) in c.iter().zip([1.5, 0.7, 0.8]) {
            approx::assert_abs_diff_eq!(*c, expected, epsilon = 1e-6);
        }
        // Eqs. 8-10: with X'_s as given, v = Σ_i C_i x'_i.
        let xs = [[0.7f32, 0.2], [0.34, 1.15], [-0.1, 3.0]];
        let q = [[1.0f32, 1.0]; 3];
        let explained: [Explained<'_>; 3] =
            core::array::from_fn(|i| Explained { features: &xs[i], explanation: &q[i], prediction: u8::from(i > 0) });
        // Here the explanations are the features, so A = X'_s X'_sᵀ.
        let mut v = [0.0f32; 2];
        retrieval_direction(&explained, &mut v).unwrap();
        let c: [f32; 3] = core::array::from_fn(|i| surprise(&explained, i).unwrap());
        let expected = [c[0] * 0.7 + c[1] * 0.34 + c[2] * -0.1, c[0] * 0.2 + c[1] * 1.15 + c[2] * 3.0];
        approx::assert_abs_diff_eq!(v[0], expected[0], epsilon = 1e-5);
        approx::assert_abs_diff_eq!(v[1], expected[1], epsilon = 1e-5);
        // The pool instance most aligned with v comes first.
        let pool = [[1.0f32, 0.0], [0.0, 1.0], [-1.0, -1.0]];
        let mut out = [0; 2];
        assert_eq!(retrieval_batch(&v, |k| &pool[k][..], 3, &mut out), 2);
        assert_eq!(out, [1, 0]);
        assert!(matches!(retrieval_direction(&explained, &mut [0.0; 3]), Err(Error::OutOfRange { .. })));
    }

    #[test]
    fn the_pairs_terms_add_up_to_the_score_and_the_strongest_is_the_largest() {
        let xs = [[0.7f32, 0.2], [0.34, 1.15], [-0.1, 3.0], [1.0, -0.5]];
        let q = [[0.5f32, 1.0], [1.0, 0.2], [0.3, 0.3], [1.0, 1.0]];
        let predictions = [0u8, 1, 1, 2];
        let sample: [Explained<'_>; 4] =
            core::array::from_fn(|i| Explained { features: &xs[i], explanation: &q[i], prediction: predictions[i] });
        let mut v = [0.0f32; 2];
        retrieval_direction(&sample, &mut v).unwrap();
        let x = [0.4f32, 0.9];
        // Every disagreeing pair's term, by hand from eq. 1.
        let z = |i: usize| [xs[i][0] * q[i][0], xs[i][1] * q[i][1]];
        let along = |i: usize| x[0] * xs[i][0] + x[1] * xs[i][1];
        let mut terms: heapless::Vec<(usize, usize, f32), 6> = heapless::Vec::new();
        for i in 0..4 {
            for j in i + 1..4 {
                if predictions[i] != predictions[j] {
                    let a = z(i)[0] * z(j)[0] + z(i)[1] * z(j)[1];
                    terms.push((i, j, a * (along(i) + along(j)))).unwrap();
                }
            }
        }
        let total: f32 = terms.iter().map(|t| t.2).sum();
        approx::assert_abs_diff_eq!(total, x[0] * v[0] + x[1] * v[1], epsilon = 1e-5);
        let largest = terms.iter().copied().fold(terms[0], |a, b| if b.2 > a.2 { b } else { a });
        let (i, j, term) = strongest_pair(&sample, &x).unwrap();
        assert_eq!((i, j), (largest.0, largest.1));
        approx::assert_abs_diff_eq!(term, largest.2, epsilon = 1e-6);
        // One prediction only: no pair disagrees.
        let agreeing: [Explained<'_>; 2] = core::array::from_fn(|i| Explained { prediction: 0, ..sample[i] });
        assert_eq!(strongest_pair(&agreeing, &x), None);
    }
}
