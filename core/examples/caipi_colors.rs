//! CAIPI on generated colors data, driven by a simulated user, in one process.
//!
//! ```text
//! cargo run --release -p xil-core --example caipi_colors -- [RULE] [CORRECTIONS] [QUERIES] [SEED]
//! ```
//! RULE is 0 or 1 (default 0), CORRECTIONS `on` or `off` (default on),
//! QUERIES the number of queries (default 100), SEED any integer (default 0).
//! Prints the running explanation F1, the test accuracy and the weight
//! decomposition every 10 queries. The L1 SVM is solved as in the bench's
//! `caipi` (`--solver liblinear`).

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::process::ExitCode;
use xil_core::metrics::{RunningMean, decompose_disjoint, explanation_scores};
use xil_core::tasks::colors::{self, PairFeatures, Rule};
use xil_core::{Counterexamples, Example, L1Svm, Lime, QueryStrategy, Session, SessionConfig, SimulatedUser, Stopping};

struct Settings {
    rule: Rule,
    corrections: bool,
    queries: usize,
    seed: u64,
}

fn parse(args: &[String]) -> Result<Settings, String> {
    let arg = |i: usize| args.get(i).map(String::as_str);
    let rule = match arg(0).unwrap_or("0") {
        "0" => Rule::Zero,
        "1" => Rule::One,
        other => return Err(format!("RULE must be 0 or 1, not {other:?}")),
    };
    let corrections = match arg(1).unwrap_or("on") {
        "on" => true,
        "off" => false,
        other => return Err(format!("CORRECTIONS must be on or off, not {other:?}")),
    };
    let queries = arg(2).unwrap_or("100").parse().map_err(|_| "QUERIES must be a whole number".to_string())?;
    let seed = arg(3).unwrap_or("0").parse().map_err(|_| "SEED must be a whole number".to_string())?;
    Ok(Settings { rule, corrections, queries, seed })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args).map_err(|e| e.to_string()).and_then(|s| run(&s).map_err(|e| e.to_string())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("caipi_colors: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(settings: &Settings) -> Result<(), xil_core::Error> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(settings.seed);
    let mut pool: Vec<Example<colors::Image>> = (0..3_600).map(|_| colors::generate(&mut rng)).collect();
    let test: Vec<Example<colors::Image>> = (0..400).map(|_| colors::generate(&mut rng)).collect();
    let k = settings.rule.pixels().len();
    let config = SessionConfig::new(k, QueryStrategy::ClosestToMargin, Counterexamples::default());
    let lime = Lime::new().samples(2_000).repeats(10);
    // Solved as the authors' scikit-learn ran liblinear: its stopping rule at
    // tolerance 1e-4, each refit from zero.
    let learner = L1Svm::new().stopping(Stopping::Liblinear).tolerance(1e-4).warm_start(false);
    let mut session: Box<Session<_, _, _, _, { colors::PAIRS }, { colors::PIXELS }, 4_000>> =
        Box::new(Session::new(&mut pool, learner, PairFeatures, lime, config)?);
    session.seed_per_class(3, &mut rng)?;
    let user = SimulatedUser::new(settings.rule);
    let mut f1 = RunningMean::new();
    println!("query  running_f1  test_accuracy  alpha0  alpha1  residual  counterexamples");
    for t in 1..=settings.queries {
        let query = session.query(&mut rng)?;
        f1.push(explanation_scores(query.explanation.selected(), settings.rule.pixels()).f1);
        let instance = *session.pending_instance().ok_or(xil_core::Error::InvalidState)?;
        let mut feedback = user.feedback(&instance, &query);
        if !settings.corrections {
            feedback.irrelevant.clear();
        }
        let label = feedback.label;
        session.give_feedback(&feedback, |x| user.label(x) == label, &mut rng)?;
        if t % 10 == 0 || t == settings.queries {
            let correct = test.iter().filter(|e| session.predict(&e.instance) == Some(e.label)).count();
            let weights = session.model().map(|m| m.weights).unwrap_or_else(nalgebra::SVector::zeros);
            let d = decompose_disjoint(
                weights.as_slice(),
                &Rule::Zero.pair_support(),
                1.0,
                &Rule::One.pair_support(),
                -1.0,
            )?;
            println!(
                "{t:5}  {:10.3}  {:13.3}  {:6.3}  {:6.3}  {:8.3}  {:15}",
                f1.mean(),
                correct as f32 / test.len() as f32,
                d.alpha0,
                d.alpha1,
                d.residual,
                session.counterexamples()
            );
        }
    }
    Ok(())
}
