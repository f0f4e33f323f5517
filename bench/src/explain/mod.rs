//! Explainers the bench needs beyond core's fixed-size ones.

pub mod shapley;
