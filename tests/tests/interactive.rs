//! The interactive loop: CAIPI on colors learns the rule, corrections steer
//! its explanations, and the state machine rejects misuse without losing data.

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use xil_core::metrics::{RunningMean, decompose_disjoint, explanation_scores};
use xil_core::tasks::colors::{self, PairFeatures, Rule};
use xil_core::{
    Categorical, Counterexamples, Error, Example, Feedback, L1Svm, Lime, QueryStrategy, Session, SessionConfig,
    SimulatedUser,
};

type Image = colors::Image;
type ColorsSession<'p> = Session<'p, Image, PairFeatures, L1Svm, Lime, { colors::PAIRS }, { colors::PIXELS }, 1200>;

fn data(count: usize, seed: u64) -> Vec<Example<Image>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..count).map(|_| colors::generate(&mut rng)).collect()
}

fn session(pool: &mut [Example<Image>], samples: usize) -> ColorsSession<'_> {
    let config = SessionConfig::new(4, QueryStrategy::ClosestToMargin, Counterexamples::default());
    Session::new(pool, L1Svm::new(), PairFeatures, Lime::new().samples(samples), config).unwrap()
}

/// What a run of the loop measured.
struct Run {
    test_accuracy: f32,
    running_f1: f32,
    counterexamples: usize,
    /// Weight along rule 0's and rule 1's directions at the end.
    alphas: (f32, f32),
    /// Counterexamples each correction added, and the number it should
    /// have added: every other colour of every distinct marked pixel whose
    /// change keeps the rule's label.
    per_correction: Vec<(usize, usize)>,
}

/// The counterexamples a correction of `image` (label `label`) marking
/// `marked` must add: one per (distinct marked pixel, other colour) that
/// keeps the rule's label.
fn expected_counterexamples(rule: Rule, image: &Image, label: u8, marked: &[usize]) -> usize {
    let mut distinct = marked.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let mut count = 0;
    for &pixel in &distinct {
        for colour in 0..colors::COLOURS {
            let mut changed = *image;
            if image.cells()[pixel] != colour {
                changed.set_value(pixel, colour).unwrap();
                count += usize::from(u8::from(rule.holds(&changed)) == label);
            }
        }
    }
    count
}

fn run_caipi(rule: Rule, corrections: bool, queries: usize, seed: u64) -> Run {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut pool = data(2_000, seed);
    let test = data(1_000, seed + 1);
    let mut session = session(&mut pool, 1_000);
    session.seed_per_class(3, &mut rng).unwrap();
    let user = SimulatedUser::new(rule);
    let mut f1 = RunningMean::new();
    let mut per_correction = Vec::new();
    for _ in 0..queries {
        let query = session.query(&mut rng).unwrap();
        f1.push(explanation_scores(query.explanation.selected(), rule.pixels()).f1);
        let instance = *session.pending_instance().unwrap();
        let mut feedback = user.feedback(&instance, &query);
        if !corrections {
            feedback.irrelevant.clear();
        }
        let label = feedback.label;
        let outcome = session.give_feedback(&feedback, |x| user.label(x) == label, &mut rng).unwrap();
        if !feedback.irrelevant.is_empty() {
            let expected = expected_counterexamples(rule, &instance, label, &feedback.irrelevant);
            per_correction.push((outcome.counterexamples, expected));
        }
    }
    let correct = test.iter().filter(|e| session.predict(&e.instance) == Some(e.label)).count();
    let weights = session.model().unwrap().weights;
    let (support0, support1) = (Rule::Zero.pair_support(), Rule::One.pair_support());
    let d = decompose_disjoint(weights.as_slice(), &support0, 1.0, &support1, -1.0).unwrap();
    Run {
        test_accuracy: correct as f32 / test.len() as f32,
        running_f1: f1.mean(),
        counterexamples: session.counterexamples(),
        alphas: (d.alpha0, d.alpha1),
        per_correction,
    }
}

#[test]
fn caipi_with_corrections_learns_rule_zero_within_100_queries() {
    let run = run_caipi(Rule::Zero, true, 100, 10);
    let (alpha0, alpha1) = run.alphas;
    println!(
        "rule 0 + corrections: accuracy {:.3}, running F1 {:.3}, {} counterexamples, alpha0 {alpha0:.3}, alpha1 {alpha1:.3}",
        run.test_accuracy, run.running_f1, run.counterexamples
    );
    // Accuracy alone cannot tell the rules apart (both give the same labels
    // on colors images); the weights and the explanations can.
    assert!(run.test_accuracy > 0.95, "test accuracy {}", run.test_accuracy);
    assert!(alpha0 > 2.0 * alpha1.abs(), "the weights lean to rule 0: alpha0 {alpha0}, alpha1 {alpha1}");
    let toward_one = run_caipi(Rule::One, true, 100, 10);
    assert!(toward_one.alphas.1 > toward_one.alphas.0, "corrections toward rule 1 lean to it: {:?}", toward_one.alphas);
}

