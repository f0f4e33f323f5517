//! An explanation: signed relevance per interpretable component, the top-k
//! set it names, and, for a sampled explanation, how faithful it is.

use nalgebra::SVector;

/// How well a sampled surrogate matches the model it explains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fidelity {
    /// Weighted R² of the surrogate on the perturbed samples (1 = perfect).
    pub r_squared: f32,
    /// The surrogate's prediction at the explained instance.
    pub surrogate_at_instance: f32,
    /// The model's score at the explained instance.
    pub model_at_instance: f32,
    /// Effective sample size of the kernel weights, `(sum w)^2 / sum w^2`:
    /// how many equally weighted samples the fit was worth.
    pub effective_sample_size: f32,
}

/// Signed relevance of `C` components and the most relevant ones, most
/// relevant first.
///
/// Positive relevance pushes the score toward class 1.
///
/// # Examples
/// ```
/// use nalgebra::vector;
/// use xil_core::Explanation;
///
/// let explanation = Explanation::from_relevance(vector![0.5, -2.0, 0.0, 1.0], 3);
/// // Components of zero relevance are never named.
/// assert_eq!(explanation.selected(), &[1, 3, 0]);
/// assert_eq!(explanation.sign(1), -1);
/// assert!(explanation.fidelity().is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation<const C: usize> {
    relevance: SVector<f32, C>,
    selected: heapless::Vec<usize, C>,
    fidelity: Option<Fidelity>,
}

impl<const C: usize> Explanation<C> {
    /// An exact explanation naming the `k` components of largest absolute
    /// relevance (ties: lower index first). `k` larger than `C` names at most
    /// `C`; components of zero or NaN relevance are never named.
    pub fn from_relevance(relevance: SVector<f32, C>, k: usize) -> Self {
        let mut selected = heapless::Vec::new();
        for _ in 0..k.min(C) {
            let best = relevance
                .iter()
                .enumerate()
                .filter(|&(c, r)| *r != 0.0 && !r.is_nan() && !selected.contains(&c))
                .fold(None, |best: Option<(usize, f32)>, (c, r)| match best {
                    Some((_, b)) if b >= r.abs() => best,
                    _ => Some((c, r.abs())),
                });
            match best {
                // `selected` has capacity C and holds fewer than C entries here.
                Some((c, _)) => {
                    let _ = selected.push(c);
                }
                None => break,
            }
        }
        Self { relevance, selected, fidelity: None }
    }

    /// An explanation whose named components were chosen by the explainer.
    pub(crate) fn with_selection(
        relevance: SVector<f32, C>,
        selected: heapless::Vec<usize, C>,
        fidelity: Option<Fidelity>,
    ) -> Self {
        Self { relevance, selected, fidelity }
    }

    /// Signed relevance of every component.
    pub fn relevance(&self) -> &SVector<f32, C> {
        &self.relevance
    }

    /// The named (top-k) components, most relevant first.
    pub fn selected(&self) -> &[usize] {
        &self.selected
    }

    /// The sign of a component's relevance: 1, -1, or 0 (also for an index out
    /// of range).
    pub fn sign(&self, component: usize) -> i8 {
        match self.relevance.get(component) {
            Some(&r) if r > 0.0 => 1,
            Some(&r) if r < 0.0 => -1,
            _ => 0,
        }
    }

    /// The fidelity of a sampled explanation; `None` for an exact one.
    pub fn fidelity(&self) -> Option<&Fidelity> {
        self.fidelity.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::vector;

    #[test]
    fn k_beyond_the_number_of_components_names_each_at_most_once() {
        let explanation = Explanation::from_relevance(vector![1.0, -3.0, 2.0], 10);
        assert_eq!(explanation.selected(), &[1, 2, 0]);
    }

    #[test]
    fn zero_k_names_nothing_and_nan_is_never_named() {
        assert!(Explanation::from_relevance(vector![1.0, 2.0], 0).selected().is_empty());
        let explanation = Explanation::from_relevance(vector![f32::NAN, 2.0], 2);
        assert_eq!(explanation.selected(), &[1]);
        assert_eq!(explanation.sign(0), 0);
        assert_eq!(explanation.sign(7), 0);
    }
}
