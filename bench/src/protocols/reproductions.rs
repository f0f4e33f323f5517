//! Every reproduction, found by the name `xil-bench reproduce` gives it.
//!
//! A sweep's folder names its experiment in `plan.json`; the commands that
//! read the folder later (`sweep run`, `status`, `merge`) are generic over
//! [`Reproduction`] and reach the right one through [`by_name`].

use crate::error::{Error, Result};
use crate::harness::protocol::Reproduction;
use crate::protocols::active::reproduce::{AlexReproduction, RetrievalReproduction};
use crate::protocols::bayes_feedback::reproduce::BayesReproduction;
use crate::protocols::caipi_colors::reproduce::ColorsReproduction;
use crate::protocols::caipi_text::reproduce::TextReproduction;
use crate::protocols::cali::reproduce::CaliReproduction;
use crate::protocols::decoy_fashion::reproduce::DecoyReproduction;

/// Work to do with a reproduction whose type is known only by its name.
pub trait WithReproduction {
    /// What the work gives.
    type Output;
    /// Does the work with reproduction `R`.
    fn with<R: Reproduction>(self) -> Self::Output;
}

/// The names of every reproduction, as `reproduce` takes them.
pub const NAMES: [&str; 7] = [
    ColorsReproduction::NAME,
    CaliReproduction::NAME,
    DecoyReproduction::NAME,
    TextReproduction::NAME,
    AlexReproduction::NAME,
    BayesReproduction::NAME,
    RetrievalReproduction::NAME,
];

/// Does `work` with the reproduction called `name`.
///
/// # Errors
/// [`Error::Settings`] when no reproduction has that name.
pub fn by_name<W: WithReproduction>(name: &str, work: W) -> Result<W::Output> {
    Ok(match name {
        ColorsReproduction::NAME => work.with::<ColorsReproduction>(),
        CaliReproduction::NAME => work.with::<CaliReproduction>(),
        DecoyReproduction::NAME => work.with::<DecoyReproduction>(),
        TextReproduction::NAME => work.with::<TextReproduction>(),
        AlexReproduction::NAME => work.with::<AlexReproduction>(),
        BayesReproduction::NAME => work.with::<BayesReproduction>(),
        RetrievalReproduction::NAME => work.with::<RetrievalReproduction>(),
        other => {
            return Err(Error::Settings(format!("no experiment called {other}; there are {}", NAMES.join(", "))));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Name;

    impl WithReproduction for Name {
        type Output = &'static str;
        fn with<R: Reproduction>(self) -> &'static str {
            R::NAME
        }
    }

    #[test]
    fn every_name_finds_its_own_reproduction_and_others_are_refused() {
        for name in NAMES {
            assert_eq!(by_name(name, Name).unwrap(), name);
        }
        let message = by_name("caipi", Name).unwrap_err().to_string();
        assert!(message.contains("no experiment called caipi") && message.contains("caipi-colors"), "{message}");
    }
}
