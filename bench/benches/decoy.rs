//! Criterion benchmarks of the decoy Fashion-MNIST network (784-50-30-10) on
//! one thread: a prediction, an explanation (input gradient), and the
//! gradient of a 128-image half-batch (what each of the two training threads
//! computes per step) with cross-entropy alone and with the input-gradient
//! penalty. Images are synthetic with Fashion-MNIST's share of background
//! (half the pixels zero), since the network skips zero inputs.

use criterion::{Criterion, criterion_group, criterion_main};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;
use xil_bench::protocols::decoy_fashion::{Input, Network, patch};
use xil_core::nn::mlp::{MlpExample, MlpLoss};
use xil_core::random::{uniform_below, uniform_f32};

fn images(count: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<Input> {
    (0..count)
        .map(|_| Input::from_fn(|_, _| if uniform_f32(rng) < 0.5 { 0.0 } else { uniform_below(rng, 256) as f32 }))
        .collect()
}

fn network(c: &mut Criterion) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let model = Box::new(Network::new(0.1, &mut rng).expect("a network"));
    let inputs = images(128, &mut rng);
    let decoy = patch(0);
    let examples: Vec<MlpExample<784>> =
        inputs.iter().enumerate().map(|(i, x)| MlpExample { x, label: (i % 10) as u8, irrelevant: &decoy }).collect();
    let mut gradient = Box::new(Network::zeros());
    c.bench_function("mlp predict", |b| b.iter(|| model.predict(black_box(&inputs[0]))));
    c.bench_function("mlp input gradient", |b| b.iter(|| model.input_gradient(black_box(&inputs[0]), 3)));
    let right_reasons = MlpLoss::right_reasons(1000.0).expect("a loss");
    for (name, loss) in [("cross-entropy", MlpLoss::cross_entropy()), ("input-gradient penalty", right_reasons)] {
        c.bench_function(&format!("mlp gradient of 128 images, {name}"), |b| {
            b.iter(|| {
                gradient.set_zero();
                loss.accumulate(&model, black_box(&examples), &mut gradient).expect("a gradient")
            })
        });
    }
}

criterion_group!(benches, network);
criterion_main!(benches);
