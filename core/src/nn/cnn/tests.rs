//! Whole networks: cross-entropy gradients against finite differences,
//! `DeepLIFT`'s completeness, Grad-CAM against its definition, the papers'
//! parameter counts, and a network that learns.

use super::architectures::{AlexCnn, BayesDigitsCnn, BayesLeNet5, DigitsCnn, LeNet5};
use super::testing::input;
use super::*;
use crate::Adam;
use crate::explain::attribution::{Attribution, DeepLift, Differentiable, GradCam};
use nalgebra::SVector;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

extern crate std;

type SmallFeatures = Chain<Conv2d<1, 2, 3, 6, 6, 4, 4>, Relu<2, 4, 4>>;
type SmallHead =
    Chain<MaxPool2<2, 4, 4, 2, 2>, Chain<Flatten<2, 2, 2, 8>, Chain<Dense<8, 5>, Chain<Relu<5, 1, 1>, Dense<5, 3>>>>>;

/// Every kind of layer, small enough to check every parameter.
type Small = Classifier<SmallFeatures, SmallHead>;

fn small() -> Small {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(21);
    Small::new(&mut rng)
}

fn images() -> [Tensor<1, 6, 6>; 3] {
    let base: Tensor<1, 6, 6> = input();
    core::array::from_fn(|k| {
        let mut x = base;
        for (i, v) in x.as_mut_slice().iter_mut().enumerate() {
            *v = libm::sinf(*v * (k as f32 + 1.0) + i as f32 * 0.11);
        }
        x
    })
}

