//! The weighted ridge surrogate of LIME, fit from streamed moments with an
//! incremental Cholesky factor.
//!
//! LIME fits `y ≈ b0 + sum_{c in S} b_c z_c` to perturbed samples `z` with
//! kernel weights `w`, by ridge regression with an unpenalised intercept. That
//! fit needs only the weighted means and the centred cross-products of `z`
//! and `y`, so samples are folded into [`Moments`] one at a time (weighted
//! Welford updates, numerically stable in `f32`) and never stored: memory is
//! `O(C^2)` whatever the number of samples.
//!
//! [`RidgeFactor`] holds the Cholesky factor `L` of `A_SS + alpha I` for the
//! selected set `S` (`A` the centred Gram matrix) and `u = L^-1 b_S`. Adding a
//! component appends one row to `L` in `O(|S|^2)`; the ridge objective drops
//! by exactly `(b_j - v·u)^2 / d^2` where `v = L^-1 A_Sj` and
//! `d^2 = A_jj + alpha - v·v`. Forward selection therefore scores every
//! candidate without refitting from scratch.

use crate::error::Error;
use nalgebra::{SMatrix, SVector};

/// Weighted first and second moments of samples `(z, y)`.
#[derive(Debug, Clone)]
pub(crate) struct Moments<const C: usize> {
    total_weight: f32,
    total_squared_weight: f32,
    mean_z: SVector<f32, C>,
    mean_y: f32,
    /// `sum w (z - mean_z)(z - mean_z)^T`, lower triangle only (symmetric).
    zz: SMatrix<f32, C, C>,
    /// `sum w (z - mean_z)(y - mean_y)`.
    zy: SVector<f32, C>,
    /// `sum w (y - mean_y)^2`.
    yy: f32,
}

impl<const C: usize> Moments<C> {
    pub(crate) fn new() -> Self {
        Self {
            total_weight: 0.0,
            total_squared_weight: 0.0,
            mean_z: SVector::zeros(),
            mean_y: 0.0,
            zz: SMatrix::zeros(),
            zy: SVector::zeros(),
            yy: 0.0,
        }
    }

    /// Folds in one sample of weight `w > 0`.
    pub(crate) fn add(&mut self, z: &SVector<f32, C>, y: f32, w: f32) {
        let previous_weight = self.total_weight;
        self.total_weight += w;
        self.total_squared_weight += w * w;
        let dz = z - self.mean_z;
        let dy = y - self.mean_y;
        let share = w / self.total_weight;
        self.mean_z.axpy(share, &dz, 1.0);
        self.mean_y += share * dy;
        // w (x - mean_old)(x - mean_new) = w (W_old / W_new) dx dx: symmetric.
        let scale = w * previous_weight / self.total_weight;
        self.zz.syger(scale, &dz, &dz, 1.0);
        self.zy.axpy(scale * dy, &dz, 1.0);
        self.yy += scale * dy * dy;
    }

    /// `(sum w)^2 / sum w^2`.
    pub(crate) fn effective_sample_size(&self) -> f32 {
        if self.total_squared_weight > 0.0 {
            self.total_weight * self.total_weight / self.total_squared_weight
        } else {
            0.0
        }
    }

    fn gram(&self, i: usize, j: usize) -> f32 {
        self.zz.get((i.max(j), i.min(j))).copied().unwrap_or(0.0)
    }

    fn cross(&self, j: usize) -> f32 {
        self.zy.get(j).copied().unwrap_or(0.0)
    }
}

/// The Cholesky factor of the ridge system of a growing set of components.
#[derive(Debug, Clone)]
pub(crate) struct RidgeFactor<const C: usize> {
    alpha: f32,
    /// Row `r` holds the factor's row for `members[r]`.
    factor: SMatrix<f32, C, C>,
    /// `L^-1 b_S`.
    projected: SVector<f32, C>,
    members: heapless::Vec<usize, C>,
}

/// What adding one component to a [`RidgeFactor`] would do.
struct Extension<const C: usize> {
    row: SVector<f32, C>,
    pivot: f32,
    projected: f32,
}

