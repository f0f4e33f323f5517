//! xil-bench, the experiment bench of xil: it runs the papers' protocols on
//! top of xil-core, in parallel where that is safe, and writes results people
//! can read and plot.
//!
//! The folders say what each part is:
//! - [`harness`]: what every experiment shares — the [`harness::Protocol`]
//!   and [`harness::Reproduction`] traits, row records and their metrics,
//!   observers, folds, named random streams, limits;
//! - [`data`]: the real data sets, located and strictly validated;
//! - [`protocols`]: one folder per experiment, named as the command line
//!   names it, each with its settings, rows, run and reproduction;
//! - [`explain`]: explainers beyond core's fixed-size ones (Kernel SHAP
//!   over any number of players);
//! - [`report`]: files written whole, figures and heatmaps;
//! - [`error`]: what can go wrong, as one [`Error`] enum.

pub mod data;
pub mod error;
pub mod explain;
pub mod harness;
pub mod protocols;
pub mod report;
pub mod sweep;

pub use error::{Error, Result};
