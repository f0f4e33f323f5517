//! The simulated user: an oracle that knows the true concept answers queries
//! the way CAIPI's experiments assume a person would.
//!
//! Given a query (instance, prediction, explanation), the simulated user
//! gives the true label and, when the prediction is right but the explanation
//! names components outside the true concept, marks those components as
//! irrelevant. CAIPI's published code marked *all* explained components
//! instead (a slip the label filter of the counterexamples made harmless);
//! [`Marking::AllExplained`] reproduces it.
//!
//! CALIMOCHO's simulated user corrects the explanation itself:
//! [`correct_explanation`] replaces the `c` entries of the shown explanation
//! farthest from the true one.

use crate::active::caipi::{Feedback, Query};
use nalgebra::SVector;

/// Knows the true concept: the label of any instance and the components it
/// depends on.
pub trait Oracle<X> {
    /// The true label.
    fn label(&self, x: &X) -> u8;
    /// The components the true label depends on (the true explanation).
    fn relevant(&self) -> &[usize];
}

/// Which components the simulated user marks irrelevant after a correct
/// prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Marking {
    /// The named components outside the true explanation (the paper's
    /// meaning).
    #[default]
    OutsideConcept,
    /// Every named component (the authors' code).
    AllExplained,
}

/// A user simulated by an oracle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulatedUser<O> {
    oracle: O,
    marking: Marking,
}

impl<O> SimulatedUser<O> {
    /// A user who knows `oracle` and marks components outside it.
    pub const fn new(oracle: O) -> Self {
        Self { oracle, marking: Marking::OutsideConcept }
    }

    /// Which components the user marks.
    pub const fn marking(mut self, marking: Marking) -> Self {
        self.marking = marking;
        self
    }

    /// The oracle.
    pub const fn oracle(&self) -> &O {
        &self.oracle
    }

    /// The true label of an instance.
    pub fn label<X>(&self, x: &X) -> u8
    where
        O: Oracle<X>,
    {
        self.oracle.label(x)
    }

    /// The answer to a query about instance `x`.
    pub fn feedback<X, const C: usize>(&self, x: &X, query: &Query<C>) -> Feedback<C>
    where
        O: Oracle<X>,
    {
        let label = self.oracle.label(x);
        let named = query.explanation.selected();
        let relevant = self.oracle.relevant();
        let wrong_reasons = named.iter().any(|c| !relevant.contains(c));
        let irrelevant = if query.prediction != label || !wrong_reasons {
            heapless::Vec::new()
        } else {
            match self.marking {
                Marking::OutsideConcept => named.iter().copied().filter(|c| !relevant.contains(c)).collect(),
                Marking::AllExplained => named.iter().copied().collect(),
            }
        };
        Feedback { label, irrelevant }
    }
}

/// The simulated user's correction: `shown` with its `count` entries farthest
/// from `truth` replaced by the true values (ties: lower index first).
pub fn correct_explanation<const D: usize>(
    shown: &SVector<f32, D>,
    truth: &SVector<f32, D>,
    count: usize,
) -> SVector<f32, D> {
    let mut corrected = *shown;
    let mut taken = [false; D];
    for _ in 0..count.min(D) {
        let farthest = (0..D)
            .filter(|&i| !taken.get(i).copied().unwrap_or(true))
            .map(|i| (i, (truth.get(i).copied().unwrap_or(0.0) - shown.get(i).copied().unwrap_or(0.0)).abs()))
            .fold(None, |best: Option<(usize, f32)>, (i, gap)| match best {
                Some((_, b)) if b >= gap => best,
                _ => Some((i, gap)),
            });
        let Some((i, _)) = farthest else { break };
        if let (Some(flag), Some(value), Some(&target)) = (taken.get_mut(i), corrected.get_mut(i), truth.get(i)) {
            *flag = true;
            *value = target;
        }
    }
    corrected
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::vector;

    #[test]
    fn the_simulated_correction_fixes_the_farthest_entries() {
        let shown = vector![0.1, -0.9, 0.5, 0.0];
        let truth = vector![0.0, 1.0, 0.4, -1.0];
        assert_eq!(correct_explanation(&shown, &truth, 2), vector![0.1, 1.0, 0.5, -1.0]);
        assert_eq!(correct_explanation(&shown, &truth, 0), shown);
        assert_eq!(correct_explanation(&shown, &truth, 99), truth);
    }
}
