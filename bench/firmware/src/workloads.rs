//! The on-device session and the micro-benchmarks.

use crate::measure::region;
use cortex_m_semihosting::hprintln;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;
use xil_core::colors::{self, PAIRS, PIXELS, PairFeatures, Rule};
use xil_core::metrics::{RunningMean, explanation_scores};
use xil_core::{
    Counterexamples, Dataset, Decision, Error, Example, Explainer, FeatureMap, Featurized, Fit, Grid, Intercept, L1Svm,
    Lime, LinearModel, LogisticRegression, OnInstances, QueryStrategy, Session, SessionConfig, SimulatedUser,
};

type Image = colors::Image;

const POOL: usize = 300;
const TEST: usize = 200;
/// Labelled examples plus counterexamples a session can hold.
const CAPACITY: usize = 256;
const ROUNDS: usize = 40;
const SEED: u64 = 2026;

const EMPTY: Example<Image> = Example::labelled(Grid::zeros(), 0);

type DeviceSession<'p> = Session<'p, Image, PairFeatures, L1Svm, Lime, PAIRS, PIXELS, CAPACITY>;

/// What a session measured.
struct Report {
    f1: RunningMean,
    accuracy_milli: u32,
    counterexamples: usize,
    full: bool,
    rounds: usize,
}

fn fill(buffer: &mut [Example<Image>], rng: &mut Xoshiro128PlusPlus) {
    for slot in buffer.iter_mut() {
        *slot = colors::generate(rng);
    }
}

fn accuracy_milli(session: &DeviceSession<'_>, test: &[Example<Image>]) -> u32 {
    let correct = test.iter().filter(|e| session.predict(&e.instance) == Some(e.label)).count();
    (correct * 1000 / test.len().max(1)) as u32
}

/// One query, answer and refit; `Ok(false)` when the labelled set is full.
fn round(
    session: &mut DeviceSession<'_>,
    user: &SimulatedUser<Rule>,
    corrections: bool,
    f1: &mut RunningMean,
    full: &mut bool,
    rng: &mut Xoshiro128PlusPlus,
) -> Result<bool, Error> {
    let query = session.query(rng)?;
    f1.push(explanation_scores(query.explanation.selected(), Rule::Zero.pixels()).f1);
    let instance = *session.pending_instance().ok_or(Error::InvalidState)?;
    let mut feedback = user.feedback(&instance, &query);
    if !corrections {
        feedback.irrelevant.clear();
    }
    let label = feedback.label;
    match session.give_feedback(&feedback, |x| user.label(x) == label, rng) {
        Ok(outcome) => {
            *full |= outcome.buffer_full;
            Ok(true)
        }
        Err(Error::CapacityExceeded) => {
            *full = true;
            Ok(false)
        }
        Err(error) => Err(error),
    }
}

#[inline(never)]
fn session(
    pool: &mut [Example<Image>],
    test: &[Example<Image>],
    corrections: bool,
    measure_round: bool,
) -> Result<Report, Error> {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED);
    fill(pool, &mut rng);
    let config = SessionConfig::new(4, QueryStrategy::ClosestToMargin, Counterexamples::default());
    let lime = Lime::new().samples(1000);
    let mut session: DeviceSession<'_> = Session::new(pool, L1Svm::new(), PairFeatures, lime, config)?;
    session.seed_per_class(3, &mut rng)?;
    let user = SimulatedUser::new(Rule::Zero);
    let mut report = Report { f1: RunningMean::new(), accuracy_milli: 0, counterexamples: 0, full: false, rounds: 0 };
    for r in 0..ROUNDS {
        let going = if measure_round && r == ROUNDS / 2 {
            region("round (query + LIME S=1000 + correction + refit)", || {
                round(&mut session, &user, corrections, &mut report.f1, &mut report.full, &mut rng)
            })?
        } else {
            round(&mut session, &user, corrections, &mut report.f1, &mut report.full, &mut rng)?
        };
        if !going {
            hprintln!("session labelled set full after {} rounds: stopping", r);
            break;
        }
        report.rounds = r + 1;
    }
    if report.full {
        hprintln!("session note: the labelled set of {} filled; some counterexamples were dropped", CAPACITY);
    }
    report.accuracy_milli = accuracy_milli(&session, test);
    report.counterexamples = session.counterexamples();
    if measure_round {
        let training = session.training();
        region("fit L1 SVM, cold, on the session's labelled set", || {
            Fit::<PAIRS, CAPACITY>::fit(&L1Svm::new(), &Featurized::new(training.as_slice(), &PairFeatures))
        })?;
    }
    Ok(report)
}

#[inline(never)]
fn micro_benchmarks(pool: &mut [Example<Image>]) -> Result<(), Error> {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED + 1);
    fill(pool, &mut rng);
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
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED + 2);
    fill(test, &mut rng);
    if let Err(error) = micro_benchmarks(pool) {
        hprintln!("error in micro-benchmarks: {}", error);
        return false;
    }
    let mut f1_milli = [0u32; 2];
    for (i, corrections) in [true, false].into_iter().enumerate() {
        match session(pool, test, corrections, corrections) {
            Ok(report) => {
                f1_milli[i] = (report.f1.mean() * 1000.0) as u32;
                hprintln!(
                    "session corrections={} rounds={} f1_milli={} accuracy_milli={} counterexamples={} full={}",
                    if corrections { "on" } else { "off" },
                    report.rounds,
                    f1_milli[i],
                    report.accuracy_milli,
                    report.counterexamples,
                    u8::from(report.full)
                );
            }
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
