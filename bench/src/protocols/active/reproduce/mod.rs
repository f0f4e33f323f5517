//! The papers' active-learning experiments as `xil-bench reproduce`
//! subcommands: seed 002's Table 1 (`alex`) and seed 004's comparison of
//! explanation-based retrieval with the standard strategies
//! (`explanation-retrieval`), whose explainer budget is chosen first on a
//! validation split of the labelled data (`budget`).

pub mod alex;
pub mod budget;
pub mod retrieval;

pub use alex::AlexReproduction;
pub use retrieval::RetrievalReproduction;
