//! Explanatory interactive learning without a heap: models that show why they
//! predict, and learn from a user's corrections of those reasons.
//!
//! xil-core is the part of xil that must run anywhere, from a Cortex-M4F to a
//! desktop: `#![no_std]`, no `alloc`, no `unsafe`, `f32` throughout, sizes as
//! const generics and every fallible call returning [`Error`]. It contains
//! fixed-size linear learners, explainers (exact and LIME), CAIPI
//! counterexamples, query strategies, metrics, the colors data generator and
//! the interactive loop as a state machine a device can drive one step at a
//! time.
//!
//! # The loop
//! A learner picks a query from the unlabelled pool, predicts its class and
//! explains the prediction over *interpretable components* (pixels, words).
//! The user answers with a label and, when the model is right for the wrong
//! reasons, marks components as irrelevant; xil turns that correction into
//! counterexamples (the instance with those components changed, label kept)
//! and refits.
//!
//! # Example: CAIPI on colors, driven by a simulated user
//! ```
//! use rand_core::SeedableRng;
//! use rand_xoshiro::Xoshiro256PlusPlus;
//! use xil_core::tasks::colors::{self, PairFeatures, Rule};
//! use xil_core::{Counterexamples, Example, L1Svm, Lime, QueryStrategy, Session, SessionConfig, SimulatedUser};
//!
//! let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
//! let mut pool: [Example<colors::Image>; 300] =
//!     core::array::from_fn(|_| colors::generate(&mut rng));
//! let config = SessionConfig::new(4, QueryStrategy::ClosestToMargin, Counterexamples::default());
//! // A session with a labelled set of at most 200 examples.
//! let mut session: Session<_, _, _, _, 300, 25, 200> =
//!     Session::new(&mut pool, L1Svm::new(), PairFeatures, Lime::new().samples(500), config)?;
//! session.seed_per_class(3, &mut rng)?;
//! let user = SimulatedUser::new(Rule::Zero);
//! for _ in 0..5 {
//!     let query = session.query(&mut rng)?;
//!     let feedback = user.feedback(session.pending_instance().ok_or(xil_core::Error::InvalidState)?, &query);
//!     session.give_feedback(&feedback, |x| user.label(x) == feedback.label, &mut rng)?;
//! }
//! assert_eq!(session.queries_answered(), 5);
//! # Ok::<(), xil_core::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod active;
pub mod data;
pub mod error;
pub mod explain;
pub mod linear;
pub mod maths;
pub mod metrics;
mod names;
pub mod nn;
pub mod random;
pub mod reference;
pub mod tasks;
pub mod traits;

pub use active::caipi::{Feedback, Outcome, Query, Session, SessionConfig};
pub use active::calimocho::{CaliQuery, CaliSession, CaliStrategy};
pub use active::counterexamples::{CounterexampleStrategy, Counterexamples, Generated};
pub use active::query::{QueryStrategy, select_query, uncertainty};
pub use active::user::{Marking, Oracle, SimulatedUser, correct_explanation};
pub use data::categorical::{Categorical, Grid};
pub use data::features::{Design, FeatureMap, Featurized, Identity, check_binary};
pub use data::pool::Pool;
pub use data::{Dataset, Example, Origin};
pub use error::Error;
pub use explain::{Absent, Explainer, Explanation, Fidelity, KernelShap, Lime, Replacement, Sampling, Selection};
pub use linear::LinearModel;
pub use linear::coordinate_descent::{Penalty, Stopping};
pub use linear::intercept::Intercept;
pub use linear::logistic::LogisticRegression;
pub use linear::svm::{L1Svm, L2Svm};
pub use nn::adam::{Adam, AdamState, AdamStep};
pub use nn::senn::{Correction, ExplanationLoss, Layer, Senn, SennExample, SennLoss, SennTrainer};
pub use traits::{Decision, Fit, OnInstances, Score};
