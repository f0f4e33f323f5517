//! xil-gui, the desktop app of xil: be the user in the loop (colors pixels,
//! e-mail words, painted Fashion-MNIST images), or watch a simulated
//! experiment of the papers live.
//!
//! The folders say which side of the window a part is on:
//! - [`sessions`]: what runs on worker threads, without egui. Each
//!   interactive session is a pure function of its settings and decisions,
//!   so undo, save and resume replay exactly; [`sessions::runs`] runs
//!   xil-bench's protocols row by row with pause and stop;
//! - [`tabs`]: one struct per tab, each a [`tabs::Tab`], built on the shared
//!   [`tabs::session::SessionTab`] scaffold where the user is in the loop;
//! - [`widgets`]: what tabs draw with (the colors grid, answer keys and
//!   history, named sessions, settings chosen by name);
//! - [`app`]: the window's shell (tab bar, status line, dispatch);
//! - [`export`]: a session's plot as CSV, PNG and SVG;
//! - [`error`]: what can go wrong, as one [`error::Error`] enum.

pub mod app;
pub mod error;
pub mod export;
pub mod sessions;
pub mod tabs;
pub mod widgets;
