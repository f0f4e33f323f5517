//! The reference run (`xil_core::reference`) gives the pinned numbers, bit
//! for bit. `tests/fixtures/reference.txt` holds them; the firmware prints
//! the same lines on an emulated Cortex-M4F and M3 and `bench/firmware/run.py`
//! compares them with the same file, so one file says what every platform
//! must compute.

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;
use xil_core::reference::{self, CAPACITY, POOL, ROUNDS, ReferenceRun, ReferenceSession, SEED, TEST, TEST_SEED};
use xil_core::tasks::colors::PairFeatures;
use xil_core::tasks::colors::{self, Image};
use xil_core::{Example, Grid, L1Svm, Session};

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
