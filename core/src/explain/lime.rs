//! LIME over interpretable components, with repeats and fidelity.
//!
//! To explain a model's score at an instance `x` with `C` categorical
//! components, LIME (Ribeiro et al. 2016) draws `S` perturbed copies: each
//! component is kept (`z_c = 1`) or given another value (`z_c = 0`), the model
//! scores the copy, and the copy is weighted by the kernel
//! `sqrt(exp(-d^2 / width^2))` of its distance `d = sqrt(#changed)` to `x`.
//! A changed component takes another value, or is hidden ([`Replacement`]).
//! The first sample is `x` itself. A weighted ridge surrogate over the `z`
//! (unpenalised intercept) restricted to `k` selected components is the
//! explanation: its coefficients are the components' signed relevance.
//!
//! Samples are folded into running moments, never stored (see
//! [`surrogate`](super::surrogate)), so an explanation with 2,000 samples of a
//! 25-pixel image needs about 6 KB however large `S` is.
//!
//! CAIPI repeats LIME `R` times and keeps the `k` most frequent
//! (component, sign) pairs; so does [`Lime::repeats`]. The relevance reported
//! for a kept pair is its mean over the repeats that chose it; the fidelity is
//! the mean over repeats.

use super::Explainer;
use super::explanation::{Explanation, Fidelity};
use super::selection::Selection;
use super::surrogate::{Moments, RidgeFactor};
use crate::data::categorical::Categorical;
use crate::error::Error;
use crate::random::Bernoulli;
use crate::traits::Score;
use nalgebra::SVector;
use rand_core::Rng;

/// What a perturbed component becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Replacement {
    /// Another of its values, drawn uniformly (a pixel changes colour).
    #[default]
    Alternative,
    /// Nothing: the component is hidden (a word removed, a pixel masked). For
    /// colors this reproduces the CAIPI authors' LIME, whose continuous
    /// perturbations made a perturbed pixel equal to no other.
    Hide,
}

/// How perturbed samples choose the components they change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampling {
    /// Each component independently keeps its value with this probability
    /// (LIME's tabular sampler for categorical features).
    Independent {
        /// Probability of keeping a component, in `[0, 1]`.
        keep: f32,
    },
    /// Change a uniformly drawn number `1..=C` of uniformly drawn components
    /// (LIME's sampler for images and text).
    UniformCount,
}

/// Hyper-parameters of LIME.
///
/// # Examples
/// Explain a score that is linear in two binary pixels: LIME recovers it.
/// ```
/// use rand_core::SeedableRng;
/// use rand_xoshiro::Xoshiro256PlusPlus;
/// use xil_core::{Categorical, Explainer, Grid, Lime, Score};
///
/// struct Linear;
/// impl Score<Grid<3, 2>> for Linear {
///     fn score(&self, x: &Grid<3, 2>) -> f32 {
///         2.0 * f32::from(x.cells()[0]) - 1.0 * f32::from(x.cells()[2])
///     }
/// }
/// let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
/// let lime = Lime::new().samples(500).ridge_alpha(0.0);
/// let explanation = lime.explain(&Linear, &Grid::new([1, 1, 1])?, 2, &mut rng)?;
/// assert_eq!(explanation.selected(), &[0, 2]);
/// assert!(approx::abs_diff_eq!(explanation.relevance()[0], 2.0, epsilon = 1e-3));
/// assert!(explanation.fidelity().unwrap().r_squared > 0.999);
/// # Ok::<(), xil_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lime {
    samples: usize,
    repeats: usize,
    kernel_width: Option<f32>,
    sampling: Sampling,
    replacement: Replacement,
    selection: Selection,
    selection_alpha: f32,
    ridge_alpha: f32,
}

impl Default for Lime {
    fn default() -> Self {
        Self::new()
    }
}

impl Lime {
    /// 2,000 samples, one repeat, LIME's default kernel width
    /// `0.75 sqrt(C)`, independent sampling keeping each component with
    /// probability 0.5, forward selection with ridge alpha 0.01 and a final
    /// ridge with alpha 1 (LIME's defaults).
    pub const fn new() -> Self {
        Self {
            samples: 2000,
            repeats: 1,
            kernel_width: None,
            sampling: Sampling::Independent { keep: 0.5 },
            replacement: Replacement::Alternative,
            selection: Selection::Forward,
            selection_alpha: 0.01,
            ridge_alpha: 1.0,
        }
    }

    /// Perturbed samples per repeat, the instance included (at least 1).
    pub const fn samples(mut self, samples: usize) -> Self {
        self.samples = samples;
        self
    }

