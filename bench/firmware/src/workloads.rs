//! The on-device session and the micro-benchmarks.

use crate::measure::region;
use cortex_m_semihosting::hprintln;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;
use xil_core::reference::{self, CAPACITY, POOL, ROUNDS, ReferenceRun, ReferenceSession, SEED, TEST, TEST_SEED};
use xil_core::tasks::colors::{self, PAIRS, PairFeatures, Rule};
use xil_core::{
    Counterexamples, Dataset, Decision, Error, Example, Explainer, FeatureMap, Featurized, Fit, Grid, Intercept, L1Svm,
    Lime, LinearModel, LogisticRegression, OnInstances, Session,
};

type Image = colors::Image;

const EMPTY: Example<Image> = Example::labelled(Grid::zeros(), 0);

/// Runs the reference session ([`xil_core::reference`]) on the device,
/// counting the instructions of its middle round and of a cold refit when
/// `measure`, and prints its fingerprint and its F1 in thousandths.
#[inline(never)]
fn session(
    pool: &mut [Example<Image>],
    test: &[Example<Image>],
    corrections: bool,
    measure: bool,
) -> Result<u32, Error> {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED);
    reference::fill(pool, &mut rng);
    let mut session: ReferenceSession<'_, CAPACITY> =
        Session::new(pool, L1Svm::new(), PairFeatures, reference::explainer(), reference::config())?;
    session.seed_per_class(reference::INITIAL_PER_CLASS, &mut rng)?;
    let mut run = ReferenceRun::new(&mut session, corrections, rng);
    for r in 0..ROUNDS {
        let going = if measure && r == ROUNDS / 2 {
            region("round (query + LIME S=1000 + correction + refit)", || run.round())?
        } else {
            run.round()?
        };
        if !going {
            hprintln!("session labelled set full after {} rounds: stopping", r);
            break;
        }
    }
    if run.buffer_full() {
        hprintln!("session note: the labelled set of {} filled; some counterexamples were dropped", CAPACITY);
    }
    let fingerprint = run.fingerprint(test);
    let on = if corrections { "on" } else { "off" };
    hprintln!("reference corrections={} {}", on, fingerprint);
    let f1_milli = (f32::from_bits(fingerprint.running_f1_bits) * 1000.0) as u32;
    hprintln!(
        "session corrections={} rounds={} f1_milli={} accuracy_milli={} counterexamples={} full={}",
        on,
        fingerprint.rounds,
        f1_milli,
        fingerprint.correct * 1000 / (test.len().max(1) as u32),
        fingerprint.counterexamples,
        u8::from(run.buffer_full())
    );
    if measure {
        let training = run.session().training();
        region("fit L1 SVM, cold, on the session's labelled set", || {
            Fit::<PAIRS, CAPACITY>::fit(&L1Svm::new(), &Featurized::new(training.as_slice(), &PairFeatures))
        })?;
    }
    Ok(f1_milli)
}

#[inline(never)]
fn micro_benchmarks(pool: &mut [Example<Image>]) -> Result<(), Error> {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED + 1);
    reference::fill(pool, &mut rng);
    let training = pool.get(..100).ok_or(Error::EmptyData)?;
    let design = Featurized::new(training, &PairFeatures);
    let svm: LinearModel<PAIRS> =
        region("fit L1 SVM, cold, 100 examples", || Fit::<PAIRS, CAPACITY>::fit(&L1Svm::new(), &design))?;
    let logistic: LinearModel<PAIRS> =
        Fit::<PAIRS, CAPACITY>::fit(&LogisticRegression::new().c(1000.0).intercept(Intercept::None), &design)?;
    let x = pool.get(150).ok_or(Error::EmptyData)?.instance;
    region("predict logistic regression (300 pair features)", || logistic.decision_of(&PairFeatures, &x));
    region("predict L1 SVM (300 pair features)", || svm.decision_of(&PairFeatures, &x));
    region("exact explanation, linear (300 contributions)", || svm.contributions(&PairFeatures.features(&x)));
    let scorer = OnInstances::new(&svm, &PairFeatures);
    region("LIME S=256", || Lime::new().samples(256).explain(&scorer, &x, 4, &mut rng))?;
    region("LIME S=1000", || Lime::new().samples(1000).explain(&scorer, &x, 4, &mut rng))?;
    let mut out: Dataset<Image, 16> = Dataset::new();
    region("counterexamples for one correction (3 pixels)", || {
        Counterexamples::default().generate(&x, 1, &[6, 12, 18], |y| Rule::Zero.holds(y), &mut out, &mut rng)
    })?;
    Ok(())
}

/// The pool and the test images, in static RAM.
type Buffers = (&'static mut [Example<Image>; POOL], &'static mut [Example<Image>; TEST]);

/// The pool and test buffers (taken once).
#[inline(never)]
fn buffers() -> Option<Buffers> {
    let pool = cortex_m::singleton!(: [Example<Image>; POOL] = [EMPTY; POOL])?;
    let test = cortex_m::singleton!(: [Example<Image>; TEST] = [EMPTY; TEST])?;
    Some((pool, test))
}

/// Runs everything; `false` on any failure or a missing effect.
pub fn run() -> bool {
    region("calibration", || ());
    let Some((pool, test)) = buffers() else { return false };
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(TEST_SEED);
    reference::fill(test, &mut rng);
    if let Err(error) = micro_benchmarks(pool) {
        hprintln!("error in micro-benchmarks: {}", error);
        return false;
    }
    let mut f1_milli = [0u32; 2];
    for (i, corrections) in [true, false].into_iter().enumerate() {
        match session(pool, test, corrections, corrections) {
            Ok(f1) => f1_milli[i] = f1,
            Err(error) => {
                hprintln!("error in session: {}", error);
                return false;
            }
        }
    }
    let effect = f1_milli[0] > f1_milli[1];
    hprintln!("effect corrections raise F1: {}", if effect { "yes" } else { "no" });
    effect
}
