//! Kernel SHAP: Shapley values of components, exact or by the Shapley kernel.
//!
//! The Shapley value of component `i` of an instance `x` (Lundberg & Lee
//! 2017, eq. 8; Shapley 1953) is
//!
//! `φ_i = Σ_{S ⊆ N \ {i}} |S|! (C - |S| - 1)! / C! · (v(S ∪ {i}) - v(S))`,
//!
//! where `v(S)` is the model's score at `x` with the components outside `S`
//! made absent: given the value they have in a reference instance (the
//! "background" of SHAP's `KernelExplainer` with one sample), or hidden.
//! The values add up to the prediction (efficiency):
//! `Σ φ_i = v(N) - v(∅) = f(x) - f(reference)`.
//!
//! When the sample budget covers all `2^C` coalitions the sum is evaluated
//! exactly. Otherwise Kernel SHAP (Lundberg & Lee 2017, Theorem 2) fits the
//! linear model `g(z) = φ_0 + Σ φ_i z_i` to `v` on sampled coalitions by least
//! squares weighted with the Shapley kernel
//! `π(z) = (C - 1) / (binom(C, |z|) |z| (C - |z|))`, with `φ_0 = v(∅)` and the
//! efficiency constraint imposed exactly, as SHAP does: coalitions are drawn
//! with probability proportional to `π` (a size `s` with probability
//! proportional to `(C - 1) / (s (C - s))`, then `s` components uniformly),
//! each with its complement, so the fit itself is unweighted. The constraint
//! is eliminated by writing `φ_{C-1} = Δ - Σ_{i < C-1} φ_i`; the remaining
//! normal equations are folded into running moments, never stored.

use super::Explainer;
use super::explanation::Explanation;
use crate::data::categorical::Categorical;
use crate::error::Error;
use crate::random::{uniform_f32, uniform_index};
use crate::traits::Score;
use nalgebra::{SMatrix, SVector};
use rand_core::Rng;

/// What an absent component becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent<'a, X> {
    /// Its value in this reference instance (SHAP's single background).
    Reference(&'a X),
    /// Nothing: the component is hidden (a masked pixel, a removed word).
    Hidden,
}

/// Hyper-parameters of Kernel SHAP.
///
/// # Examples
/// On a linear score the Shapley values are `w_i (x_i - r_i)` for a
/// reference `r`:
/// ```
/// use rand_core::SeedableRng;
/// use rand_xoshiro::Xoshiro256PlusPlus;
/// use xil_core::{Absent, Categorical, Explainer, Grid, KernelShap, Score};
///
/// struct Linear;
/// impl Score<Grid<3, 4>> for Linear {
///     fn score(&self, x: &Grid<3, 4>) -> f32 {
///         2.0 * f32::from(x.cells()[0]) - f32::from(x.cells()[2])
///     }
/// }
/// let reference = Grid::new([0, 0, 0])?;
/// let shap = KernelShap::new(Absent::Reference(&reference));
/// let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
/// let explanation = shap.explain(&Linear, &Grid::new([3, 1, 2])?, 3, &mut rng)?;
/// approx::assert_abs_diff_eq!(explanation.relevance()[0], 6.0, epsilon = 1e-5);
/// approx::assert_abs_diff_eq!(explanation.relevance()[1], 0.0, epsilon = 1e-5);
/// approx::assert_abs_diff_eq!(explanation.relevance()[2], -2.0, epsilon = 1e-5);
/// # Ok::<(), xil_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KernelShap<'a, X> {
    absent: Absent<'a, X>,
    samples: usize,
}

impl<'a, X> KernelShap<'a, X> {
    /// 2,048 model evaluations (SHAP's default budget is `2 C + 2048`), with
    /// `absent` components made absent.
    pub const fn new(absent: Absent<'a, X>) -> Self {
        Self { absent, samples: 2048 }
    }

    /// Model evaluations at most: when they cover all `2^C` coalitions the
    /// values are exact, otherwise this many sampled coalitions (in
    /// complementary pairs) are fitted. At least 2.
    pub const fn samples(mut self, samples: usize) -> Self {
        self.samples = samples;
        self
    }
}

/// Shapley weight `s! (C - s - 1)! / C!` of a coalition of size `s` that
/// leaves out the component being valued.
fn shapley_weight(components: usize, size: usize) -> f64 {
    // 1 / (C · binom(C - 1, s)), without factorials.
    let mut binomial = 1.0f64;
    for j in 0..size {
        binomial = binomial * (components - 1 - j) as f64 / (j + 1) as f64;
    }
    1.0 / (components as f64 * binomial)
}