impl<const C: usize> RidgeFactor<C> {
    /// An empty set with ridge penalty `alpha >= 0`.
    pub(crate) fn new(alpha: f32) -> Self {
        Self { alpha, factor: SMatrix::zeros(), projected: SVector::zeros(), members: heapless::Vec::new() }
    }

    pub(crate) fn members(&self) -> &[usize] {
        &self.members
    }

    fn extension(&self, moments: &Moments<C>, component: usize) -> Option<Extension<C>> {
        // A component that never varied across the samples carries no signal.
        if component >= C || self.members.contains(&component) || moments.gram(component, component) <= 0.0 {
            return None;
        }
        // Forward substitution: v = L^-1 A_{S, j}.
        let mut row = SVector::<f32, C>::zeros();
        for (r, &member) in self.members.iter().enumerate() {
            let mut value = moments.gram(member, component);
            for s in 0..r {
                value -= self.factor.get((r, s)).copied().unwrap_or(0.0) * row.get(s).copied().unwrap_or(0.0);
            }
            let diagonal = self.factor.get((r, r)).copied().unwrap_or(0.0);
            *row.get_mut(r)? = value / diagonal;
        }
        let squared_pivot = moments.gram(component, component) + self.alpha - row.norm_squared();
        let scale = moments.gram(component, component).abs() + self.alpha;
        if squared_pivot.is_nan() || squared_pivot <= 1e-6 * scale.max(f32::MIN_POSITIVE) {
            return None;
        }
        let pivot = libm::sqrtf(squared_pivot);
        let projected = (moments.cross(component) - row.dot(&self.projected)) / pivot;
        Some(Extension { row, pivot, projected })
    }

    /// How much adding `component` would lower the ridge objective; `None`
    /// when it is already a member, out of range, or numerically dependent on
    /// the members.
    pub(crate) fn gain(&self, moments: &Moments<C>, component: usize) -> Option<f32> {
        self.extension(moments, component).map(|e| e.projected * e.projected)
    }

    /// Adds `component` to the set.
    ///
    /// # Errors
    /// [`Error::Singular`] when it is dependent on the members (or already one).
    pub(crate) fn push(&mut self, moments: &Moments<C>, component: usize) -> Result<(), Error> {
        let extension = self.extension(moments, component).ok_or(Error::Singular)?;
        let r = self.members.len();
        for s in 0..r {
            if let Some(entry) = self.factor.get_mut((r, s)) {
                *entry = extension.row.get(s).copied().unwrap_or(0.0);
            }
        }
        *self.factor.get_mut((r, r)).ok_or(Error::Singular)? = extension.pivot;
        *self.projected.get_mut(r).ok_or(Error::Singular)? = extension.projected;
        self.members.push(component).map_err(|_| Error::Singular)
    }

    /// The ridge coefficients of the members, scattered into a vector over all
    /// components (zero for non-members), and the intercept.
    pub(crate) fn coefficients(&self, moments: &Moments<C>) -> (SVector<f32, C>, f32) {
        // Back substitution: L^T beta = u.
        let k = self.members.len();
        let mut beta = SVector::<f32, C>::zeros();
        for r in (0..k).rev() {
            let mut value = self.projected.get(r).copied().unwrap_or(0.0);
            for s in r + 1..k {
                value -= self.factor.get((s, r)).copied().unwrap_or(0.0) * beta.get(s).copied().unwrap_or(0.0);
            }
            let diagonal = self.factor.get((r, r)).copied().unwrap_or(1.0);
            if let Some(b) = beta.get_mut(r) {
                *b = value / diagonal;
            }
        }
        let mut scattered = SVector::<f32, C>::zeros();
        let mut intercept = moments.mean_y;
        for (r, &member) in self.members.iter().enumerate() {
            let b = beta.get(r).copied().unwrap_or(0.0);
            if let Some(slot) = scattered.get_mut(member) {
                *slot = b;
            }
            intercept -= b * moments.mean_z.get(member).copied().unwrap_or(0.0);
        }
        (scattered, intercept)
    }

