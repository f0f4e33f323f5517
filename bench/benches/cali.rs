//! Criterion benchmarks of CALIMOCHO's parts: the exact SENN explanation,
//! one Adam step, and one whole CALI iteration (query, feedback, a refit of
//! 100 Adam steps), for w(x) of depth 1 and 3 on one-hot colors.

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;
use xil_core::tasks::colors::{self, ONE_HOT, OneHot, Rule};
use xil_core::{
    Adam, CaliSession, CaliStrategy, Example, FeatureMap, Senn, SennExample, SennLoss, SennTrainer, correct_explanation,
};

fn images(count: usize, seed: u64) -> Vec<Example<colors::Image>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..count).map(|_| colors::generate(&mut rng)).collect()
}

fn exact_explanation(c: &mut Criterion) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let model: Box<Senn<ONE_HOT, 3>> = Box::new(Senn::new(&mut rng));
    let x = OneHot.features(&images(1, 2)[0].instance);
    c.bench_function("senn exact explanation, depth 3", |b| b.iter(|| model.relevance(black_box(&x))));
}

fn adam_step(c: &mut Criterion) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let data: Vec<SennExample<ONE_HOT>> = images(64, 4)
        .iter()
        .map(|e| SennExample { x: OneHot.features(&e.instance), label: e.label, correction: None })
        .collect();
    let mut model: Box<Senn<ONE_HOT, 1>> = Box::new(Senn::new(&mut rng));
    let mut trainer = Box::new(SennTrainer::new(SennLoss::default(), Adam::default()).expect("a trainer"));
    c.bench_function("senn adam step, depth 1, batch 8", |b| {
        b.iter(|| trainer.step(&mut model, &data, 8, &mut rng).expect("a step"))
    });
}

fn iteration<const L: usize>(c: &mut Criterion, name: &str) {
    let mut group = c.benchmark_group("cali iteration");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new(name, "pool 4000, 100 Adam steps"), |b| {
        b.iter_batched(
            || images(4000, 5),
            |mut pool| {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
                let mut model: Box<Senn<ONE_HOT, L>> = Box::new(Senn::new(&mut rng));
                let mut trainer = Box::new(SennTrainer::new(SennLoss::default(), Adam::default()).expect("a trainer"));
                let mut session: CaliSession<'_, colors::Image, OneHot, ONE_HOT, L, 64> =
                    CaliSession::new(&mut pool, OneHot, &mut model, &mut trainer, CaliStrategy::Uncertainty, 100)
                        .expect("a session");
                session.seed(5, &mut rng).expect("seed labels");
                let query = session.query(&mut rng).expect("a query");
                let instance = *session.pending_instance().expect("pending");
                let truth = colors::one_hot_explanation(Rule::Zero, &instance);
                let corrected = correct_explanation(&query.explanation, &truth, 4);
                session
                    .give_feedback(u8::from(Rule::Zero.holds(&instance)), Some(corrected), &mut rng)
                    .expect("feedback");
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn iterations(c: &mut Criterion) {
    iteration::<1>(c, "depth 1");
}

criterion_group!(benches, exact_explanation, adam_step, iterations);
criterion_main!(benches);
