//! What a run leaves behind.
//!
//! - [`files`]: files written whole or not at all;
//! - [`staged`]: a result folder built aside and put in place whole;
//! - [`figures`]: paper-style PNG/SVG line figures with bands over folds;
//! - [`heatmap`]: images beside heatmaps of their explanations;
//! - [`last_words`]: the key figures and file paths a finished run prints
//!   for a person;
//! - [`compare`]: two result folders, equal except for timings.

pub mod compare;
pub mod figures;
pub mod files;
pub mod heatmap;
pub mod last_words;
pub mod staged;
