//! One folder per experiment, named as the command line names it.
//!
//! - [`caipi_colors`]: CAIPI on colors (seed 000, Fig. 2), `xil-bench caipi` and `reproduce caipi-colors`;
//! - [`cali`]: CALIMOCHO on colors (seed 001), a SENN corrected directly;
//! - [`lime_faithfulness`]: LIME against a SENN's exact explanation (seed 001, Fig. 2);
//! - [`decoy_fashion`]: decoy Fashion-MNIST (seed 000, Table 1), counterexamples vs input gradients;
//! - [`caipi_text`]: CAIPI on real e-mails (SpamAssassin) with word corrections (seed 000, Fig. 3);
//! - [`attributions`]: seven attribution methods on a decoy-trained CNN or MLP (seeds 002 and 003);
//! - [`digits`]: the device's 8x8 CNN trained on the UCI digits;
//! - [`active`]: batch active learning with explanation-aware strategies (seeds 002 and 004);
//! - [`reproductions`]: every paper figure `reproduce` builds, found by its name.

pub mod active;
pub mod attributions;
pub mod bayes_feedback;
pub mod caipi_colors;
pub mod caipi_text;
pub mod cali;
pub mod decoy_fashion;
pub mod digits;
pub mod lime_faithfulness;
pub mod reproductions;
