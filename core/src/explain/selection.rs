//! How LIME chooses the `k` components its surrogate may use.

use super::surrogate::{Moments, RidgeFactor};

/// A feature-selection method for a sampled surrogate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Selection {
    /// Greedy forward selection: add, `k` times, the component that lowers
    /// the ridge objective most. Each candidate is scored by a rank-one
    /// extension of the current Cholesky factor, not by a refit.
    #[default]
    Forward,
    /// Fit a ridge surrogate on all components and keep the `k` of largest
    /// absolute weight.
    HighestWeights,
}

impl Selection {
    /// The selected components, in order of selection (forward) or of
    /// decreasing absolute weight (highest weights); fewer than `k` when the
    /// remaining components carry no independent signal.
    pub(crate) fn select<const C: usize>(self, moments: &Moments<C>, k: usize, alpha: f32) -> heapless::Vec<usize, C> {
        let mut factor = RidgeFactor::new(alpha);
        match self {
            Selection::Forward => {
                for _ in 0..k.min(C) {
                    let best = (0..C).filter_map(|c| factor.gain(moments, c).map(|gain| (c, gain))).fold(
                        None,
                        |best: Option<(usize, f32)>, (c, gain)| match best {
                            Some((_, b)) if b >= gain => best,
                            _ => Some((c, gain)),
                        },
                    );
                    match best.map(|(c, _)| factor.push(moments, c)) {
                        Some(Ok(())) => {}
                        _ => break,
                    }
                }
                factor.members().iter().copied().collect()
            }
            Selection::HighestWeights => {
                for c in 0..C {
                    // A component dependent on earlier ones keeps weight 0.
                    let _ = factor.push(moments, c);
                }
                let (weights, _) = factor.coefficients(moments);
                crate::Explanation::from_relevance(weights, k).selected().iter().copied().collect()
            }
        }
    }
}
