//! CALIMOCHO's self-explaining network on the device: the depth-1 SENN over
//! the 101 one-hot colors features ([`xil_core::reference::senn`]), its
//! prediction, its exact explanation `w(x)`, an uncertainty query over the
//! pool, and the user's answer with a corrected explanation followed by one
//! refit step (Adam on the squared explanation loss). A firmware of its own
//! (`--features senn`) linked for a 256 KB-RAM board (`memory/nrf52840.x`): the
//! network, its gradient and Adam's two moments alone take 165 KB. It prints
//! the step's fingerprint, which the host pins bit for bit.

use crate::measure::region;
use cortex_m_semihosting::hprintln;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro128PlusPlus;
use xil_core::reference::senn::{self, Network, POOL, SEED, SennFingerprint, SennSession};
use xil_core::tasks::colors::{Image, ONE_HOT, OneHot};
use xil_core::{CaliQuery, Error, Example, FeatureMap, Grid};

const EMPTY: Example<Image> = Example::labelled(Grid::zeros(), 0);

// Each workload is a function of its own so that its stack is measured alone.

#[inline(never)]
fn query(session: &mut SennSession<'_>, rng: &mut Xoshiro128PlusPlus) -> Result<CaliQuery<ONE_HOT>, Error> {
    session.query(rng)
}

#[inline(never)]
fn answer(
    session: &mut SennSession<'_>,
    shown: &CaliQuery<ONE_HOT>,
    rng: &mut Xoshiro128PlusPlus,
) -> Result<(), Error> {
    let (label, corrected) = senn::answer(session, &shown.explanation)?;
    session.give_feedback(label, Some(corrected), rng)
}

/// The network, its trainer and the session on this function's stack, then
/// the workloads.
#[inline(never)]
fn senn_benchmarks(pool: &mut [Example<Image>]) -> Result<(), Error> {
    let mut rng = Xoshiro128PlusPlus::seed_from_u64(SEED);
    let mut model = Network::new(&mut rng);
    let mut trainer = senn::trainer()?;
    let mut session = senn::session(pool, &mut model, &mut trainer, &mut rng)?;
    let shown = region("SENN 101x101: uncertainty query over the pool (56 unlabelled images)", || {
        query(&mut session, &mut rng)
    })?;
    let x = OneHot.features(session.pending_instance().ok_or(Error::InvalidState)?);
    let model = session.model();
    region("SENN 101x101: predict", || model.probability(&x));
    region("SENN 101x101: exact explanation w(x)", || model.relevance(&x));
    region("SENN 101x101: answer with a corrected explanation + one refit step (Adam, batch 3)", || {
        answer(&mut session, &shown, &mut rng)
    })?;
    hprintln!("reference senn {}", SennFingerprint::new(&shown, session.model()));
    Ok(())
}

/// Runs the SENN workloads; `false` on any failure.
pub fn run() -> bool {
    region("calibration", || ());
    let Some(pool) = cortex_m::singleton!(: [Example<Image>; POOL] = [EMPTY; POOL]) else { return false };
    match senn_benchmarks(pool) {
        Ok(()) => true,
        Err(error) => {
            hprintln!("error in SENN benchmarks: {}", error);
            false
        }
    }
}
