//! The Bayesian layer against independent truths: central finite
//! differences (with noise drawn), the closed-form KL against a Monte Carlo
//! estimate, and the local reparameterisation's mean and variance against
//! layers with sampled weights. The statistical checks allow 5 standard
//! errors: a correct implementation fails one with probability below 6e-7.

extern crate std;

use super::gaussian::{kl, kl_gradient, sigma};
use super::*;
use crate::nn::cnn::testing::{check_gradients_at, input};
use crate::nn::cnn::{Conv2d, Dense, Layer, Tensor, Values, Vector};
use crate::random::standard_normal;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::vec::Vec;

/// A layer with sizeable spreads (`ρ` around -1, `σ` around 0.3) and its
/// noise drawn.
fn noisy<L: Layer>(seed: u64) -> Bayesian<L> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut layer = Bayesian::<L>::zeros();
    layer.initialize(&mut rng);
    for (i, r) in layer.parameters_mut().skip(2).flatten().enumerate() {
        *r = -1.0 + 0.3 * libm::sinf(i as f32);
    }
    layer.sample_noise(&mut rng);
    layer
}

#[test]
fn gradients_with_noise_match_finite_differences() {
    check_gradients_at(&noisy::<Dense<7, 4>>(1), input());
    check_gradients_at(&noisy::<Conv2d<2, 3, 3, 6, 5, 4, 3>>(2), input());
    check_gradients_at(&noisy::<Conv2d<1, 2, 5, 7, 6, 7, 6>>(3), input());
}

#[test]
fn the_kl_gradient_matches_finite_differences() {
    for (mu, rho) in [(0.3f32, -1.0f32), (-0.05, -5.0), (0.0, 2.0)] {
        let (d_mu, d_rho) = kl_gradient(mu, rho, 0.1);
        let h = 1e-3f32;
        let numeric = |f: &dyn Fn(f32) -> f32| (f64::from(f(h)) - f64::from(f(-h))) / (2.0 * f64::from(h));
        let by_mu = numeric(&|d| kl(mu + d, rho, 0.1));
        let by_rho = numeric(&|d| kl(mu, rho + d, 0.1));
        assert!((by_mu - f64::from(d_mu)).abs() < 1e-2 * (1.0 + by_mu.abs()), "μ: {by_mu} vs {d_mu}");
        assert!((by_rho - f64::from(d_rho)).abs() < 1e-2 * (1.0 + by_rho.abs()), "ρ: {by_rho} vs {d_rho}");
    }
    // The layer's gradient is the sum over its weights.
    let layer = noisy::<Dense<3, 2>>(4);
    let mut gradient = Bayesian::<Dense<3, 2>>::zeros();
    layer.add_kl_gradient(0.1, 2.0, &mut gradient);
    let mut moved = layer.clone();
    moved.parameters_mut().next().unwrap()[0] += 1e-3;
    let slope = (f64::from(moved.kl(0.1)) - f64::from(layer.kl(0.1))) / 1e-3;
    let analytic = f64::from(gradient.parameters().next().unwrap()[0]) / 2.0;
    assert!((slope - analytic).abs() < 1e-2 * (1.0 + analytic.abs()), "{slope} vs {analytic}");
}

#[test]
fn the_closed_form_kl_is_the_monte_carlo_estimate() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    for (mu, rho, prior) in [(0.05f64, -3.0f32, 0.1f64), (-0.2, -1.5, 0.1), (0.0, 0.5, 1.0)] {
        let s = f64::from(sigma(rho));
        let log_density = |w: f64, m: f64, sd: f64| -0.5 * ((w - m) / sd).powi(2) - sd.ln();
        let n = 200_000;
        let terms: Vec<f64> = (0..n)
            .map(|_| {
                let w = mu + s * f64::from(standard_normal(&mut rng));
                log_density(w, mu, s) - log_density(w, 0.0, prior)
            })
            .collect();
        let mean = terms.iter().sum::<f64>() / n as f64;
        let spread = (terms.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        let closed = f64::from(kl(mu as f32, rho, prior as f32));
        let error = spread / (n as f64).sqrt();
        assert!((mean - closed).abs() < 5.0 * error + 1e-6, "KL {closed} vs Monte Carlo {mean} ± {error}");
    }
}

