//! xil's side of `scripts/compare_python`'s CAIPI comparison: the colors loop
//! as the experiments run it (pool 36,000, closest to the margin, LIME with
//! 2,000 samples x 10 repeats and k = 4, the simulated user of rule 0 with
//! corrections, every alternative colour of a marked pixel as a
//! counterexample, a cold liblinear refit of the L1 SVM), one thread, each
//! query timed whole. Prints one JSON object: the pool (so that the Python
//! loop starts from the same images), the milliseconds of every query and the
//! size of the training set after it.
//!
//! `cargo run --release -p xil-bench --example compare_caipi -- QUERIES`

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::json;
use std::time::Instant;
use xil_bench::protocols::caipi_colors::Solver;
use xil_core::tasks::colors::{self, PAIRS, PIXELS, PairFeatures, Rule};
use xil_core::{Counterexamples, Example, Lime, QueryStrategy, Session, SessionConfig, SimulatedUser};

/// Images in the pool.
const POOL: usize = 36_000;
/// Labelled examples and counterexamples the session holds.
const CAPACITY: usize = 4096;

fn fail(message: String) -> ! {
    eprintln!("compare_caipi: {message}");
    std::process::exit(1)
}

fn main() {
    let queries: usize = std::env::args().nth(1).map_or(50, |text| {
        text.parse().unwrap_or_else(|_| fail(format!("QUERIES must be a whole number, not {text:?}")))
    });
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
    let mut pool: Vec<Example<colors::Image>> = (0..POOL).map(|_| colors::generate(&mut rng)).collect();
    let cells: Vec<Vec<u8>> = pool.iter().map(|e| e.instance.cells().to_vec()).collect();
    let config = SessionConfig::new(4, QueryStrategy::ClosestToMargin, Counterexamples::default());
    let lime = Lime::new().samples(2000).repeats(10);
    let mut session: Box<Session<_, _, _, _, PAIRS, PIXELS, CAPACITY>> = Box::new(
        Session::new(&mut pool, Solver::Liblinear.l1_svm(), PairFeatures, lime, config)
            .unwrap_or_else(|e| fail(format!("the session: {e}"))),
    );
    session.seed_per_class(3, &mut rng).unwrap_or_else(|e| fail(format!("seeding: {e}")));
    let user = SimulatedUser::new(Rule::Zero);
    let (mut milliseconds, mut training) = (Vec::with_capacity(queries), Vec::with_capacity(queries));
    for _ in 0..queries {
        let started = Instant::now();
        let query = session.query(&mut rng).unwrap_or_else(|e| fail(format!("a query: {e}")));
        let instance = *session.pending_instance().unwrap_or_else(|| fail("no pending query".into()));
        let feedback = user.feedback(&instance, &query);
        session
            .give_feedback(&feedback, |x| user.label(x) == feedback.label, &mut rng)
            .unwrap_or_else(|e| fail(format!("feedback: {e}")));
        milliseconds.push(started.elapsed().as_secs_f64() * 1e3);
        training.push(session.training().len());
    }
    println!("{}", json!({ "pool": cells, "milliseconds": milliseconds, "training": training }));
}
