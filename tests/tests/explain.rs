//! Explainers: LIME recovers a linear model it could not see inside, reports
//! its fidelity honestly, and rejects bad settings.

use nalgebra::SVector;
use proptest::prelude::*;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use xil_core::{Error, Explainer, Explanation, Grid, Lime, Sampling, Score, Selection};

const C: usize = 8;

/// A score linear in whether each component keeps the explained instance's
/// value: exactly what LIME's surrogate can represent.
struct LinearInKeptComponents {
    original: Grid<C, 4>,
    weights: [f32; C],
    bias: f32,
}

impl Score<Grid<C, 4>> for LinearInKeptComponents {
    fn score(&self, x: &Grid<C, 4>) -> f32 {
        let kept = x.cells().iter().zip(self.original.cells()).map(|(a, b)| f32::from(u8::from(a == b)));
        self.bias + kept.zip(&self.weights).map(|(z, w)| z * w).sum::<f32>()
    }
}

/// Weights with distinct magnitudes (gaps of at least 0.3) and random signs.
fn separated_weights() -> impl Strategy<Value = [f32; C]> {
    (
        Just(()),
        prop::array::uniform8(any::<bool>()),
        Just(()).prop_perturb(|_, mut rng| {
            let mut order: [usize; C] = core::array::from_fn(|i| i);
            for i in (1..C).rev() {
                order.swap(i, (rng.next_u32() as usize) % (i + 1));
            }
            order
        }),
    )
        .prop_map(|((), signs, order)| {
            core::array::from_fn(|c| {
                let magnitude = 0.2 + 0.3 * order[c] as f32;
                if signs[c] { magnitude } else { -magnitude }
            })
        })
}

fn explain(lime: &Lime, model: &LinearInKeptComponents, k: usize, seed: u64) -> Explanation<C> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    lime.explain(model, &model.original, k, &mut rng).unwrap()
}

fn by_magnitude(weights: &[f32; C]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..C).collect();
    order.sort_by(|&a, &b| weights[b].abs().total_cmp(&weights[a].abs()));
    order
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn lime_recovers_the_signs_and_order_of_a_linear_model(
        weights in separated_weights(), bias in -1.0f32..1.0, seed in 0u64..1000, forward in any::<bool>(),
    ) {
        let model = LinearInKeptComponents { original: Grid::new([0, 1, 2, 3, 0, 1, 2, 3]).unwrap(), weights, bias };
        let selection = if forward { Selection::Forward } else { Selection::HighestWeights };
        let lime = Lime::new().samples(2000).ridge_alpha(0.0).selection(selection);
        let explanation = explain(&lime, &model, 3, seed);
        let expected = by_magnitude(&weights);
        prop_assert_eq!(explanation.selected(), &expected[..3]);
        // The components left out act as noise on a 3-component surrogate.
        for &c in explanation.selected() {
            prop_assert_eq!(explanation.relevance()[c] > 0.0, weights[c] > 0.0);
            prop_assert!(approx::abs_diff_eq!(explanation.relevance()[c], weights[c], epsilon = 0.3), "component {}: {} vs {}", c, explanation.relevance()[c], weights[c]);
        }
        let fidelity = explanation.fidelity().unwrap();
        prop_assert!(fidelity.effective_sample_size > 1.0 && fidelity.effective_sample_size <= 2000.0);
        prop_assert!(approx::abs_diff_eq!(fidelity.model_at_instance, (bias + weights.iter().sum::<f32>()), epsilon = 1e-4));
    }

    #[test]
    fn with_every_component_the_surrogate_is_exact(weights in separated_weights(), seed in 0u64..1000) {
        let model = LinearInKeptComponents { original: Grid::zeros(), weights, bias: 0.5 };
        let lime = Lime::new().samples(300).ridge_alpha(0.0).sampling(Sampling::UniformCount);
        let explanation = explain(&lime, &model, C, seed);
        let fidelity = explanation.fidelity().unwrap();
        prop_assert!(fidelity.r_squared > 0.9999, "R² {}", fidelity.r_squared);
        prop_assert!(approx::abs_diff_eq!(fidelity.surrogate_at_instance, fidelity.model_at_instance, epsilon = 1e-3));
        let relevance: SVector<f32, C> = *explanation.relevance();
        prop_assert!((relevance - SVector::from(weights)).abs().max() < 1e-3);
    }
}

