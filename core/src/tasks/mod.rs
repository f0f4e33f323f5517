//! The tasks: synthetic and fixed-vocabulary data with their rules and
//! feature maps — CAIPI's [`colors`] images, the 3x3 [`toy`] task of its user
//! study, and [`text`] with a fixed vocabulary and TF-IDF features.

pub mod colors;
pub mod text;
pub mod toy;
