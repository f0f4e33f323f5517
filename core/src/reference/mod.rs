//! The reference run: one seeded CAIPI session on colors images, driven by
//! the simulated user, whose numbers every platform must reproduce bit for
//! bit.
//!
//! Core promises the same numbers for the same seed on every target: its
//! random draws use 32-bit words whatever the pointer width, and its maths
//! is `libm`'s in `f32`, with no fused or reordered arithmetic. This run pins
//! that promise. The host tests run it and compare with golden values, and
//! the firmware runs the very same code on an emulated Cortex-M4F and prints
//! its [`Fingerprint`]. The device check compares the two.
//!
//! The loop is [`ReferenceRun::round`], one step at a time, so that a caller
//! can measure any single step (the firmware counts the instructions of
//! one). The same check guards the device itself: when a stack overflow on
//! the board corrupted its static buffers, the bits no longer matched.
//!
//! [`senn`] pins one CALIMOCHO step of a self-explaining network the same
//! way.

pub mod senn;

use crate::active::caipi::{Session, SessionConfig};
use crate::active::counterexamples::Counterexamples;
use crate::active::query::QueryStrategy;
use crate::active::user::SimulatedUser;
use crate::data::Example;
use crate::error::Error;
use crate::explain::Lime;
use crate::linear::svm::L1Svm;
use crate::metrics::{RunningMean, explanation_scores};
use crate::tasks::colors::{self, PAIRS, PIXELS, PairFeatures, Rule};
use rand_core::Rng;

/// Images in the pool.
pub const POOL: usize = 300;
/// Test images.
pub const TEST: usize = 200;
/// Labelled examples and counterexamples the session holds.
pub const CAPACITY: usize = 256;
/// Rounds of query, answer and refit.
pub const ROUNDS: usize = 40;
/// Seed of the pool and of the session's draws (the firmware and the host
/// test use `Xoshiro128PlusPlus`).
pub const SEED: u64 = 2026;
/// Seed of the test images.
pub const TEST_SEED: u64 = 2028;

/// The session the reference run drives: L1 SVM on pair features, LIME with
/// 1,000 samples, at most `N` labelled examples and counterexamples.
pub type ReferenceSession<'p, const N: usize> = Session<'p, colors::Image, PairFeatures, L1Svm, Lime, PAIRS, PIXELS, N>;

/// What a reference run measured, as exact bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    /// Rounds completed.
    pub rounds: u32,
    /// Bits of the running mean of the queries' explanation F1.
    pub running_f1_bits: u32,
    /// Test images the final model classifies correctly.
    pub correct: u32,
    /// Counterexamples added.
    pub counterexamples: u32,
    /// Bits of the final model's bias.
    pub bias_bits: u32,
    /// FNV-1a hash of the bits of every final weight, in order.
    pub weights_hash: u32,
}

impl core::fmt::Display for Fingerprint {
    /// `rounds=R running_f1_bits=0xXXXXXXXX correct=C counterexamples=K
    /// bias_bits=0xXXXXXXXX weights_hash=0xXXXXXXXX`: integers only, so a
    /// device prints it without float formatting.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "rounds={} running_f1_bits={:#010x} correct={} counterexamples={} bias_bits={:#010x} weights_hash={:#010x}",
            self.rounds, self.running_f1_bits, self.correct, self.counterexamples, self.bias_bits, self.weights_hash
        )
    }
}

/// Labelled images per class before the first query.
pub const INITIAL_PER_CLASS: usize = 3;

/// Fills `pool` with colors images drawn from `rng`.
pub fn fill<R: Rng>(pool: &mut [Example<colors::Image>], rng: &mut R) {
    for slot in pool.iter_mut() {
        *slot = colors::generate(rng);
    }
}

/// The session's configuration: k = 4, closest to the margin, default
/// counterexamples.
pub fn config() -> SessionConfig {
    SessionConfig::new(4, QueryStrategy::ClosestToMargin, Counterexamples::default())
}

/// The session's explainer: LIME with 1,000 samples.
pub const fn explainer() -> Lime {
    Lime::new().samples(1000)
}

