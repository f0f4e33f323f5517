//! xil-core on a Cortex-M4F (or M3): an interactive CAIPI session on colors
//! images generated on the device, and micro-benchmarks of its parts.
//!
//! Everything lives in fixed buffers: a pool of 300 images and 200 test
//! images in static RAM, a labelled set of 256 examples inside the session.
//! Output goes through semihosting, integers only (float formatting would add
//! ~25 KB of flash to the ML code's footprint): lines `region NAME stack
//! BYTES` (in the order the QEMU plugin counts them) and `session ...`.
//! The exit status is failure when the session fails or corrections do not
//! raise the explanation F1. With `--features cnn` it runs the 8x8-digit
//! convolutional network instead, with `--features bayes` the Bayesian one
//! (each a separate footprint), with `--features senn` CALIMOCHO's
//! self-explaining network on a 256 KB-RAM memory map.

#![no_std]
#![no_main]

#[cfg(feature = "bayes")]
mod bayes;
#[cfg(feature = "cnn")]
mod cnn;
#[cfg(any(feature = "cnn", feature = "bayes"))]
mod digit;
mod measure;
#[cfg(feature = "senn")]
mod senn;
#[cfg(not(any(feature = "baseline", feature = "cnn", feature = "bayes", feature = "senn")))]
mod workloads;

use cortex_m_rt::entry;
use cortex_m_semihosting::debug;
use panic_semihosting as _;

#[entry]
fn main() -> ! {
    #[cfg(not(any(feature = "baseline", feature = "cnn", feature = "bayes", feature = "senn")))]
    let ok = workloads::run();
    #[cfg(all(feature = "cnn", not(any(feature = "baseline", feature = "bayes", feature = "senn"))))]
    let ok = cnn::run();
    #[cfg(all(feature = "bayes", not(any(feature = "baseline", feature = "senn"))))]
    let ok = bayes::run();
    #[cfg(all(feature = "senn", not(feature = "baseline")))]
    let ok = senn::run();
    #[cfg(feature = "baseline")]
    let ok = {
        // The same runtime and printing, no ML: its footprint is subtracted.
        measure::region("calibration", || ());
        cortex_m_semihosting::hprintln!("session corrections={} f1_milli={}", "on", 0u32);
        true
    };
    debug::exit(if ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    #[allow(clippy::empty_loop)]
    loop {}
}
