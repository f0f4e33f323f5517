//! Criterion benchmarks of the CAIPI colors loop's parts: one prediction on
//! the pair features, one LIME explanation (S = 2,000), one refit of the L1
//! SVM (as the experiments solve it, `--solver liblinear`, and xil's first
//! loose settings), one whole loop iteration as the experiment runs it
//! (query 41 of rule 0 with corrections).

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;
use std::time::{Duration, Instant};
use xil_bench::protocols::caipi_colors::Solver;
use xil_core::tasks::colors::{self, PAIRS, PIXELS, PairFeatures, Rule};
use xil_core::{
    Counterexamples, Example, Explainer, FeatureMap, Featurized, Fit, L1Svm, Lime, LinearModel, OnInstances,
    QueryStrategy, Session, SessionConfig, SimulatedUser,
};

type Image = colors::Image;

fn images(count: usize, seed: u64) -> Vec<Example<Image>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..count).map(|_| colors::generate(&mut rng)).collect()
}

fn trained_model() -> LinearModel<PAIRS> {
    let data = images(300, 1);
    Fit::<PAIRS, 512>::fit(&L1Svm::new(), &Featurized::new(&data, &PairFeatures)).expect("a model")
}

fn prediction(c: &mut Criterion) {
    let model = trained_model();
    let x = images(1, 2)[0].instance;
    c.bench_function("pair features dot product", |b| b.iter(|| PairFeatures.dot(black_box(&x), &model.weights)));
}

fn lime(c: &mut Criterion) {
    let model = trained_model();
    let scorer = OnInstances::new(&model, &PairFeatures);
    let x = images(1, 3)[0].instance;
    let mut group = c.benchmark_group("lime explanation");
    for repeats in [1usize, 10] {
        let lime = Lime::new().samples(2000).repeats(repeats);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        group.bench_with_input(BenchmarkId::new("S=2000, repeats", repeats), &repeats, |b, _| {
            b.iter(|| lime.explain(&scorer, black_box(&x), 4, &mut rng).expect("an explanation"))
        });
    }
    group.finish();
}

fn refit(c: &mut Criterion) {
    let mut group = c.benchmark_group("l1 svm refit");
    group.sample_size(20);
    for solver in [Solver::Liblinear, Solver::Loose] {
        for n in [100usize, 500, 1000] {
            let data = images(n, 5);
            let name = format!("{solver:?}, examples").to_lowercase();
            group.bench_with_input(BenchmarkId::new(name, n), &data, |b, data| {
                b.iter(|| {
                    Fit::<PAIRS, 1024>::fit(&solver.l1_svm(), &Featurized::new(data, &PairFeatures)).expect("a model")
                })
            });
        }
    }
    group.finish();
}

/// Queries answered before the measured one.
const ANSWERED: usize = 40;

/// One answered query of a session that has answered `ANSWERED` before it;
/// returns the time of that query alone.
fn one_query_after_answering() -> Duration {
    let mut pool = images(36_000, 6);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let config = SessionConfig::new(4, QueryStrategy::ClosestToMargin, Counterexamples::default());
    let lime = Lime::new().samples(2000).repeats(10);
    let mut session: Box<Session<_, _, _, _, PAIRS, PIXELS, 1024>> =
        Box::new(Session::new(&mut pool, Solver::Liblinear.l1_svm(), PairFeatures, lime, config).expect("a session"));
    session.seed_per_class(3, &mut rng).expect("seed labels");
    let user = SimulatedUser::new(Rule::Zero);
    let mut answer = || {
        let query = session.query(&mut rng).expect("a query");
        let instance = *session.pending_instance().expect("pending");
        let feedback = user.feedback(&instance, &query);
        session.give_feedback(&feedback, |x| user.label(x) == feedback.label, &mut rng).expect("feedback");
    };
    for _ in 0..ANSWERED {
        answer();
    }
    let started = Instant::now();
    answer();
    started.elapsed()
}

fn iteration(c: &mut Criterion) {
    let mut group = c.benchmark_group("caipi iteration");
    // Each sample replays ANSWERED queries first: few, flat samples.
    group.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_millis(100));
    group.bench_function(format!("query {} of rule 0 + corrections, pool 36000, S=2000 x 10", ANSWERED + 1), |b| {
        b.iter_custom(|iterations| (0..iterations).map(|_| one_query_after_answering()).sum())
    });
    group.finish();
}

criterion_group!(benches, prediction, lime, refit, iteration);
criterion_main!(benches);
