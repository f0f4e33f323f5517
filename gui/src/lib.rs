//! xil-gui, the desktop app of xil: be the user in CAIPI's loop.
//!
//! - [`interactive`]: the session on a worker thread and its recorded
//!   decisions (no egui), so undo, save and resume replay them exactly;
//! - [`storage`]: saved sessions, written atomically, kept aside when corrupt;
//! - [`app`]: the eframe app (grid, explanation overlay, keyboard, live plot).

pub mod app;
pub mod interactive;
pub mod storage;
