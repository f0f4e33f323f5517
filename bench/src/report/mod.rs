//! What a run leaves behind.
//!
//! - [`files`]: files written whole or not at all;
//! - [`staged`]: a result folder built aside and put in place whole;
//! - [`figures`]: paper-style PNG/SVG line figures with bands over folds;
//! - [`heatmap`]: images beside heatmaps of their explanations.

pub mod figures;
pub mod files;
pub mod heatmap;
pub mod staged;
