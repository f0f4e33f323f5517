//! xil-core's public entry points fed arbitrary bytes turned into instances,
//! labels, weights, hyper-parameters and `f32` values of every bit pattern
//! (NaN, infinities, subnormals): fitting each learner, predicting,
//! explaining with each explainer, generating counterexamples, and one step
//! of each interactive loop (CAIPI's `Session`, CALIMOCHO's `CaliSession`).
//! Core promises an error value or a defined result for every input, never
//! a panic; the target also checks the promises that are cheap to state.

use arbitrary::{Result, Unstructured};
use nalgebra::SVector;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use xil_core::tasks::toy::{self, PIXELS, Pixels};
use xil_core::{
    Absent, Adam, CaliSession, CaliStrategy, CounterexampleStrategy, Counterexamples, Dataset, Decision, Example,
    Explainer, ExplanationLoss, Featurized, Feedback, Fit, Grid, Identity, KernelShap, L1Svm, L2Svm, Lime,
    LogisticRegression, OnInstances, Penalty, QueryStrategy, Senn, SennLoss, SennTrainer, Session, SessionConfig,
    correct_explanation,
};

/// Capacity of the labelled sets.
const N: usize = 48;
/// Features of the vector learners.
const D: usize = 3;

type ToySession<'p> = Session<'p, toy::Image, Pixels, L1Svm, Lime, PIXELS, PIXELS, N>;

/// Any `f32`, NaN and infinities included.
fn float(u: &mut Unstructured<'_>) -> Result<f32> {
    Ok(f32::from_bits(u.arbitrary()?))
}

/// A 3x3 image from arbitrary cells; values outside {0, 1} are refused by
/// `Grid::new`, which is part of what is exercised.
fn image(u: &mut Unstructured<'_>) -> Result<toy::Image> {
    let cells: [u8; PIXELS] = u.arbitrary()?;
    Ok(Grid::new(cells).unwrap_or(Grid::zeros()))
}

fn vector(u: &mut Unstructured<'_>) -> Result<SVector<f32, D>> {
    Ok(SVector::from([float(u)?, float(u)?, float(u)?]))
}

/// Fits each learner on arbitrary weighted, labelled vectors and uses the
/// models that come back.
fn learners(u: &mut Unstructured<'_>) -> Result<()> {
    let count = u.int_in_range(0..=N + 2)?;
    let mut examples = Vec::with_capacity(count);
    for _ in 0..count {
        examples.push(Example { weight: float(u)?, ..Example::labelled(vector(u)?, u.arbitrary()?) });
    }
    let design = Featurized::new(&examples, &Identity);
    let x = vector(u)?;
    let l2 = L2Svm::new().c(float(u)?).max_iterations(u.int_in_range(0..=200)?);
    let penalty = if u.arbitrary()? { Penalty::L1 } else { Penalty::L2 };
    let models = [
        Fit::<D, N>::fit(&L1Svm::new(), &design),
        Fit::<D, N>::fit(&l2, &design),
        Fit::<D, N>::fit(&LogisticRegression::new().penalty(penalty), &design),
    ];
    for model in models.into_iter().flatten() {
        let decision = model.decision(&x);
        let prediction = model.predict(&x);
        assert!(prediction <= 1);
        assert_eq!(prediction == 1, decision > 0.0);
        let _ = model.contributions(&x);
        if let Ok(refit) = Fit::<D, N>::fit_from(&L1Svm::new(), &design, &model) {
            let _ = refit.decision(&x);
        }
    }
    Ok(())
}

/// Explains an arbitrary image under an arbitrary linear model with LIME and
/// Kernel SHAP of arbitrary settings, then turns arbitrary marks into counterexamples.
fn explain_and_correct(u: &mut Unstructured<'_>, rng: &mut Xoshiro256PlusPlus) -> Result<()> {
    let weights = SVector::<f32, PIXELS>::from_fn(|_, _| float(u).unwrap_or(0.0));
    let model = xil_core::LinearModel::new(weights, float(u)?);
    let x = image(u)?;
    let lime = Lime::new()
        .samples(u.int_in_range(0..=64)?)
        .repeats(u.int_in_range(0..=3)?)
        .kernel_width(if u.arbitrary()? { Some(float(u)?) } else { None })
        .selection_alpha(float(u)?)
        .ridge_alpha(float(u)?);
    let k = u.int_in_range(0..=PIXELS + 2)?;
    let score = OnInstances::new(&model, &Pixels);
    if let Ok(explanation) = lime.explain(&score, &x, k, rng) {
        assert!(explanation.selected().len() <= k.min(PIXELS));
        assert!(explanation.selected().iter().all(|&c| c < PIXELS));
    }
    let reference = image(u)?;
    let absent = if u.arbitrary()? { Absent::Reference(&reference) } else { Absent::Hidden };
    let shap = KernelShap::new(absent).samples(u.int_in_range(0..=600)?);
    if let Ok(explanation) = shap.explain(&score, &x, k, rng) {
        assert!(explanation.selected().len() <= k.min(PIXELS));
        assert!(explanation.relevance().iter().all(|v| v.is_finite()) || weights.iter().any(|w| w.abs() > 1e30));
    }
    let strategy = *u.choose(&[
        CounterexampleStrategy::Randomize,
        CounterexampleStrategy::AllAlternatives,
        CounterexampleStrategy::SameClass,
    ])?;
    let corrections = Counterexamples::new(strategy, u.int_in_range(0..=4)?, float(u)?);
    let marks: Vec<usize> = (0..u.int_in_range(0..=4)?).map(|_| u.int_in_range(0..=PIXELS + 1).unwrap_or(0)).collect();
    let mut out: Dataset<toy::Image, 16> = Dataset::new();
    let label = u.arbitrary()?;
    if let Ok(generated) = corrections.generate(&x, label, &marks, |_| true, &mut out, rng) {
        let _ = generated;
        for example in out.as_slice() {
            for (component, (&new, &old)) in example.instance.cells().iter().zip(x.cells()).enumerate() {
                assert!(new == old || marks.contains(&component), "only marked pixels change");
            }
        }
    }
    Ok(())
}