#[test]
fn each_correction_adds_exactly_the_counterexamples_that_keep_the_label() {
    let run = run_caipi(Rule::Zero, true, 100, 10);
    assert!(!run.per_correction.is_empty());
    for (added, expected) in &run.per_correction {
        assert_eq!(added, expected);
    }
    let total: usize = run.per_correction.iter().map(|(added, _)| added).sum();
    println!(
        "{} corrections in 100 queries, {:.2} counterexamples per correction",
        run.per_correction.len(),
        total as f32 / run.per_correction.len() as f32
    );
}

#[test]
fn corrections_toward_rule_zero_raise_the_explanation_f1() {
    let with = run_caipi(Rule::Zero, true, 60, 20);
    let without = run_caipi(Rule::Zero, false, 60, 20);
    println!("running F1: with corrections {:.3}, without {:.3}", with.running_f1, without.running_f1);
    assert!(with.running_f1 > without.running_f1 + 0.05);
    assert_eq!(without.counterexamples, 0);
}

#[test]
fn a_seeded_session_is_reproducible() {
    let first = run_caipi(Rule::One, true, 10, 30);
    let second = run_caipi(Rule::One, true, 10, 30);
    assert_eq!(first.test_accuracy, second.test_accuracy);
    assert_eq!(first.running_f1, second.running_f1);
    assert_eq!(first.counterexamples, second.counterexamples);
}

#[test]
fn misuse_of_the_state_machine_is_an_error_and_loses_nothing() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(40);
    let mut pool = data(50, 40);
    let mut session = session(&mut pool, 200);
    assert_eq!(session.query(&mut rng), Err(Error::InvalidState), "no model before seed labels");
    assert_eq!(session.give_feedback(&Feedback::accept(1), |_| true, &mut rng), Err(Error::InvalidState));
    session.seed_per_class(2, &mut rng).unwrap();
    assert_eq!(session.training().len(), 4);
    let query = session.query(&mut rng).unwrap();
    assert_eq!(session.query(&mut rng), Err(Error::InvalidState), "one query at a time");
    assert_eq!(session.give_feedback(&Feedback::accept(2), |_| true, &mut rng), Err(Error::InvalidLabel { label: 2 }));
    let mut bad = Feedback::accept(1);
    bad.irrelevant.push(25).unwrap();
    assert_eq!(session.give_feedback(&bad, |_| true, &mut rng), Err(Error::OutOfRange { index: 25, len: 25 }));
    assert_eq!(session.pending(), Some(&query), "a rejected answer keeps the query pending");
    assert_eq!(session.training().len(), 4);
    session.give_feedback(&Feedback::accept(1), |_| true, &mut rng).unwrap();
    assert_eq!(session.training().len(), 5);
    assert_eq!(session.unlabelled(), 45);
}

#[test]
fn an_exhausted_pool_and_a_full_labelled_set_are_reported() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(50);
    let generated = data(100, 50);
    let (positives, negatives): (Vec<_>, Vec<_>) = generated.iter().partition(|e| e.label == 1);
    let mut pool: Vec<Example<Image>> =
        positives.into_iter().take(4).chain(negatives.into_iter().take(4)).copied().collect();
    let config = SessionConfig::new(4, QueryStrategy::ClosestToMargin, Counterexamples::default());
    let mut session: Session<_, _, _, _, { colors::PAIRS }, { colors::PIXELS }, 7> =
        Session::new(&mut pool, L1Svm::new(), PairFeatures, Lime::new().samples(100), config).unwrap();
    session.seed_per_class(2, &mut rng).unwrap();
    let user = SimulatedUser::new(Rule::Zero);
    // Every correction makes up to 3 counterexamples per pixel: the set of 7 fills up.
    let mut full = false;
    while session.unlabelled() > 0 {
        match session.query(&mut rng) {
            Ok(query) => {
                let instance = *session.pending_instance().unwrap();
                let mut feedback = user.feedback(&instance, &query);
                feedback.irrelevant = (0..4).collect();
                match session.give_feedback(&feedback, |_| true, &mut rng) {
                    Ok(outcome) => full |= outcome.buffer_full,
                    Err(error) => {
                        assert_eq!(error, Error::CapacityExceeded);
                        break;
                    }
                }
            }
            Err(error) => {
                assert_eq!(error, Error::PoolExhausted);
                break;
            }
        }
    }
    assert!(full, "the full buffer was reported");
    assert!(session.corrections_truncated() > 0);
    assert_eq!(session.training().len(), 7);
}

#[test]
fn an_empty_pool_is_an_error() {
    let mut pool: Vec<Example<Image>> = Vec::new();
    let config = SessionConfig::new(4, QueryStrategy::Random, Counterexamples::default());
    let result: Result<ColorsSession<'_>, _> = Session::new(&mut pool, L1Svm::new(), PairFeatures, Lime::new(), config);
    assert_eq!(result.err(), Some(Error::EmptyData));
}
