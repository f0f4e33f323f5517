//! The Bayesian 8x8-digit network on the device (seed 003's recipe at the
//! device's size): one Monte Carlo sample of its prediction, the predictive
//! distribution of ten, and the feedback's selection of activations from a
//! mask of irrelevant pixels. A firmware of its own (`--features bayes`), so
//! that its flash, RAM and stack are measured apart. (The gradient of one
//! example's negative ELBO does not fit: the network and a gradient take 27
//! KB of static RAM, and the passes' traces and variance layers more stack
//! than the 64 KB leave.)

use crate::digit::seven;
use crate::measure::region;
use core::mem::MaybeUninit;
use cortex_m_semihosting::hprintln;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;
use xil_core::Error;
use xil_core::nn::bayes::feedback::{adaptive_max_pool, selected_activations};
use xil_core::nn::cnn::{BayesDigitsCnn, Tensor, Vector};

/// Seed of the network's weights and noise.
const SEED: u64 = 8;

/// The second convolution's pre-activations: where the evidence goes.
type Activations = Tensor<4, 6, 6>;

/// The network's static RAM.
static mut MODEL: MaybeUninit<BayesDigitsCnn> = MaybeUninit::uninit();

/// The network, zeroed and drawn in place in static RAM: it never sits on
/// the stack, whose room the passes need. Called once.
#[inline(never)]
fn network() -> &'static mut BayesDigitsCnn {
    // SAFETY: called once, before any other use of the static, so this is its
    // only reference; every field of the network is an array of `f32`, for
    // which all-zero bytes are the valid value 0.0.
    let model = unsafe {
        let model = (&raw mut MODEL).cast::<BayesDigitsCnn>();
        model.write_bytes(0, 1);
        &mut *model
    };
    model.initialize(&mut Xoshiro128PlusPlus::seed_from_u64(SEED));
    model
}

// Each workload is a function of its own, kept out of its caller, so that the
// stack measured for one does not include the others' frames.

#[inline(never)]
fn one_sample(model: &mut BayesDigitsCnn, x: &Tensor<1, 8, 8>, rng: &mut Xoshiro128PlusPlus) -> usize {
    model.sample_noise(rng);
    model.predict(x)
}

#[inline(never)]
fn predictive(model: &mut BayesDigitsCnn, x: &Tensor<1, 8, 8>, rng: &mut Xoshiro128PlusPlus) -> Vector<10> {
    model.predictive(x, 10, rng)
}

#[inline(never)]
fn evidence(model: &BayesDigitsCnn, x: &Tensor<1, 8, 8>, irrelevant: &[bool; 64]) -> Activations {
    let pooled = adaptive_max_pool::<8, 8, 6, 6>(irrelevant);
    selected_activations(&pooled, &model.activation_gradient(x))
}

/// The workloads on [`seven`], the left two columns marked irrelevant.
#[inline(never)]
fn bayes_benchmarks() -> Result<(), Error> {
    let model = network();
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED + 1);
    let x = Tensor::<1, 8, 8>::from_slice(&seven());
    let irrelevant: [bool; 64] = core::array::from_fn(|i| i % 8 < 2);
    let class = region("Bayesian CNN 8x8: one MC sample (noise drawn, predict)", || one_sample(model, &x, &mut rng));
    region("Bayesian CNN 8x8: predictive distribution, 10 MC samples", || predictive(model, &x, &mut rng));
    model.clear_noise();
    let selected =
        region("Bayesian CNN 8x8: feedback, the activations a mask selects", || evidence(model, &x, &irrelevant));
    // The predicted class is a class; the selection is of activations the
    // mask overlaps (the two left columns pool into the maps' first column).
    if class >= 10 || selected.as_slice().iter().all(|&s| s == 0.0) {
        return Err(Error::InvalidState);
    }
    Ok(())
}

/// Runs the Bayesian workloads; `false` on any failure.
pub fn run() -> bool {
    region("calibration", || ());
    match bayes_benchmarks() {
        Ok(()) => true,
        Err(error) => {
            hprintln!("error in Bayesian benchmarks: {}", error);
            false
        }
    }
}
