//! xil-gui, the desktop app of xil: be the user in CAIPI's loop, or watch a
//! simulated experiment of the papers live.
//!
//! - [`interactive`]: the session on a worker thread and its recorded
//!   decisions (no egui), so undo, save and resume replay them exactly;
//! - [`storage`]: saved sessions, written atomically, kept aside when corrupt,
//!   and sessions saved by name;
//! - [`watch`]: xil-bench's protocols run on a worker thread, row by row,
//!   with pause, resume and stop (no egui);
//! - [`app`]: the eframe app (tabs, grid, explanation overlay, keyboard,
//!   history, live plots);
//! - [`grid_view`]: drawing colors images, explanations and marks;
//! - [`watch_view`]: the Watch tab (settings, run buttons, overlaid plots).

pub mod app;
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
