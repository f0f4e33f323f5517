//! Metrics: the weight decomposition recovers known coefficients, and
//! explanation F1 behaves as a set score must.

use proptest::prelude::*;
use xil_core::metrics::{decompose, decompose_disjoint, explanation_scores};
use xil_core::tasks::colors::{PAIRS, Rule};

proptest! {
    #[test]
    fn weight_decomposition_recovers_known_coefficients(
        a0 in -3.0f32..3.0,
        a1 in -3.0f32..3.0,
        noise in prop::collection::vec(-0.5f32..0.5, PAIRS),
    ) {
        let (w0, w1) = (Rule::Zero.direction(), Rule::One.direction());
        let (s0, s1) = (Rule::Zero.pair_support(), Rule::One.pair_support());
        // A residual outside both supports is orthogonal to both directions.
        let residual: Vec<f32> = noise.iter().enumerate()
            .map(|(j, &r)| if s0.contains(&j) || s1.contains(&j) { 0.0 } else { r })
            .collect();
        let w: Vec<f32> = (0..PAIRS).map(|j| a0 * w0[j] + a1 * w1[j] + residual[j]).collect();
        let expected_residual: f32 = residual.iter().map(|r| r * r).sum();

        let general = decompose(&w, w0.as_slice(), w1.as_slice()).unwrap();
        let closed = decompose_disjoint(&w, &s0, 1.0, &s1, -1.0).unwrap();
        for d in [general, closed] {
            prop_assert!(approx::abs_diff_eq!(d.alpha0, a0, epsilon = 1e-4), "alpha0 {} vs {}", d.alpha0, a0);
            prop_assert!(approx::abs_diff_eq!(d.alpha1, a1, epsilon = 1e-4), "alpha1 {} vs {}", d.alpha1, a1);
            prop_assert!(approx::abs_diff_eq!(d.residual, expected_residual, epsilon = 1e-3 * (1.0 + expected_residual)));
        }
    }

    #[test]
    fn explanation_f1_is_symmetric_and_bounded(
        predicted in prop::collection::vec(0usize..25, 0..6),
        truth in prop::collection::vec(0usize..25, 0..6),
    ) {
        let forward = explanation_scores(&predicted, &truth);
        let backward = explanation_scores(&truth, &predicted);
        prop_assert!(approx::abs_diff_eq!(forward.f1, backward.f1, epsilon = 1e-6));
        prop_assert_eq!(forward.precision, backward.recall);
        for v in [forward.precision, forward.recall, forward.f1] {
            prop_assert!((0.0..=1.0).contains(&v));
        }
        prop_assert_eq!(explanation_scores(&truth, &truth).f1, 1.0);
    }
}
