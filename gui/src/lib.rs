//! xil-gui, the desktop app of xil: be the user in the loop (colors pixels,
//! e-mail words, painted Fashion-MNIST images), or watch a simulated
//! experiment of the papers live.
//!
//! Sessions (no egui; each runs on a worker thread, and is a pure function of
//! its settings and decisions, so undo, save and resume replay exactly):
//! - [`remote`]: the commands, the worker loop and the app's handle shared by
//!   every session, with the answer being prepared;
//! - [`interactive`]: CAIPI on colors (xil-core's session, LIME);
//! - [`mail_session`]: CAIPI on SpamAssassin e-mails with word corrections;
//! - [`image_session`]: decoy Fashion-MNIST with painted right-reasons masks;
//! - [`watch`]: xil-bench's protocols run row by row, with pause and stop;
//! - [`storage`]: saved sessions, written atomically, kept aside when
//!   corrupt, and saved by name;
//! - [`progress`]: a session's plot as CSV, PNG and SVG.
//!
//! The window:
//! - [`app`]: the eframe app (tabs, the colors grid, keyboard, export);
//! - [`grid_view`]: drawing colors images, explanations and marks;
//! - [`choices`]: a settings enum chosen by name (the colors rule as buttons);
//! - [`mail_view`] and [`image_view`]: the E-mails and Images tabs;
//! - [`sessions_view`]: named sessions, history, answer keys and buttons;
//! - [`watch_view`]: the Watch tab (settings, run buttons, overlaid plots).

pub mod app;
pub mod choices;
pub mod grid_view;
pub mod image_session;
pub mod image_view;
pub mod interactive;
pub mod mail_session;
pub mod mail_view;
pub mod progress;
pub mod remote;
pub mod sessions_view;
pub mod storage;
pub mod watch;
pub mod watch_view;