#[test]
fn the_reparameterised_activations_have_the_sampled_weights_mean_and_variance() {
    type Linear = Dense<5, 3>;
    let layer = noisy::<Linear>(6);
    let x = Vector::<5>::from_slice(&[0.5, -1.0, 2.0, 0.0, 1.5]);
    let mut mean = Vector::<3>::zeros();
    layer.mean().forward(&x, &mut mean);
    let variance_layer = layer.variance_layer();
    let mut squared = x;
    squared.as_mut_slice().iter_mut().for_each(|v| *v *= *v);
    let mut variance = Vector::<3>::zeros();
    variance_layer.forward(&squared, &mut variance);
    // Layers with every weight drawn from its posterior, and the Bayesian
    // layer with its noise drawn: both must match (m, v).
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let n = 100_000;
    let means: Vec<f32> = layer.mean().parameters().flatten().copied().collect();
    let sigmas: Vec<f32> = layer.rho().parameters().flatten().map(|&r| sigma(r)).collect();
    let mut by_weights = [[0.0f64; 2]; 3];
    let mut by_noise = [[0.0f64; 2]; 3];
    let mut drawn = Linear::zeros();
    let mut sampler = layer.clone();
    for _ in 0..n {
        for (w, (&m, &s)) in drawn.parameters_mut().flatten().zip(means.iter().zip(&sigmas)) {
            *w = m + s * standard_normal(&mut rng);
        }
        let mut y = Vector::<3>::zeros();
        drawn.forward(&x, &mut y);
        sampler.sample_noise(&mut rng);
        let mut z = Vector::<3>::zeros();
        sampler.forward(&x, &mut z);
        for o in 0..3 {
            let (a, b) = (f64::from(y.as_slice()[o]), f64::from(z.as_slice()[o]));
            by_weights[o][0] += a;
            by_weights[o][1] += a * a;
            by_noise[o][0] += b;
            by_noise[o][1] += b * b;
        }
    }
    for o in 0..3 {
        let (m, v) = (f64::from(mean.as_slice()[o]), f64::from(variance.as_slice()[o]));
        for (name, sums) in [("sampled weights", by_weights[o]), ("reparameterised", by_noise[o])] {
            let sample_mean = sums[0] / n as f64;
            let sample_variance = (sums[1] - n as f64 * sample_mean * sample_mean) / (n - 1) as f64;
            let mean_error = (v / n as f64).sqrt();
            let variance_error = v * (2.0 / (n - 1) as f64).sqrt();
            assert!((sample_mean - m).abs() < 5.0 * mean_error, "{name}, output {o}: mean {sample_mean} vs {m}");
            assert!(
                (sample_variance - v).abs() < 5.0 * variance_error,
                "{name}, output {o}: variance {sample_variance} vs {v}"
            );
        }
    }
}

#[test]
fn without_noise_a_network_is_its_mean_and_the_kl_adds_up_over_layers() {
    let mut layer = noisy::<Conv2d<1, 2, 3, 5, 5, 3, 3>>(8);
    let x: Tensor<1, 5, 5> = input();
    layer.clear_noise();
    let (mut y, mut mean) = (Tensor::<2, 3, 3>::zeros(), Tensor::<2, 3, 3>::zeros());
    layer.forward(&x, &mut y);
    layer.mean().forward(&x, &mut mean);
    assert_eq!(y, mean);
    let by_weight: f32 =
        layer.mean().parameters().flatten().zip(layer.rho().parameters().flatten()).map(|(&m, &r)| kl(m, r, 0.1)).sum();
    assert!((layer.kl(0.1) - by_weight).abs() < 1e-3 * by_weight.abs());
    // A deterministic layer has no KL and no noise.
    assert_eq!(Layer::kl(&Dense::<3, 2>::zeros(), 0.1), 0.0);
}