impl<X> KernelShap<'_, X> {
    /// `v(S)`: the score of `x` with the components outside `kept` absent.
    fn value<M: Score<X> + ?Sized, const C: usize>(&self, model: &M, x: &X, kept: &[bool; C]) -> Result<f32, Error>
    where
        X: Categorical<C>,
    {
        let mut z = x.clone();
        for (component, _) in kept.iter().enumerate().filter(|(_, kept)| !**kept) {
            match self.absent {
                Absent::Reference(reference) => {
                    let value = reference.value(component).ok_or(Error::OutOfRange { index: component, len: C })?;
                    z.set_value(component, value)?;
                }
                Absent::Hidden => z.hide(component)?,
            }
        }
        let score = model.score(&z);
        if score.is_finite() { Ok(score) } else { Err(Error::NonFinite { example: 0 }) }
    }

    /// Whether the budget covers every coalition.
    fn exact<const C: usize>(&self) -> bool {
        C < usize::BITS as usize - 1 && (1usize << C) <= self.samples
    }

    /// The Shapley values by the sum over all coalitions: each coalition's
    /// value is added to the components in it and subtracted from the others,
    /// weighted by the Shapley weight of the coalition without them.
    fn exact_values<M: Score<X> + ?Sized, const C: usize>(&self, model: &M, x: &X) -> Result<SVector<f32, C>, Error>
    where
        X: Categorical<C>,
    {
        // The Shapley weight of each coalition size, computed once.
        let weights: [f64; C] = core::array::from_fn(|size| shapley_weight(C, size));
        let weight = |size: usize| weights.get(size).copied().unwrap_or(0.0);
        let mut phi = [0.0f64; C];
        for mask in 0..(1usize << C) {
            let kept: [bool; C] = core::array::from_fn(|i| mask >> i & 1 == 1);
            let size = kept.iter().filter(|&&k| k).count();
            let value = f64::from(self.value(model, x, &kept)?);
            for (phi, &kept) in phi.iter_mut().zip(&kept) {
                if kept {
                    *phi += weight(size - 1) * value;
                } else {
                    *phi -= weight(size) * value;
                }
            }
        }
        Ok(SVector::from_iterator(phi.iter().map(|&v| v as f32)))
    }

    /// The Shapley values by Kernel SHAP's constrained least squares on
    /// sampled coalitions.
    fn sampled_values<M: Score<X> + ?Sized, R: Rng + ?Sized, const C: usize>(
        &self,
        model: &M,
        x: &X,
        rng: &mut R,
    ) -> Result<SVector<f32, C>, Error>
    where
        X: Categorical<C>,
    {
        let empty = self.value(model, x, &[false; C])?;
        let full = self.value(model, x, &[true; C])?;
        let delta = full - empty;
        let last = C.saturating_sub(1);
        // Normal equations over φ_0..φ_{C-2}; row and column `last` hold an
        // identity entry so the C x C system stays solvable.
        let mut gram = SMatrix::<f64, C, C>::zeros();
        let mut moment = SVector::<f64, C>::zeros();
        let kernel_total = kernel_total::<C>();
        for _ in 0..self.samples.saturating_sub(2) / 2 {
            let drawn: [bool; C] = draw(rng, kernel_total);
            let complement = drawn.map(|kept| !kept);
            for kept in [drawn, complement] {
                let value = self.value(model, x, &kept)?;
                let pivot = f64::from(u8::from(kept.last().copied().unwrap_or(false)));
                let target = f64::from(value - empty) - pivot * f64::from(delta);
                let row: SVector<f64, C> = SVector::from_iterator(
                    kept.iter().enumerate().map(|(i, &k)| if i == last { 0.0 } else { f64::from(u8::from(k)) - pivot }),
                );
                gram += row * row.transpose();
                moment += row * target;
            }
        }
        // The pivot's identity entry, and a tiny ridge that keeps a component
        // no sample separated from the pivot solvable.
        for i in 0..C {
            if let Some(diagonal) = gram.get_mut((i, i)) {
                *diagonal = if i == last { 1.0 } else { *diagonal + 1e-9 };
            }
        }
        let solution = gram.cholesky().ok_or(Error::Singular)?.solve(&moment);
        let mut phi: SVector<f32, C> = SVector::from_iterator(solution.iter().map(|&v| v as f32));
        let others: f32 = phi.iter().take(last).sum();
        if let Some(pivot) = phi.get_mut(last) {
            *pivot = delta - others;
        }
        Ok(phi)
    }
}

