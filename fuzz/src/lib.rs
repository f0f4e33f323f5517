//! The checks behind xil's fuzz targets, one module per target: each takes
//! arbitrary bytes, feeds them to a loader, a parser or core's public entry
//! points, and panics only when a promise is broken (a panic inside xil, or
//! a result that contradicts its documentation).
//!
//! The targets in `fuzz_targets/` call these under libFuzzer
//! (`scripts/fuzz`); `tests/regressions.rs` runs them on every seed in
//! `seeds/` and every input that once crashed a target, kept in
//! `regressions/`, so a fixed crash stays fixed in the ordinary test run.

pub mod core_entry_points;
pub mod idx;
pub mod mail;
pub mod session_file;