/// Checks [`Bayesian::add_evidence_gradient`] against central differences of
/// the evidence's log-likelihood, by input and by parameter.
fn check_evidence_gradient<L: Layer>(layer: &Bayesian<L>, x: L::Input, selected: &L::Output) {
    let mut dx = L::Input::zeros();
    let mut gradient = Bayesian::<L>::zeros();
    layer.add_evidence_gradient(&x, selected, 1.0, &mut dx, &mut gradient);
    let h = 1e-3f32;
    let numeric = |f: &dyn Fn(f32) -> f32| ((f64::from(f(h)) - f64::from(f(-h))) / (2.0 * f64::from(h))) as f32;
    let close = |a: f32, b: f32| (a - b).abs() < 5e-3 * (1.0 + b.abs());
    for (i, &exact) in dx.as_slice().iter().enumerate() {
        let estimate = numeric(&|d| {
            let mut moved = x.clone();
            moved.as_mut_slice()[i] += d;
            layer.evidence_log_likelihood(&moved, selected)
        });
        assert!(close(estimate, exact), "input {i}: analytic {exact}, numeric {estimate}");
    }
    let blocks = gradient.parameters().count();
    for block in 0..blocks {
        let exact_block: Vec<f32> = gradient.parameters().nth(block).unwrap().to_vec();
        for (index, &exact) in exact_block.iter().enumerate() {
            let estimate = numeric(&|d| {
                let mut moved = layer.clone();
                moved.parameters_mut().nth(block).unwrap()[index] += d;
                moved.evidence_log_likelihood(&x, selected)
            });
            assert!(close(estimate, exact), "block {block}, parameter {index}: analytic {exact}, numeric {estimate}");
        }
    }
}

#[test]
fn the_evidence_gradient_matches_finite_differences() {
    let selected = Vector::<4>::from_slice(&[1.0, 0.0, 1.0, 1.0]);
    check_evidence_gradient(&noisy::<Dense<7, 4>>(9), input(), &selected);
    let mut mask = Tensor::<3, 4, 3>::zeros();
    for (i, v) in mask.as_mut_slice().iter_mut().enumerate() {
        *v = f32::from(u8::from(i % 3 != 1));
    }
    check_evidence_gradient(&noisy::<Conv2d<2, 3, 3, 6, 5, 4, 3>>(10), input(), &mask);
    // Nothing selected: no evidence, no gradient.
    let layer = noisy::<Dense<7, 4>>(11);
    assert_eq!(layer.evidence_log_likelihood(&input(), &Vector::<4>::zeros()), 0.0);
}

mod classifier {
    use super::super::{BayesClassifier, BayesExample, BayesTrainer};
    use super::*;
    use crate::nn::adam::Adam;
    use crate::nn::cnn::{Chain, Flatten, Relu};

    type Front = Chain<Bayesian<Conv2d<1, 2, 3, 6, 6, 4, 4>>, Relu<2, 4, 4>>;
    type Last = Conv2d<2, 2, 3, 4, 4, 2, 2>;
    type Head = Chain<Relu<2, 2, 2>, Chain<Flatten<2, 2, 2, 8>, Bayesian<Dense<8, 3>>>>;
    type Tiny = BayesClassifier<Front, Last, Head>;

    /// A tiny network with sizeable spreads.
    fn tiny(seed: u64) -> Tiny {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut network = Tiny::new(&mut rng);
        network.front.first.set_rho(-1.5);
        network.conv.set_rho(-1.5);
        network.head.then.then.set_rho(-1.5);
        network
    }

    fn images() -> [Tensor<1, 6, 6>; 2] {
        let a: Tensor<1, 6, 6> = input();
        let mut b = a;
        b.as_mut_slice().iter_mut().enumerate().for_each(|(i, v)| *v = libm::cosf(i as f32 * 0.4) + 0.3);
        [a, b]
    }