/// A score no linear surrogate can match: an interaction of two components.
struct Interaction;

impl Score<Grid<C, 2>> for Interaction {
    fn score(&self, x: &Grid<C, 2>) -> f32 {
        let cells = x.cells();
        if cells[0] == cells[1] { 1.0 } else { -1.0 }
    }
}

#[test]
fn fidelity_reports_what_a_linear_surrogate_misses() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let explanation = Lime::new().samples(1000).explain(&Interaction, &Grid::zeros(), 2, &mut rng).unwrap();
    let fidelity = explanation.fidelity().unwrap();
    assert!(fidelity.r_squared < 0.8, "an interaction is not linear: R² {}", fidelity.r_squared);
    assert_eq!(fidelity.model_at_instance, 1.0);
}

#[test]
fn repeats_vote_for_the_stable_components() {
    let weights = [3.0, -2.0, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0];
    let model = LinearInKeptComponents { original: Grid::zeros(), weights, bias: 0.0 };
    let explanation = explain(&Lime::new().samples(100).repeats(10), &model, 2, 4);
    assert_eq!(explanation.selected(), &[0, 1]);
    assert_eq!((explanation.sign(0), explanation.sign(1)), (1, -1));
}

#[test]
fn a_seed_pins_the_explanation() {
    // Golden values: a change of sampling, kernel or solver shows up here.
    let weights = [1.0, -0.5, 0.25, 2.0, 0.0, 0.1, -1.5, 0.7];
    let model = LinearInKeptComponents { original: Grid::new([3, 2, 1, 0, 3, 2, 1, 0]).unwrap(), weights, bias: 0.0 };
    let explanation = explain(&Lime::new().samples(200).repeats(3), &model, 4, 2026);
    assert_eq!(explanation.selected(), &[3, 6, 0, 7]);
    let again = explain(&Lime::new().samples(200).repeats(3), &model, 4, 2026);
    assert_eq!(explanation, again, "same seed, same explanation");
}

#[test]
fn k_beyond_the_components_and_k_zero_are_defined() {
    let model = LinearInKeptComponents { original: Grid::zeros(), weights: [1.0; C], bias: 0.0 };
    assert_eq!(explain(&Lime::new().samples(100), &model, 50, 1).selected().len(), C);
    assert!(explain(&Lime::new().samples(100), &model, 0, 1).selected().is_empty());
}

#[test]
fn bad_settings_and_non_finite_scores_are_errors() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let model = LinearInKeptComponents { original: Grid::zeros(), weights: [1.0; C], bias: 0.0 };
    let x = Grid::<C, 4>::zeros();
    let fails = |lime: Lime, rng: &mut Xoshiro256PlusPlus| lime.explain(&model, &x, 2, rng).unwrap_err();
    assert_eq!(fails(Lime::new().samples(0), &mut rng), Error::InvalidParameter { name: "samples" });
    assert_eq!(fails(Lime::new().repeats(0), &mut rng), Error::InvalidParameter { name: "repeats" });
    assert_eq!(fails(Lime::new().kernel_width(Some(0.0)), &mut rng), Error::InvalidParameter { name: "kernel_width" });
    assert_eq!(fails(Lime::new().ridge_alpha(-1.0), &mut rng), Error::InvalidParameter { name: "ridge_alpha" });
    assert_eq!(
        fails(Lime::new().sampling(Sampling::Independent { keep: 1.5 }), &mut rng),
        Error::InvalidParameter { name: "sampling" }
    );

    struct Nan;
    impl Score<Grid<C, 4>> for Nan {
        fn score(&self, _: &Grid<C, 4>) -> f32 {
            f32::NAN
        }
    }
    assert_eq!(Lime::new().explain(&Nan, &x, 2, &mut rng), Err(Error::NonFinite { example: 0 }));
}

#[test]
fn a_single_sample_gives_an_empty_but_valid_explanation() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
    let model = LinearInKeptComponents { original: Grid::zeros(), weights: [1.0; C], bias: 0.0 };
    let explanation = Lime::new().samples(1).explain(&model, &Grid::zeros(), 3, &mut rng).unwrap();
    assert!(explanation.selected().is_empty(), "one sample carries no signal about any component");
    assert_eq!(explanation.fidelity().unwrap().effective_sample_size, 1.0);
}