#[test]
fn cross_entropy_gradients_match_finite_differences() {
    let model = small();
    let xs = images();
    let examples: [ClassifierExample<'_, Tensor<1, 6, 6>>; 3] =
        core::array::from_fn(|i| ClassifierExample { x: &xs[i], label: i as u8 });
    let mut gradient = Small::zeros();
    let loss = model.accumulate(&examples, &mut gradient).unwrap();
    approx::assert_abs_diff_eq!(loss, model.loss(&examples).unwrap(), epsilon = 1e-5);
    let blocks = gradient.parameters().count();
    let mut checked = 0;
    for block in 0..blocks {
        let exact: &[f32] = gradient.parameters().nth(block).unwrap();
        for (index, &exact) in exact.iter().enumerate() {
            let moved = |delta: f32| {
                let mut moved = model.clone();
                moved.parameters_mut().nth(block).unwrap()[index] += delta;
                f64::from(moved.loss(&examples).unwrap())
            };
            let numeric = ((moved(1e-3) - moved(-1e-3)) / 2e-3) as f32;
            assert!(
                (numeric - exact).abs() < 3e-3 * (1.0 + exact.abs()),
                "block {block}, {index}: {exact} vs {numeric}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, model.parameter_count());
    assert!(gradient.parameters().flatten().any(|g| g.abs() > 1e-2), "a zero gradient checks nothing");
}

#[test]
fn the_right_reasons_penalty_gradient_matches_finite_differences() {
    let model = small();
    let x = images()[2];
    // The left half of the image must not matter.
    let mut irrelevant = Tensor::<1, 6, 6>::zeros();
    for (i, a) in irrelevant.as_mut_slice().iter_mut().enumerate() {
        *a = if i % 6 < 3 { 1.0 } else { 0.0 };
    }
    let weight = 30.0;
    // The input gradient of Σ log p against central differences.
    let g = model.log_probability_sum_gradient(&x);
    let sum = |x: &Tensor<1, 6, 6>| f64::from(model.log_probabilities(x).as_slice().iter().sum::<f32>());
    for i in 0..36 {
        let (mut up, mut down) = (x, x);
        up.as_mut_slice()[i] += 1e-3;
        down.as_mut_slice()[i] -= 1e-3;
        approx::assert_abs_diff_eq!(((sum(&up) - sum(&down)) / 2e-3) as f32, g.as_slice()[i], epsilon = 2e-3);
    }
    let mut gradient = Small::zeros();
    let value = model.accumulate_right_reasons(&x, &irrelevant, weight, &mut gradient).unwrap();
    approx::assert_abs_diff_eq!(value, model.right_reasons_penalty(&x, &irrelevant, weight).unwrap(), epsilon = 1e-6);
    assert!(value > 1e-2, "a vanishing penalty checks nothing: {value}");
    let mut checked = 0;
    for block in 0..gradient.parameters().count() {
        let exact: &[f32] = gradient.parameters().nth(block).unwrap();
        for (index, &exact) in exact.iter().enumerate() {
            let moved = |delta: f32| {
                let mut moved = model.clone();
                moved.parameters_mut().nth(block).unwrap()[index] += delta;
                f64::from(moved.right_reasons_penalty(&x, &irrelevant, weight).unwrap())
            };
            let numeric = ((moved(1e-3) - moved(-1e-3)) / 2e-3) as f32;
            assert!(
                (numeric - exact).abs() < 1e-2 * (1.0 + exact.abs()),
                "block {block}, {index}: {exact} vs {numeric}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, model.parameter_count());
    assert!(gradient.parameters().flatten().any(|g| g.abs() > 1e-2), "a zero gradient checks nothing");
    // A mask of zeros has no penalty and adds nothing.
    let mut none = Small::zeros();
    assert_eq!(model.accumulate_right_reasons(&x, &Tensor::zeros(), weight, &mut none), Ok(0.0));
    assert!(none.parameters().flatten().all(|&g| g == 0.0));
    assert_eq!(
        model.right_reasons_penalty(&x, &irrelevant, -1.0),
        Err(crate::Error::InvalidParameter { name: "weight" })
    );
}

#[test]
fn input_gradients_match_finite_differences() {
    let model = small();
    let x = SVector::<f32, 36>::from_column_slice(images()[1].as_slice());
    for class in 0..3 {
        let gradient = model.logit_gradient_of(&x, class);
        assert!(gradient.norm() > 1e-2);
        for i in 0..36 {
            let mut up = x;
            up[i] += 1e-3;
            let mut down = x;
            down[i] -= 1e-3;
            let numeric = (model.logit(&up, class).unwrap() - model.logit(&down, class).unwrap()) / 2e-3;
            approx::assert_abs_diff_eq!(numeric, gradient[i], epsilon = 2e-3);
        }
    }
}

trait LogitGradient {
    fn logit_gradient_of(&self, x: &SVector<f32, 36>, class: usize) -> SVector<f32, 36>;
}

impl LogitGradient for Small {
    fn logit_gradient_of(&self, x: &SVector<f32, 36>, class: usize) -> SVector<f32, 36> {
        Differentiable::logit_gradient(self, x, class).unwrap()
    }
}

#[test]
fn deeplift_is_complete_through_convolutions_and_pooling() {
    let model = small();
    let x = SVector::<f32, 36>::from_column_slice(images()[2].as_slice());
    let reference = SVector::<f32, 36>::from_column_slice(images()[0].as_slice());
    for class in 0..3 {
        let attribution = DeepLift { reference }.attribute(&model, &x, class).unwrap();
        let change = model.logit(&x, class).unwrap() - model.logit(&reference, class).unwrap();
        approx::assert_abs_diff_eq!(attribution.sum(), change, epsilon = 1e-4);
    }
    // LeNet-5 against a black image.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let lenet = std::boxed::Box::new(LeNet5::new(&mut rng));
    let digit = SVector::<f32, 784>::from_fn(|i, _| if (i / 28 + i % 28) % 5 < 2 { 0.9 } else { 0.0 });
    let zero = SVector::zeros();
    for class in [0, 7] {
        let attribution = DeepLift { reference: zero }.attribute(&*lenet, &digit, class).unwrap();
        let change = lenet.logit(&digit, class).unwrap() - lenet.logit(&zero, class).unwrap();
        assert!(change.abs() > 1e-3);
        approx::assert_abs_diff_eq!(attribution.sum(), change, epsilon = 1e-4);
    }
}

#[test]
fn grad_cam_weighs_the_maps_by_their_mean_gradient() {
    let model = small();
    let x = images()[1];
    let flat = SVector::<f32, 36>::from_column_slice(x.as_slice());
    let class = 2;
    let cam = GradCam.attribute(&model, &flat, class).unwrap();
    // The definition, with the gradient with respect to the 4 x 4 maps taken
    // by finite differences of the head.
    let maps = *<SmallFeatures as Network>::output(&model.features.trace(&x));
    let head_logit = |maps: &Tensor<2, 4, 4>| <SmallHead as Network>::output(&model.head.trace(maps)).as_slice()[class];
    let mut expected = [0.0f32; 16];
    for channel in 0..2 {
        let mut weight = 0.0;
        for cell in 0..16 {
            let mut up = maps;
            up.as_mut_slice()[channel * 16 + cell] += 1e-3;
            let mut down = maps;
            down.as_mut_slice()[channel * 16 + cell] -= 1e-3;
            weight += (head_logit(&up) - head_logit(&down)) / 2e-3 / 16.0;
        }
        for (cell, sum) in expected.iter_mut().enumerate() {
            *sum += weight * maps.as_slice()[channel * 16 + cell];
        }
    }
    assert!(expected.iter().any(|&v| v > 1e-3), "an all-zero map checks nothing");
    // Nearest upsampling from 4 x 4 to 6 x 6: pixel (r, c) shows cell (4r/6, 4c/6).
    for r in 0..6 {
        for c in 0..6 {
            let cell = (r * 4 / 6) * 4 + c * 4 / 6;
            approx::assert_abs_diff_eq!(cam[r * 6 + c], expected[cell].max(0.0), epsilon = 2e-3);
        }
    }
}

#[test]
fn the_papers_networks_have_their_parameter_counts() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
    assert_eq!(LeNet5::new(&mut rng).parameter_count(), 61_706);
    assert_eq!(DigitsCnn::new(&mut rng).parameter_count(), 2_746);
    // A mean and a ρ per weight of LeNet-5 (1 MB with the kept variances
    // and slopes: built on a thread with room for it).
    let bayes = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
            BayesLeNet5::new(&mut rng).parameters().map(<[f32]>::len).sum::<usize>()
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(bayes, 2 * 61_706);
    let device = BayesDigitsCnn::new(&mut rng);
    assert_eq!(device.parameters().map(<[f32]>::len).sum::<usize>(), 2 * 950);
    // ALEX's network is 11 MB: build it on a thread with room for it.
    let alex = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| AlexCnn::zeros().parameter_count())
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(alex, 2_770_634);
}

/// Class `k`: a bright vertical bar in column `k + 1` (`k < 6`), with noise.
fn bar(rng: &mut Xoshiro256PlusPlus, k: usize) -> Tensor<1, 8, 8> {
    let mut x = Tensor::<1, 8, 8>::zeros();
    for (i, v) in x.as_mut_slice().iter_mut().enumerate() {
        *v = 0.3 * crate::random::uniform_f32(rng) + if i % 8 == k + 1 { 1.0 } else { 0.0 };
    }
    x
}

/// A labelled `8 x 8` image.
type Bar = (Tensor<1, 8, 8>, u8);

/// 120 training and 60 test bars.
fn bars(rng: &mut Xoshiro256PlusPlus) -> ([Bar; 120], [Bar; 60]) {
    let train = core::array::from_fn(|i| (bar(rng, i % 6), (i % 6) as u8));
    (train, core::array::from_fn(|i| (bar(rng, i % 6), (i % 6) as u8)))
}

#[test]
fn the_bayesian_digits_network_learns_where_a_bar_is() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
    let (train, test) = bars(&mut rng);
    let mut model = BayesDigitsCnn::new(&mut rng);
    // KL / n as for 10,000 examples: with n = 120 the KL of 950 weights
    // (about 50 nats per example) would outweigh the labels' 2.3.
    let mut trainer = crate::nn::bayes::BayesTrainer::new(Adam::default(), 0.1, 10_000).unwrap();
    let mut gradient = BayesDigitsCnn::zeros();
    let examples: [crate::nn::bayes::BayesExample<'_, Tensor<1, 8, 8>, Tensor<4, 6, 6>>; 120] =
        core::array::from_fn(|i| crate::nn::bayes::BayesExample { x: &train[i].0, label: train[i].1, evidence: None });
    let mut first = None;
    let mut last = 0.0;
    for _ in 0..60 {
        for batch in examples.chunks(20) {
            let (terms, _) = trainer.step(&mut model, batch, 1, &mut rng, &mut gradient).unwrap();
            first.get_or_insert(terms.label);
            last = terms.label;
        }
    }
    let first = first.unwrap();
    let correct = test
        .iter()
        .filter(|(x, y)| {
            let p = model.predictive(x, 10, &mut rng);
            super::classifier::argmax(p.as_slice()) == usize::from(*y)
        })
        .count();
    assert!(last < 0.2 * first, "label loss {first} -> {last}");
    assert!(correct >= 55, "{correct} of 60");
}

#[test]
fn the_digits_network_learns_where_a_bar_is() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let (train, test) = bars(&mut rng);
    let mut model = DigitsCnn::new(&mut rng);
    let mut trainer = ClassifierTrainer::new(Adam::default(), 0.0).unwrap();
    let mut gradient = DigitsCnn::zeros();
    let examples: [ClassifierExample<'_, Tensor<1, 8, 8>>; 120] =
        core::array::from_fn(|i| ClassifierExample { x: &train[i].0, label: train[i].1 });
    let first = model.loss(&examples).unwrap();
    for _ in 0..30 {
        for batch in examples.chunks(20) {
            trainer.step(&mut model, batch, &mut gradient).unwrap();
        }
    }
    let last = model.loss(&examples).unwrap();
    let correct = test.iter().filter(|(x, y)| model.predict(x) == usize::from(*y)).count();
    assert!(last < 0.1 * first, "loss {first} -> {last}");
    assert!(correct >= 57, "{correct} of 60");
    let bad = [ClassifierExample { x: &train[0].0, label: 10 }];
    assert_eq!(model.loss(&bad), Err(crate::Error::InvalidLabel { label: 10 }));
}