    /// Weighted R² of the fitted surrogate: `1 - RSS / TSS` (1 when the
    /// samples' targets do not vary).
    pub(crate) fn r_squared(&self, moments: &Moments<C>) -> f32 {
        let (beta, _) = self.coefficients(moments);
        let mut quadratic = 0.0;
        for (i, bi) in beta.iter().enumerate().filter(|(_, b)| **b != 0.0) {
            for (j, bj) in beta.iter().enumerate().filter(|(_, b)| **b != 0.0) {
                quadratic += bi * moments.gram(i, j) * bj;
            }
        }
        let residual = moments.yy - 2.0 * beta.dot(&moments.zy) + quadratic;
        if moments.yy > 0.0 { 1.0 - residual.max(0.0) / moments.yy } else { 1.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::vector;

    /// Samples of y = 1 + 2 z0 - 3 z1 (exactly linear) at the eight corners
    /// of the cube, weighted 1 + z0: z2 is independent of the target.
    fn exact_moments() -> Moments<3> {
        let mut moments = Moments::new();
        for corner in 0..8u8 {
            let [a, b, c] = [corner & 1, (corner >> 1) & 1, (corner >> 2) & 1].map(f32::from);
            moments.add(&vector![a, b, c], 1.0 + 2.0 * a - 3.0 * b, 1.0 + a);
        }
        moments
    }

    #[test]
    fn unpenalised_fit_recovers_an_exact_linear_target() {
        let moments = exact_moments();
        let mut factor = RidgeFactor::new(0.0);
        for c in [1, 0, 2] {
            factor.push(&moments, c).unwrap();
        }
        let (beta, intercept) = factor.coefficients(&moments);
        approx::assert_abs_diff_eq!(beta, vector![2.0, -3.0, 0.0], epsilon = 1e-4);
        approx::assert_abs_diff_eq!(intercept, 1.0, epsilon = 1e-4);
        approx::assert_abs_diff_eq!(factor.r_squared(&moments), 1.0, epsilon = 1e-4);
    }

    #[test]
    fn the_largest_gain_is_the_most_explanatory_component() {
        let moments = exact_moments();
        let factor = RidgeFactor::new(0.01);
        let gains: [f32; 3] = core::array::from_fn(|c| factor.gain(&moments, c).unwrap());
        assert!(gains[1] > gains[0] && gains[0] > gains[2], "gains {gains:?}");
    }

    #[test]
    fn a_member_cannot_be_added_twice() {
        let moments = exact_moments();
        let mut factor = RidgeFactor::new(0.0);
        factor.push(&moments, 0).unwrap();
        assert_eq!(factor.push(&moments, 0), Err(Error::Singular));
        assert_eq!(factor.push(&moments, 7), Err(Error::Singular));
        assert_eq!(factor.members(), &[0]);
    }

    #[test]
    fn ridge_matches_the_closed_form_on_one_component() {
        // One component: beta = s_zy / (s_zz + alpha).
        let mut moments = Moments::<1>::new();
        for (z, y, w) in [(0.0, 1.0, 1.0), (1.0, 3.0, 2.0), (1.0, 2.0, 1.0), (0.0, 0.5, 0.5)] {
            moments.add(&vector![z], y, w);
        }
        let mut factor = RidgeFactor::new(1.0);
        factor.push(&moments, 0).unwrap();
        let (beta, _) = factor.coefficients(&moments);
        // By hand: W = 4.5, mean z = 3/4.5, centred sums below.
        let (w, z, y) = ([1.0f32, 2.0, 1.0, 0.5], [0.0f32, 1.0, 1.0, 0.0], [1.0f32, 3.0, 2.0, 0.5]);
        let total: f32 = w.iter().sum();
        let mz: f32 = w.iter().zip(&z).map(|(a, b)| a * b).sum::<f32>() / total;
        let my: f32 = w.iter().zip(&y).map(|(a, b)| a * b).sum::<f32>() / total;
        let szz: f32 = (0..4).map(|i| w[i] * (z[i] - mz) * (z[i] - mz)).sum();
        let szy: f32 = (0..4).map(|i| w[i] * (z[i] - mz) * (y[i] - my)).sum();
        approx::assert_abs_diff_eq!(beta[0], szy / (szz + 1.0), epsilon = 1e-5);
    }
}
