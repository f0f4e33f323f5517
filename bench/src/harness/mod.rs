//! What every experiment shares.
//!
//! - [`protocol`]: the [`Protocol`] and [`Reproduction`] traits every experiment implements;
//! - [`observe`]: rows handed to an observer as they are measured (progress, live plots, pause and stop);
//! - [`record`]: rows as serde records, written as CSV by the `csv` crate;
//! - [`epoch`]: the row of every experiment that trains a network;
//! - [`folds`]: stratified cross-validation splits;
//! - [`seeds`]: named random streams of a run;
//! - [`limits`]: the documented bounds of every count a run can be asked for;
//! - [`minibatch`]: minibatch training of any network on two threads;
//! - [`threads`]: worker threads with room for large networks on their stacks.

pub mod epoch;
pub mod folds;
pub mod limits;
pub mod minibatch;
pub mod observe;
pub mod protocol;
pub mod record;
pub mod seeds;
pub mod threads;

pub use protocol::{Protocol, ReproduceSettings, Reproduction, Scale, Sizes};
