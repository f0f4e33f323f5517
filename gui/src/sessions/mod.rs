//! What runs on worker threads, without egui.
//!
//! - [`remote`]: the commands, the worker loop and the app's handle shared by
//!   every interactive session;
//! - [`colors`]: CAIPI on colors (xil-core's session, LIME);
//! - [`cali`]: CALIMOCHO on colors (a SENN whose explanation is corrected);
//! - [`mail`]: CAIPI on SpamAssassin e-mails with word corrections;
//! - [`images`]: decoy Fashion-MNIST with painted right-reasons masks;
//! - [`batches`]: active learning with the user labelling proposed batches;
//! - [`experiment`]: xil-bench's protocols as the Watch tab runs them;
//! - [`runs`]: such a run on a worker, row by row, with pause and stop;
//! - [`storage`]: saved sessions, written atomically, kept aside when
//!   corrupt, and saved by name.

pub mod batches;
pub mod cali;
pub mod colors;
pub mod experiment;
pub mod images;
pub mod mail;
pub mod remote;
pub mod runs;
pub mod storage;