    /// Independent LIME runs whose most frequent (component, sign) pairs are
    /// kept (at least 1).
    pub const fn repeats(mut self, repeats: usize) -> Self {
        self.repeats = repeats;
        self
    }

    /// The kernel width (finite, positive); `None` for `0.75 sqrt(C)`.
    pub const fn kernel_width(mut self, width: Option<f32>) -> Self {
        self.kernel_width = width;
        self
    }

    /// How samples choose the components they change.
    pub const fn sampling(mut self, sampling: Sampling) -> Self {
        self.sampling = sampling;
        self
    }

    /// What a perturbed component becomes.
    pub const fn replacement(mut self, replacement: Replacement) -> Self {
        self.replacement = replacement;
        self
    }

    /// The feature-selection method.
    pub const fn selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }

    /// Ridge penalty used while selecting components (finite, `>= 0`).
    pub const fn selection_alpha(mut self, alpha: f32) -> Self {
        self.selection_alpha = alpha;
        self
    }

    /// Ridge penalty of the final surrogate (finite, `>= 0`).
    pub const fn ridge_alpha(mut self, alpha: f32) -> Self {
        self.ridge_alpha = alpha;
        self
    }

    fn check<const C: usize>(&self) -> Result<f32, Error> {
        if C == 0 {
            return Err(Error::EmptyData);
        }
        if self.samples == 0 {
            return Err(Error::InvalidParameter { name: "samples" });
        }
        if self.repeats == 0 {
            return Err(Error::InvalidParameter { name: "repeats" });
        }
        if !(self.selection_alpha.is_finite() && self.selection_alpha >= 0.0) {
            return Err(Error::InvalidParameter { name: "selection_alpha" });
        }
        if !(self.ridge_alpha.is_finite() && self.ridge_alpha >= 0.0) {
            return Err(Error::InvalidParameter { name: "ridge_alpha" });
        }
        if let Sampling::Independent { keep } = self.sampling
            && !(0.0..=1.0).contains(&keep)
        {
            return Err(Error::InvalidParameter { name: "sampling" });
        }
        let width = self.kernel_width.unwrap_or(0.75 * libm::sqrtf(C as f32));
        if !(width.is_finite() && width > 0.0) {
            return Err(Error::InvalidParameter { name: "kernel_width" });
        }
        Ok(width)
    }

    fn replace<X: Categorical<C>, R: Rng + ?Sized, const C: usize>(
        &self,
        copy: &mut X,
        component: usize,
        rng: &mut R,
    ) -> Result<(), Error> {
        match self.replacement {
            Replacement::Alternative => copy.set_random_alternative(component, rng),
            Replacement::Hide => copy.hide(component),
        }
    }

    /// Draws one perturbed copy of `x` into `copy` and its mask into `z`;
    /// returns the number of changed components.
    fn perturb<X: Categorical<C>, R: Rng + ?Sized, const C: usize>(
        &self,
        x: &X,
        copy: &mut X,
        z: &mut SVector<f32, C>,
        rng: &mut R,
    ) -> Result<usize, Error> {
        copy.clone_from(x);
        z.fill(1.0);
        let mut changed = 0;
        match self.sampling {
            Sampling::Independent { keep } => {
                let keeps = Bernoulli::new(keep);
                for (c, zc) in z.iter_mut().enumerate() {
                    if !keeps.sample(rng) {
                        self.replace(copy, c, rng)?;
                        *zc = 0.0;
                        changed += 1;
                    }
                }
            }
            Sampling::UniformCount => {
                let count = 1 + crate::random::uniform_index(rng, C);
                // Floyd's algorithm draws `count` distinct components.
                for upper in C - count..C {
                    let pick = crate::random::uniform_index(rng, upper + 1);
                    let c = if z.get(pick).is_some_and(|&v| v == 0.0) { upper } else { pick };
                    self.replace(copy, c, rng)?;
                    if let Some(zc) = z.get_mut(c) {
                        *zc = 0.0;
                    }
                    changed += 1;
                }
            }
        }
        Ok(changed)
    }

    /// One LIME run: the surrogate's coefficients over all components (zero
    /// outside the selection), the selection, and the fidelity.
    fn run_once<X: Categorical<C>, M: Score<X> + ?Sized, R: Rng + ?Sized, const C: usize>(
        &self,
        model: &M,
        x: &X,
        k: usize,
        width: f32,
        rng: &mut R,
    ) -> Result<(SVector<f32, C>, heapless::Vec<usize, C>, Fidelity), Error> {
        let mut moments = Moments::<C>::new();
        let model_at_instance = model.score(x);
        if !model_at_instance.is_finite() {
            return Err(Error::NonFinite { example: 0 });
        }
        let mut z = SVector::<f32, C>::repeat(1.0);
        moments.add(&z, model_at_instance, 1.0);
        let mut copy = x.clone();
        let inverse_width_squared = 1.0 / (width * width);
        for sample in 1..self.samples {
            let changed = self.perturb(x, &mut copy, &mut z, rng)?;
            let y = model.score(&copy);
            if !y.is_finite() {
                return Err(Error::NonFinite { example: sample });
            }
            // sqrt(exp(-d^2 / width^2)) with d^2 = number of changed components.
            let weight = libm::expf(-0.5 * changed as f32 * inverse_width_squared);
            if weight > 0.0 {
                moments.add(&z, y, weight);
            }
        }
        let selected = self.selection.select(&moments, k, self.selection_alpha);
        let mut factor = RidgeFactor::new(self.ridge_alpha);
        for &c in &selected {
            // A component that was selected is independent of the earlier ones.
            factor.push(&moments, c)?;
        }
        let (coefficients, intercept) = factor.coefficients(&moments);
        let fidelity = Fidelity {
            r_squared: factor.r_squared(&moments),
            surrogate_at_instance: intercept + coefficients.sum(),
            model_at_instance,
            effective_sample_size: moments.effective_sample_size(),
        };
        Ok((coefficients, selected, fidelity))
    }
}

