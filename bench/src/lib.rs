//! xil-bench, the experiment bench of xil: it runs the papers' protocols on
//! top of xil-core, in parallel where that is safe, and writes results people
//! can read and plot.
//!
//! - [`caipi`]: CAIPI on colors (seed 000, Fig. 2), fold by fold;
//! - [`cali`]: CALIMOCHO on colors (seed 001), a SENN corrected directly;
//! - [`data_dir`]: where real data sets are read from;
//! - [`decoy`]: decoy Fashion-MNIST (seed 000, Table 1), counterexamples vs input gradients;
//! - [`fashion`] and [`idx`]: the real Fashion-MNIST images, strictly validated;
//! - [`faithfulness`]: LIME against a SENN's exact explanation (seed 001, Fig. 2);
//! - [`reproduce`]: CAIPI's whole figure, with a report beside the paper's targets;
//! - [`reproduce_cali`]: CALIMOCHO's active runs, depth study and faithfulness study;
//! - [`reproduce_decoy`]: Table 1 on decoy Fashion-MNIST, with curves and explanations;
//! - [`text`]: CAIPI on real e-mails (SpamAssassin) with word corrections;
//! - [`figures`]: paper-style PNG/SVG line figures with bands over folds;
//! - [`heatmap`]: images beside heatmaps of their explanations;
//! - [`folds`]: stratified cross-validation splits;
//! - [`seeds`]: named random streams of a run;
//! - [`limits`]: the documented bounds of every count a run can be asked for;
//! - [`observe`]: rows handed to an observer as they are measured (progress, live plots, pause and stop);
//! - [`record`]: rows as serde records, written as CSV by the `csv` crate;
//! - [`output`]: files written whole or not at all.

pub mod caipi;
pub mod cali;
pub mod data_dir;
pub mod decoy;
pub mod faithfulness;
pub mod fashion;
pub mod figures;
pub mod folds;
pub mod heatmap;
pub mod idx;
pub mod limits;
pub mod observe;
pub mod output;
pub mod record;
pub mod reproduce;
pub mod reproduce_cali;
pub mod reproduce_decoy;
pub mod seeds;
pub mod text;
