//! The interactive loops and their parts: [`caipi`] (a learner that
//! explains its queries and learns from counterexamples) and [`calimocho`]
//! (a self-explaining network corrected directly), the [`query`]
//! strategies, the [`batch`] strategies of the active-learning papers
//! (ALEX, density weighting, explanation-based retrieval), the
//! [`counterexamples`] a correction turns into, and the simulated [`user`]
//! that answers from a known rule.

pub mod batch;
pub mod caipi;
pub mod calimocho;
pub mod counterexamples;
pub mod query;
pub mod user;