/// `Σ_{s=1}^{C-1} 1 / (s (C - s))`: the Shapley kernel's mass over
/// coalition sizes.
fn kernel_total<const C: usize>() -> f32 {
    (1..C).map(|s| 1.0 / (s * (C - s)) as f32).sum()
}

/// A coalition drawn with probability proportional to the Shapley kernel
/// (`C >= 2`; `total` is [`kernel_total`]).
fn draw<R: Rng + ?Sized, const C: usize>(rng: &mut R, total: f32) -> [bool; C] {
    // Size s in 1..C with probability proportional to 1 / (s (C - s)).
    let mut u = uniform_f32(rng) * total;
    let mut size = C - 1;
    for s in 1..C {
        u -= 1.0 / (s * (C - s)) as f32;
        if u <= 0.0 {
            size = s;
            break;
        }
    }
    // `size` components uniformly: a partial Fisher-Yates shuffle.
    let mut order: [usize; C] = core::array::from_fn(|i| i);
    let mut kept = [false; C];
    for i in 0..size {
        let j = i + uniform_index(rng, C - i);
        order.swap(i, j);
        if let Some(chosen) = order.get(i).and_then(|&c| kept.get_mut(c)) {
            *chosen = true;
        }
    }
    kept
}

impl<X: Categorical<C>, const C: usize> Explainer<X, C> for KernelShap<'_, X> {
    fn explain<M: Score<X> + ?Sized, R: Rng + ?Sized>(
        &self,
        model: &M,
        x: &X,
        k: usize,
        rng: &mut R,
    ) -> Result<Explanation<C>, Error> {
        if C == 0 {
            return Err(Error::EmptyData);
        }
        if self.samples < 2 {
            return Err(Error::InvalidParameter { name: "samples" });
        }
        let phi = if self.exact::<C>() || C == 1 {
            self.exact_values(model, x)?
        } else {
            self.sampled_values(model, x, rng)?
        };
        Ok(Explanation::from_relevance(phi, k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::categorical::Grid;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// `Σ w_i x_i` over the components' values.
    struct Linear<const C: usize>([f32; C]);

    impl<const C: usize, const L: u8> Score<Grid<C, L>> for Linear<C> {
        fn score(&self, x: &Grid<C, L>) -> f32 {
            x.cells().iter().zip(&self.0).map(|(&v, w)| w * f32::from(v)).sum()
        }
    }

    /// Interactions: `x_0 x_1 + 2 x_2 x_3 x_4 - x_5` and nothing else.
    struct Products;

    impl<const C: usize, const L: u8> Score<Grid<C, L>> for Products {
        fn score(&self, x: &Grid<C, L>) -> f32 {
            let v = |i: usize| f32::from(x.cells()[i]);
            v(0) * v(1) + 2.0 * v(2) * v(3) * v(4) - v(5)
        }
    }

    /// The Shapley values by their definition as the mean marginal
    /// contribution over all `C!` orders of the components (Heap's
    /// algorithm).
    fn by_permutations<const C: usize>(model: &impl Score<Grid<C, 4>>, x: &Grid<C, 4>, r: &Grid<C, 4>) -> [f64; C] {
        let mut phi = [0.0f64; C];
        let mut orders = 0usize;
        let mut add = |order: &[usize; C]| {
            let mut z = *r;
            for &c in order {
                let before = model.score(&z);
                z.set_value(c, x.cells()[c]).unwrap();
                phi[c] += f64::from(model.score(&z) - before);
            }
            orders += 1;
        };
        let mut order: [usize; C] = core::array::from_fn(|i| i);
        let mut counters = [0usize; C];
        add(&order);
        let mut i = 1;
        while i < C {
            if counters[i] < i {
                order.swap(if i % 2 == 0 { 0 } else { counters[i] }, i);
                add(&order);
                counters[i] += 1;
                i = 1;
            } else {
                counters[i] = 0;
                i += 1;
            }
        }
        phi.map(|total| total / orders as f64)
    }

    fn rng() -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(7)
    }

    #[test]
    fn exact_values_equal_the_mean_over_all_orders() {
        let x = Grid::<6, 4>::new([3, 2, 1, 3, 2, 1]).unwrap();
        let r = Grid::<6, 4>::new([1, 0, 2, 0, 1, 3]).unwrap();
        let shap = KernelShap::new(Absent::Reference(&r)).samples(64);
        let phi = shap.explain(&Products, &x, 6, &mut rng()).unwrap();
        let truth = by_permutations(&Products, &x, &r);
        for (c, truth) in truth.iter().enumerate() {
            approx::assert_abs_diff_eq!(f64::from(phi.relevance()[c]), *truth, epsilon = 1e-4);
        }
    }

    #[test]
    fn sampled_values_of_a_linear_score_are_weight_times_change() {
        let weights = [1.0, -2.0, 0.5, 0.0, 3.0, -1.0, 0.25, 2.0, -0.5, 1.5];
        let x = Grid::<10, 4>::new([3, 1, 2, 0, 3, 2, 1, 0, 3, 2]).unwrap();
        let r = Grid::<10, 4>::new([0, 2, 2, 1, 1, 0, 3, 2, 0, 0]).unwrap();
        // 300 evaluations, far fewer than the 1,024 coalitions: sampled.
        let shap = KernelShap::new(Absent::Reference(&r)).samples(300);
        assert!(!shap.exact::<10>());
        let phi = shap.explain(&Linear(weights), &x, 10, &mut rng()).unwrap();
        for (c, weight) in weights.iter().enumerate() {
            let expected = weight * (f32::from(x.cells()[c]) - f32::from(r.cells()[c]));
            approx::assert_abs_diff_eq!(phi.relevance()[c], expected, epsilon = 1e-3);
        }
    }

    #[test]
    fn sampled_values_are_efficient_and_close_to_the_exact_ones() {
        let x = Grid::<8, 4>::new([3, 2, 3, 3, 2, 1, 2, 1]).unwrap();
        let r = Grid::<8, 4>::new([0; 8]).unwrap();
        let exact = KernelShap::new(Absent::Reference(&r)).samples(256).explain(&Products, &x, 8, &mut rng()).unwrap();
        let sampled =
            KernelShap::new(Absent::Reference(&r)).samples(200).explain(&Products, &x, 8, &mut rng()).unwrap();
        let change = Products.score(&x) - Products.score(&r);
        approx::assert_abs_diff_eq!(sampled.relevance().sum(), change, epsilon = 1e-3);
        approx::assert_abs_diff_eq!(exact.relevance().sum(), change, epsilon = 1e-3);
        for c in 0..8 {
            let (s, e) = (sampled.relevance()[c], exact.relevance()[c]);
            assert!(approx::abs_diff_eq!(s, e, epsilon = 0.05 * change.abs()), "component {c}: {s} vs exact {e}");
        }
        // Components 6 and 7 do not enter the score: null players.
        approx::assert_abs_diff_eq!(exact.relevance()[6], 0.0, epsilon = 1e-6);
        approx::assert_abs_diff_eq!(exact.relevance()[7], 0.0, epsilon = 1e-6);
    }

    #[test]
    fn hidden_components_are_absent_and_the_same_seed_gives_the_same_values() {
        struct Visible;
        impl Score<Grid<12, 2>> for Visible {
            fn score(&self, x: &Grid<12, 2>) -> f32 {
                (0..12).filter(|&i| !x.is_hidden(i)).map(|i| (i + 1) as f32).sum()
            }
        }
        let x = Grid::<12, 2>::new([1; 12]).unwrap();
        let shap = KernelShap::new(Absent::Hidden).samples(500);
        let first = shap.explain(&Visible, &x, 3, &mut rng()).unwrap();
        for c in 0..12 {
            approx::assert_abs_diff_eq!(first.relevance()[c], (c + 1) as f32, epsilon = 1e-3);
        }
        assert_eq!(first.selected(), &[11, 10, 9], "the largest first");
        assert_eq!(first, shap.explain(&Visible, &x, 3, &mut rng()).unwrap());
    }

    #[test]
    fn bad_budgets_and_scores_are_errors() {
        let x = Grid::<3, 4>::new([1, 2, 3]).unwrap();
        let shap = KernelShap::new(Absent::Hidden).samples(1);
        assert_eq!(
            shap.explain(&Linear([1.0; 3]), &x, 1, &mut rng()),
            Err(Error::InvalidParameter { name: "samples" })
        );
        struct Broken;
        impl Score<Grid<3, 4>> for Broken {
            fn score(&self, _: &Grid<3, 4>) -> f32 {
                f32::NAN
            }
        }
        let shap = KernelShap::new(Absent::Hidden);
        assert_eq!(shap.explain(&Broken, &x, 1, &mut rng()), Err(Error::NonFinite { example: 0 }));
    }
}