/// The reference loop over a borrowed session: the simulated user knows
/// rule 0 and, with `corrections`, marks the explained pixels outside it.
pub struct ReferenceRun<'s, 'p, R, const N: usize> {
    session: &'s mut ReferenceSession<'p, N>,
    user: SimulatedUser<Rule>,
    corrections: bool,
    rng: R,
    f1: RunningMean,
    rounds: u32,
    buffer_full: bool,
}

impl<'s, 'p, R: Rng, const N: usize> ReferenceRun<'s, 'p, R, N> {
    /// A run on `session` that goes on drawing from `rng`.
    ///
    /// The caller builds the session in its own frame, from a pool given by
    /// [`fill`] and the same `rng`, with [`config`] and [`explainer`], and
    /// labels [`INITIAL_PER_CLASS`] images per class (see the crate's
    /// `tests/reference.rs`). On a device a session of several kilobytes
    /// must not be built in one frame and copied out to another: a helper
    /// that did so added 8.5 KB to the firmware's peak stack.
    pub fn new(session: &'s mut ReferenceSession<'p, N>, corrections: bool, rng: R) -> Self {
        let user = SimulatedUser::new(Rule::Zero);
        Self { session, user, corrections, rng, f1: RunningMean::new(), rounds: 0, buffer_full: false }
    }

    /// One query, answer and refit. `Ok(false)` when the labelled set is
    /// full and the run cannot go on.
    ///
    /// # Errors
    /// The session's errors (an exhausted pool).
    pub fn round(&mut self) -> Result<bool, Error> {
        let query = self.session.query(&mut self.rng)?;
        self.f1.push(explanation_scores(query.explanation.selected(), Rule::Zero.pixels()).f1);
        let instance = *self.session.pending_instance().ok_or(Error::InvalidState)?;
        let mut feedback = self.user.feedback(&instance, &query);
        if !self.corrections {
            feedback.irrelevant.clear();
        }
        let label = feedback.label;
        let user = self.user;
        match self.session.give_feedback(&feedback, |x| user.label(x) == label, &mut self.rng) {
            Ok(outcome) => {
                self.buffer_full |= outcome.buffer_full;
                self.rounds += 1;
                Ok(true)
            }
            Err(Error::CapacityExceeded) => {
                self.buffer_full = true;
                Ok(false)
            }
            Err(error) => Err(error),
        }
    }

    /// The session, for measurements of its parts.
    pub fn session(&self) -> &ReferenceSession<'p, N> {
        self.session
    }

    /// Whether counterexamples were dropped because the labelled set filled.
    pub fn buffer_full(&self) -> bool {
        self.buffer_full
    }

    /// The fingerprint of the run so far, with the accuracy on `test`.
    pub fn fingerprint(&self, test: &[Example<colors::Image>]) -> Fingerprint {
        let correct = test.iter().filter(|e| self.session.predict(&e.instance) == Some(e.label)).count();
        let (bias, weights_hash) = self.session.model().map_or((0.0, FNV_OFFSET), |model| {
            (model.bias, model.weights.iter().fold(FNV_OFFSET, |hash, w| fnv1a(hash, w.to_bits())))
        });
        Fingerprint {
            rounds: self.rounds,
            running_f1_bits: self.f1.mean().to_bits(),
            correct: u32::try_from(correct).unwrap_or(u32::MAX),
            counterexamples: u32::try_from(self.session.counterexamples()).unwrap_or(u32::MAX),
            bias_bits: bias.to_bits(),
            weights_hash,
        }
    }
}

const FNV_OFFSET: u32 = 0x811c_9dc5;

/// One FNV-1a step over the four bytes of `word`, lowest first.
fn fnv1a(hash: u32, word: u32) -> u32 {
    word.to_le_bytes().iter().fold(hash, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vector() {
        // FNV-1a 32 of the bytes "a" is 0xe40c292c; of "foobar", 0xbf9cf968.
        let bytes = |text: &[u8]| text.iter().fold(FNV_OFFSET, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
        assert_eq!(bytes(b"a"), 0xe40c_292c);
        assert_eq!(bytes(b"foobar"), 0xbf9c_f968);
        assert_eq!(fnv1a(FNV_OFFSET, u32::from_le_bytes(*b"foob")), bytes(b"foob"));
    }
}
