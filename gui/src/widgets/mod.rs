//! What tabs draw with.
//!
//! - [`grid`]: colors images, explanations and marks;
//! - [`picture`]: 28 x 28 images and their explanation heatmaps;
//! - [`sessions`]: answer keys and buttons, the history, named sessions;
//! - [`choices`]: a settings enum chosen by name (the colors rule as buttons);
//! - [`forms`]: the settings forms of the bench's protocols;
//! - [`help`]: what a tab is for, and its keys;
//! - [`plots`]: the live plots' axes;
//! - [`stroke`]: a drag as every point it passes, so no crossed cell is missed.

pub mod choices;
pub mod forms;
pub mod grid;
pub mod help;
pub mod picture;
pub mod plots;
pub mod sessions;
pub mod stroke;
