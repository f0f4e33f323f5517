//! The SENN reference step: one CALIMOCHO answer on colors images whose
//! numbers every platform must reproduce bit for bit.
//!
//! A depth-1 SENN over the 101 one-hot colors features (`w(x)` one 101 x 101
//! layer: 10,302 weights) on a pool of [`POOL`] images, seeded with
//! [`INITIAL`] labelled ones, queries by uncertainty; the simulated user of
//! seed 001 answers with the label and corrects the [`CORRECTED`] entries of
//! the explanation farthest from rule 0's true one; the session refits with
//! one Adam step on the squared explanation loss. The network (drawn from the
//! seed first), its gradient and Adam's two moments take 165 KB, so the
//! firmware runs it on a board with 256 KB of RAM. The host test and the firmware run this very code and
//! compare the [`SennFingerprint`] of the step.

use super::{FNV_OFFSET, fnv1a};
use crate::active::calimocho::{CaliQuery, CaliSession, CaliStrategy};
use crate::active::user::correct_explanation;
use crate::data::Example;
use crate::error::Error;
use crate::nn::adam::Adam;
use crate::nn::senn::{ExplanationLoss, Senn, SennLoss, SennTrainer};
use crate::tasks::colors::{self, Image, ONE_HOT, OneHot, Rule};
use nalgebra::SVector;
use rand_core::Rng;

/// Images in the pool.
pub const POOL: usize = 64;
/// Labelled examples the session holds.
pub const CAPACITY: usize = 16;
/// Labelled images before the first query.
pub const INITIAL: usize = 8;
/// Explanation entries the simulated user corrects.
pub const CORRECTED: usize = 10;
/// Seed of the pool, the network and the session's draws (the firmware and
/// the host test use `Xoshiro128PlusPlus`).
pub const SEED: u64 = 2030;

/// The network: one layer computing `w(x)` over the one-hot features.
pub type Network = Senn<ONE_HOT, 1>;

/// Its trainer.
pub type Trainer = SennTrainer<ONE_HOT, 1>;

/// The session the step drives.
pub type SennSession<'p> = CaliSession<'p, Image, OneHot, ONE_HOT, 1, CAPACITY>;

/// The trainer: one Adam step per fit on the squared explanation loss
/// (`lambda = 0.9`).
///
/// # Errors
/// None with these settings; the trainer's checks.
pub fn trainer() -> Result<Trainer, Error> {
    SennTrainer::new(SennLoss { lambda: 0.9, alpha: 0.0, explanation: ExplanationLoss::Squared }, Adam::default())
}

/// Fills `pool` with colors images from `rng`, starts a session on it with
/// `model` and `trainer`, and labels [`INITIAL`] images with one Adam step.
///
/// # Errors
/// [`Error::EmptyData`] for an empty pool; the trainer's errors.
pub fn session<'p, R: Rng>(
    pool: &'p mut [Example<Image>],
    model: &'p mut Network,
    trainer: &'p mut Trainer,
    rng: &mut R,
) -> Result<SennSession<'p>, Error> {
    super::fill(pool, rng);
    let mut session = CaliSession::new(pool, OneHot, model, trainer, CaliStrategy::Uncertainty, 1)?;
    session.seed(INITIAL, rng)?;
    Ok(session)
}

/// The simulated user's answer to the pending query: the pool's label and
/// the shown explanation with its [`CORRECTED`] entries farthest from rule
/// 0's true explanation set to it.
///
/// # Errors
/// [`Error::InvalidState`] without a pending query.
pub fn answer(session: &SennSession<'_>, shown: &SVector<f32, ONE_HOT>) -> Result<(u8, SVector<f32, ONE_HOT>), Error> {
    let image = session.pending_instance().ok_or(Error::InvalidState)?;
    let truth = colors::one_hot_explanation(Rule::Zero, image);
    Ok((u8::from(Rule::Zero.holds(image)), correct_explanation(shown, &truth, CORRECTED)))
}

/// What the step computed, as exact bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SennFingerprint {
    /// Position of the query in the pool.
    pub query: u32,
    /// Bits of the query's probability of class 1.
    pub probability_bits: u32,
    /// FNV-1a hash of the bits of the query's explanation `w(x)`.
    pub explanation_hash: u32,
    /// FNV-1a hash of the bits of every weight and bias after the refit.
    pub weights_hash: u32,
}

impl SennFingerprint {
    /// The fingerprint of `query` and of `model` after the refit.
    pub fn new(query: &CaliQuery<ONE_HOT>, model: &Network) -> Self {
        let hash = |values: &[f32], start: u32| values.iter().fold(start, |h, v| fnv1a(h, v.to_bits()));
        let weights_hash = model
            .layers()
            .iter()
            .fold(FNV_OFFSET, |h, layer| hash(layer.bias.as_slice(), hash(layer.weights.as_slice(), h)));
        Self {
            query: u32::try_from(query.index).unwrap_or(u32::MAX),
            probability_bits: query.probability.to_bits(),
            explanation_hash: hash(query.explanation.as_slice(), FNV_OFFSET),
            weights_hash,
        }
    }
}

impl core::fmt::Display for SennFingerprint {
    /// `query=Q probability_bits=0xXXXXXXXX explanation_hash=0xXXXXXXXX
    /// weights_hash=0xXXXXXXXX`: integers only.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "query={} probability_bits={:#010x} explanation_hash={:#010x} weights_hash={:#010x}",
            self.query, self.probability_bits, self.explanation_hash, self.weights_hash
        )
    }
}