/// CAIPI's loop on a pool of arbitrary images: seeding, one query and one
/// answer with an arbitrary label and marks, then misuse of the state machine.
fn caipi_step(u: &mut Unstructured<'_>, rng: &mut Xoshiro256PlusPlus) -> Result<()> {
    let mut pool = Vec::new();
    for _ in 0..u.int_in_range(0..=40)? {
        pool.push(Example::labelled(image(u)?, u.arbitrary()?));
    }
    let strategy = *u.choose(&[
        QueryStrategy::Random,
        QueryStrategy::ClosestToMargin,
        QueryStrategy::LeastConfident,
        QueryStrategy::Margin,
        QueryStrategy::Entropy,
    ])?;
    let config = SessionConfig::new(u.int_in_range(0..=PIXELS + 1)?, strategy, Counterexamples::default());
    let lime = Lime::new().samples(u.int_in_range(0..=48)?);
    let Ok(mut session): core::result::Result<ToySession<'_>, _> =
        Session::new(&mut pool, L1Svm::new(), Pixels, lime, config)
    else {
        return Ok(());
    };
    let _ = session.seed_per_class(u.int_in_range(0..=4)?, rng);
    let mut irrelevant = heapless::Vec::<usize, PIXELS>::new();
    for _ in 0..u.int_in_range(0..=3)? {
        let _ = irrelevant.push(u.int_in_range(0..=PIXELS + 1)?);
    }
    let feedback = Feedback { label: u.arbitrary()?, irrelevant };
    if u.arbitrary()? {
        // Feedback before any query is misuse: an error, nothing changes.
        assert!(session.give_feedback(&feedback, |_| true, rng).is_err());
    }
    if session.query(rng).is_ok() {
        assert!(session.pending_instance().is_some());
        let answered = session.queries_answered();
        if session.give_feedback(&feedback, |_| true, rng).is_ok() {
            assert_eq!(session.queries_answered(), answered + 1);
        }
    }
    let _ = session.predict(&image(u)?);
    Ok(())
}

/// CALIMOCHO's loop with a SENN on the toy task: seeding, one query, one
/// answer with an arbitrary label and correction.
fn cali_step(u: &mut Unstructured<'_>, rng: &mut Xoshiro256PlusPlus) -> Result<()> {
    let mut pool = Vec::new();
    for _ in 0..u.int_in_range(0..=20)? {
        pool.push(Example::labelled(image(u)?, u.arbitrary()?));
    }
    let mut model = Senn::<PIXELS, 1>::new(rng);
    let explanation = if u.arbitrary()? { ExplanationLoss::Ranking } else { ExplanationLoss::Squared };
    let loss = SennLoss { lambda: float(u)?, alpha: float(u)?, explanation };
    let adam = Adam { learning_rate: float(u)?, ..Adam::default() };
    let Ok(mut trainer) = SennTrainer::new(loss, adam) else { return Ok(()) };
    let strategy = if u.arbitrary()? { CaliStrategy::Random } else { CaliStrategy::Uncertainty };
    let steps = u.int_in_range(0..=3)?;
    let Ok(mut session) =
        CaliSession::<'_, _, _, PIXELS, 1, 24>::new(&mut pool, Pixels, &mut model, &mut trainer, strategy, steps)
    else {
        return Ok(());
    };
    let _ = session.seed(u.int_in_range(0..=6)?, rng);
    if let Ok(query) = session.query(rng) {
        let truth = SVector::<f32, PIXELS>::from_fn(|_, _| float(u).unwrap_or(0.0));
        let corrected = if u.arbitrary()? {
            Some(correct_explanation(&query.explanation, &truth, u.int_in_range(0..=10)?))
        } else {
            None
        };
        let _ = session.give_feedback(u.arbitrary()?, corrected, rng);
    }
    Ok(())
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(u.arbitrary()?);
    match u.int_in_range(0..=3)? {
        0 => learners(u),
        1 => explain_and_correct(u, &mut rng),
        2 => caipi_step(u, &mut rng),
        _ => cali_step(u, &mut rng),
    }
}

/// Runs one input; panics on a broken promise.
pub fn check(data: &[u8]) {
    let _ = run(&mut Unstructured::new(data));
}
