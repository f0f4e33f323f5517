//! Watching a run as it goes: every fold hands each row it measures to an
//! observer, which answers whether the fold goes on.
//!
//! This is how the command line draws its progress bar and how the desktop
//! app plots a run live, pauses it (the observer blocks until resumed) and
//! stops it (the observer answers [`ControlFlow::Break`]; the fold returns
//! the rows it has). Observers are called from the folds' threads.

use std::ops::ControlFlow;

/// Sees each row of a run as it is measured and says whether to go on.
pub type Observer<'a, R> = &'a (dyn Fn(&R) -> ControlFlow<()> + Sync);

/// An observer that calls `tick` for every row and never stops the run.
pub fn ticking<R>(tick: &(dyn Fn() + Sync)) -> impl Fn(&R) -> ControlFlow<()> + Sync + '_ {
    move |_| {
        tick();
        ControlFlow::Continue(())
    }
}