/// Votes of the repeats for (component, sign) pairs.
struct Votes<const C: usize> {
    /// `[negative, positive]` counts per component.
    counts: [[u16; 2]; C],
    /// Summed coefficients per component and sign.
    sums: [[f32; 2]; C],
}

impl<const C: usize> Votes<C> {
    fn new() -> Self {
        Self { counts: [[0; 2]; C], sums: [[0.0; 2]; C] }
    }

    fn add(&mut self, coefficients: &SVector<f32, C>, selected: &[usize]) {
        for &c in selected {
            let coefficient = coefficients.get(c).copied().unwrap_or(0.0);
            let sign = usize::from(coefficient > 0.0);
            if let (Some(count), Some(sum)) = (
                self.counts.get_mut(c).and_then(|s| s.get_mut(sign)),
                self.sums.get_mut(c).and_then(|s| s.get_mut(sign)),
            ) {
                *count = count.saturating_add(1);
                *sum += coefficient;
            }
        }
    }

    /// The `k` most frequent pairs, each component at most once (ties: larger
    /// summed magnitude), with their mean coefficients.
    fn winners(&self, k: usize) -> (SVector<f32, C>, heapless::Vec<usize, C>) {
        let mut relevance = SVector::<f32, C>::zeros();
        let mut selected = heapless::Vec::<usize, C>::new();
        for _ in 0..k.min(C) {
            let mut best: Option<(usize, u16, f32, f32)> = None;
            for (c, (counts, sums)) in self.counts.iter().zip(&self.sums).enumerate() {
                if selected.contains(&c) {
                    continue;
                }
                for (&count, &sum) in counts.iter().zip(sums) {
                    let better = match best {
                        None => count > 0,
                        Some((_, n, s, _)) => count > n || (count == n && sum.abs() > s),
                    };
                    if better {
                        best = Some((c, count, sum.abs(), sum / f32::from(count)));
                    }
                }
            }
            let Some((c, _, _, mean)) = best else { break };
            if let Some(r) = relevance.get_mut(c) {
                *r = mean;
            }
            if selected.push(c).is_err() {
                break;
            }
        }
        (relevance, selected)
    }
}

impl<X: Categorical<C>, const C: usize> Explainer<X, C> for Lime {
    fn explain<M: Score<X> + ?Sized, R: Rng + ?Sized>(
        &self,
        model: &M,
        x: &X,
        k: usize,
        rng: &mut R,
    ) -> Result<Explanation<C>, Error> {
        let width = self.check::<C>()?;
        let mut votes = Votes::<C>::new();
        let mut fidelity =
            Fidelity { r_squared: 0.0, surrogate_at_instance: 0.0, model_at_instance: 0.0, effective_sample_size: 0.0 };
        for _ in 0..self.repeats {
            let (coefficients, selected, run) = self.run_once(model, x, k, width, rng)?;
            votes.add(&coefficients, &selected);
            fidelity.r_squared += run.r_squared;
            fidelity.surrogate_at_instance += run.surrogate_at_instance;
            fidelity.model_at_instance = run.model_at_instance;
            fidelity.effective_sample_size += run.effective_sample_size;
        }
        let repeats = self.repeats as f32;
        fidelity.r_squared /= repeats;
        fidelity.surrogate_at_instance /= repeats;
        fidelity.effective_sample_size /= repeats;
        let (relevance, selected) = votes.winners(k);
        Ok(Explanation::with_selection(relevance, selected, Some(fidelity)))
    }
}
