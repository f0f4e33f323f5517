//! The 8x8-digit convolutional network on the device: predict and explain
//! one digit. A firmware of its own (`--features cnn`), so that its flash,
//! RAM and stack are measured apart from the CAIPI session's.

use crate::digit::seven;
use crate::measure::region;
use cortex_m_semihosting::hprintln;
use nalgebra::SVector;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;
use xil_core::Error;
use xil_core::explain::attribution::{Attribution, DeepLift, GradCam, Saliency};
use xil_core::nn::cnn::{DigitsCnn, Tensor};

/// Seed of the network's weights.
const SEED: u64 = 8;

/// The device's network in static RAM (11 KB the stack need not hold),
/// drawn in place; its own frame, so that no temporary of the construction
/// stays on the stack during the measured regions.
#[inline(never)]
fn digits_network() -> Option<&'static mut DigitsCnn> {
    let model = cortex_m::singleton!(: DigitsCnn = DigitsCnn::zeros())?;
    model.initialize(&mut Xoshiro128PlusPlus::seed_from_u64(SEED));
    Some(model)
}

// Each workload is a function of its own, kept out of its caller, so that the
// stack measured for one does not include the others' frames.

#[inline(never)]
fn predict(model: &DigitsCnn, x: &SVector<f32, 64>) -> usize {
    model.predict(&Tensor::<1, 8, 8>::from_slice(x.as_slice()))
}

#[inline(never)]
fn saliency(model: &DigitsCnn, x: &SVector<f32, 64>, class: usize) -> Result<SVector<f32, 64>, Error> {
    Saliency.attribute(model, x, class)
}

#[inline(never)]
fn grad_cam(model: &DigitsCnn, x: &SVector<f32, 64>, class: usize) -> Result<SVector<f32, 64>, Error> {
    GradCam.attribute(model, x, class)
}

#[inline(never)]
fn deeplift(model: &DigitsCnn, x: &SVector<f32, 64>, class: usize) -> Result<SVector<f32, 64>, Error> {
    DeepLift { reference: SVector::zeros() }.attribute(model, x, class)
}

/// The device's convolutional network on one `8 x 8` digit: predict,
/// saliency, Grad-CAM and `DeepLIFT`. The weights are drawn at random (the
/// instruction counts depend on their values only through which `ReLU`s are
/// active); the digit is [`seven`].
#[inline(never)]
fn cnn_benchmarks() -> Result<(), Error> {
    let model = &*digits_network().ok_or(Error::InvalidState)?;
    let x = SVector::<f32, 64>::from(seven());
    let class = region("CNN 8x8: predict (conv 3x3x8, pool, 72-32-10)", || predict(model, &x));
    region("CNN 8x8: saliency", || saliency(model, &x, class))?;
    region("CNN 8x8: Grad-CAM", || grad_cam(model, &x, class))?;
    region("CNN 8x8: DeepLIFT (black reference)", || deeplift(model, &x, class))?;
    Ok(())
}

/// Runs the CNN workloads; `false` on any failure.
pub fn run() -> bool {
    region("calibration", || ());
    match cnn_benchmarks() {
        Ok(()) => true,
        Err(error) => {
            hprintln!("error in CNN benchmarks: {}", error);
            false
        }
    }
}