    /// The summed negative log-likelihoods under the noise `rng` draws.
    fn loss(network: &Tiny, examples: &[BayesExample<'_, Tensor<1, 6, 6>, Tensor<2, 2, 2>>], seed: u64) -> f64 {
        let mut network = network.clone();
        let mut scratch = Tiny::zeros();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let terms = network.accumulate(examples, 2, &mut rng, &mut scratch).unwrap();
        f64::from(terms.label) + f64::from(terms.evidence)
    }

    #[test]
    fn elbo_gradients_with_and_without_evidence_match_finite_differences() {
        let network = tiny(20);
        let [a, b] = images();
        let mut selected = Tensor::<2, 2, 2>::zeros();
        selected.0[0] = [[1.0, 0.0], [1.0, 1.0]];
        selected.0[1] = [[0.0, 1.0], [1.0, 0.0]];
        for evidence in [None, Some(&selected)] {
            let examples =
                [BayesExample { x: &a, label: 2, evidence }, BayesExample { x: &b, label: 0, evidence: None }];
            let mut gradient = Tiny::zeros();
            let mut moved = network.clone();
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(21);
            moved.accumulate(&examples, 2, &mut rng, &mut gradient).unwrap();
            let h = 2e-3f32;
            let blocks = gradient.parameters().count();
            for block in 0..blocks {
                let exact: Vec<f32> = gradient.parameters().nth(block).unwrap().to_vec();
                for (index, &exact) in exact.iter().enumerate() {
                    let at = |delta: f32| {
                        let mut shifted = network.clone();
                        shifted.parameters_mut().nth(block).unwrap()[index] += delta;
                        loss(&shifted, &examples, 21)
                    };
                    let numeric = ((at(h) - at(-h)) / (2.0 * f64::from(h))) as f32;
                    assert!(
                        (numeric - exact).abs() < 1e-2 * (1.0 + exact.abs()),
                        "evidence {}: block {block}, parameter {index}: analytic {exact}, numeric {numeric}",
                        evidence.is_some()
                    );
                }
            }
        }
    }

    #[test]
    fn training_on_the_elbo_learns_and_the_evidence_silences_the_selected_activations() {
        let [a, b] = images();
        let selected = {
            let mut s = Tensor::<2, 2, 2>::zeros();
            s.as_mut_slice().fill(1.0);
            s
        };
        let mut outcomes = Vec::new();
        for evidence in [None, Some(&selected)] {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(30);
            let mut network = Tiny::new(&mut rng);
            let mut trainer = BayesTrainer::new(Adam::default().learning_rate(0.01), 0.1, 1000).unwrap();
            let mut gradient = Tiny::zeros();
            let examples = [BayesExample { x: &a, label: 2, evidence }, BayesExample { x: &b, label: 0, evidence }];
            for _ in 0..400 {
                trainer.step(&mut network, &examples, 1, &mut rng, &mut gradient).unwrap();
            }
            let p = network.predictive(&a, 20, &mut rng);
            assert!((p.as_slice().iter().sum::<f32>() - 1.0).abs() < 1e-4);
            // The evidence's log-likelihood of all activations being 0.
            let front = crate::nn::cnn::Network::trace(&network.front, &a);
            let conv_input = <Front as crate::nn::cnn::Network>::output(&front);
            let evidence_fit = network.conv.evidence_log_likelihood(conv_input, &selected);
            outcomes.push((network.predict(&a), network.predict(&b), evidence_fit));
        }
        let (without, with) = (outcomes[0], outcomes[1]);
        assert_eq!((without.0, without.1), (2, 0), "the labels are learnt: {outcomes:?}");
        assert!(with.2 > without.2, "the evidence makes '= 0' likelier: {outcomes:?}");
    }

    #[test]
    fn attributions_of_the_means_network_keep_their_properties() {
        use crate::explain::attribution::{Differentiable, Rescaled};
        let mut network = tiny(40);
        let [a, b] = images();
        let x = nalgebra::SVector::<f32, 36>::from_column_slice(a.as_slice());
        let reference = nalgebra::SVector::<f32, 36>::from_column_slice(b.as_slice());
        // With noise drawn: the input gradient is the logit's slope.
        network.sample_noise(&mut Xoshiro256PlusPlus::seed_from_u64(41));
        let gradient = Differentiable::<36>::logit_gradient(&network, &x, 1).unwrap();
        for i in 0..36 {
            let h = 1e-3f32;
            let mut up = x;
            up[i] += h;
            let mut down = x;
            down[i] -= h;
            let slope = (Differentiable::<36>::logit(&network, &up, 1).unwrap()
                - Differentiable::<36>::logit(&network, &down, 1).unwrap())
                / (2.0 * h);
            assert!((slope - gradient[i]).abs() < 1e-2 * (1.0 + slope.abs()), "pixel {i}: {slope} vs {}", gradient[i]);
        }
        // The means' network: DeepLIFT's completeness, Σ (x - r) m = z(x) - z(r).
        network.clear_noise();
        let m = Rescaled::<36>::multipliers(&network, &x, &reference, 1).unwrap();
        let total: f32 = (x - reference).component_mul(&m).sum();
        let difference = Differentiable::<36>::logit(&network, &x, 1).unwrap()
            - Differentiable::<36>::logit(&network, &reference, 1).unwrap();
        assert!((total - difference).abs() < 1e-4 * (1.0 + difference.abs()), "{total} vs {difference}");
    }

    #[test]
    fn the_label_is_predicted_with_the_selected_activations_silenced() {
        // Every activation selected: the logits no longer depend on the image
        // (eq. 16 conditions the label on a_L = 0), under the same noise.
        let network = tiny(50);
        let [a, b] = images();
        let mut all = Tensor::<2, 2, 2>::zeros();
        all.as_mut_slice().fill(1.0);
        let label_term = |x: &Tensor<1, 6, 6>| {
            let mut network = network.clone();
            let mut scratch = Tiny::zeros();
            let examples = [BayesExample { x, label: 1, evidence: Some(&all) }];
            network.accumulate(&examples, 1, &mut Xoshiro256PlusPlus::seed_from_u64(51), &mut scratch).unwrap().label
        };
        assert_eq!(label_term(&a), label_term(&b));
        let unsilenced = |x: &Tensor<1, 6, 6>| {
            let mut network = network.clone();
            let mut scratch = Tiny::zeros();
            let examples = [BayesExample { x, label: 1, evidence: None }];
            network.accumulate(&examples, 1, &mut Xoshiro256PlusPlus::seed_from_u64(51), &mut scratch).unwrap().label
        };
        assert_ne!(unsilenced(&a), unsilenced(&b));
    }
}

#[test]
fn the_kept_variances_follow_every_change_of_rho() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
    let mut layer = Bayesian::<Dense<4, 3>>::zeros();
    layer.initialize(&mut rng);
    let expected = |layer: &Bayesian<Dense<4, 3>>| -> Vec<f32> {
        layer.rho().parameters().flatten().map(|&r| sigma(r) * sigma(r)).collect()
    };
    let kept = |layer: &Bayesian<Dense<4, 3>>| -> Vec<f32> {
        layer.variance_layer().parameters().flatten().copied().collect()
    };
    assert_eq!(kept(&layer), expected(&layer));
    let x = Vector::<4>::from_slice(&[0.5, -1.0, 2.0, 0.25]);
    layer.sample_noise(&mut rng);
    let mut before = Vector::<3>::zeros();
    layer.forward(&x, &mut before);
    // ρ changes through the parameters (as an optimiser's step does): the
    // next pass uses the new variances, before and after the next noise.
    for r in layer.parameters_mut().skip(2).flatten() {
        *r += 1.0;
    }
    assert_eq!(kept(&layer), expected(&layer));
    let mut after = Vector::<3>::zeros();
    layer.forward(&x, &mut after);
    assert_ne!(before, after, "a larger σ moves the same noise's sample");
    layer.sample_noise(&mut rng);
    assert_eq!(kept(&layer), expected(&layer));
    layer.set_rho(-2.0);
    assert_eq!(kept(&layer), std::vec![sigma(-2.0) * sigma(-2.0); 15]);
}
