//! The reference run (`xil_core::reference`) gives the pinned numbers, bit
//! for bit. `tests/fixtures/reference.txt` holds them; the firmware prints
//! the same lines on an emulated Cortex-M4F and M3 and `bench/firmware/run.py`
//! compares them with the same file, so one file says what every platform
//! must compute.

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;
use xil_core::reference::senn;
use xil_core::reference::{self, CAPACITY, POOL, ROUNDS, ReferenceRun, ReferenceSession, SEED, TEST, TEST_SEED};
use xil_core::tasks::colors::PairFeatures;
use xil_core::tasks::colors::{self, Image};
use xil_core::{Example, FeatureMap, Grid, L1Svm, Session};

fn reference_line(corrections: bool) -> String {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(TEST_SEED);
    let test: Vec<Example<Image>> = (0..TEST).map(|_| colors::generate(&mut rng)).collect();
    let mut pool = vec![Example::labelled(Grid::zeros(), 0); POOL];
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED);
    reference::fill(&mut pool, &mut rng);
    let mut session: ReferenceSession<'_, CAPACITY> =
        Session::new(&mut pool, L1Svm::new(), PairFeatures, reference::explainer(), reference::config()).unwrap();
    session.seed_per_class(reference::INITIAL_PER_CLASS, &mut rng).unwrap();
    let mut run = ReferenceRun::new(&mut session, corrections, rng);
    for _ in 0..ROUNDS {
        if !run.round().unwrap() {
            break;
        }
    }
    format!("reference corrections={} {}", if corrections { "on" } else { "off" }, run.fingerprint(&test))
}

#[test]
fn the_reference_run_reproduces_the_pinned_bits() {
    let pinned = include_str!("../fixtures/reference.txt");
    let computed = format!("{}\n{}\n", reference_line(true), reference_line(false));
    assert_eq!(computed, pinned, "the reference run changed; if on purpose, re-pin tests/fixtures/reference.txt");
}

/// Runs `step` on the SENN reference session, seeded and started as the
/// firmware starts it, with the generator that started it.
fn with_senn_session<T>(step: impl FnOnce(&mut senn::SennSession<'_>, &mut Xoshiro128PlusPlus) -> T) -> T {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(senn::SEED);
    let mut pool = vec![Example::labelled(Grid::zeros(), 0); senn::POOL];
    // The network and trainer are large (165 KB): boxed, as a desktop holds them.
    let mut model = Box::new(senn::Network::new(&mut rng));
    let mut trainer = Box::new(senn::trainer().unwrap());
    let mut session = senn::session(&mut pool, &mut model, &mut trainer, &mut rng).unwrap();
    step(&mut session, &mut rng)
}

/// The SENN reference step's line, as the firmware prints it.
fn senn_line() -> String {
    with_senn_session(|session, rng| {
        let query = session.query(rng).unwrap();
        let (label, corrected) = senn::answer(session, &query.explanation).unwrap();
        session.give_feedback(label, Some(corrected), rng).unwrap();
        format!("reference senn {}", senn::SennFingerprint::new(&query, session.model()))
    })
}

#[test]
fn the_senn_reference_step_reproduces_the_pinned_bits() {
    let pinned = include_str!("../fixtures/reference-senn.txt");
    let computed = format!("{}\n", senn_line());
    assert_eq!(computed, pinned, "the SENN step changed; if on purpose, re-pin tests/fixtures/reference-senn.txt");
}

#[test]
fn the_senn_reference_answer_corrects_toward_rule_zero_and_the_step_moves_the_explanation() {
    with_senn_session(|session, rng| {
        let query = session.query(rng).unwrap();
        let image = *session.pending_instance().unwrap();
        let (label, corrected) = senn::answer(session, &query.explanation).unwrap();
        assert_eq!(label, u8::from(colors::Rule::Zero.holds(&image)));
        let changed = (0..corrected.len()).filter(|&i| corrected[i] != query.explanation[i]).count();
        assert_eq!(changed, senn::CORRECTED, "the user corrects exactly the entries asked");
        // The explanation is exact: the logit is w(x)·x.
        let x = colors::OneHot.features(&image);
        let logit = query.explanation.dot(&x);
        assert!((xil_core::maths::sigmoid(logit) - query.probability).abs() < 1e-6);
        // One Adam step on the squared explanation loss moves w(x) toward the
        // corrected explanation.
        session.give_feedback(label, Some(corrected), rng).unwrap();
        let after = session.model().relevance(&x);
        assert!((after - corrected).norm() < (query.explanation - corrected).norm());
    });
}
