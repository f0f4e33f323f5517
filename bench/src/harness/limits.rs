//! The documented bounds of every count a run can be asked for.
//!
//! Each count a user sets (on the command line or in the app) is checked
//! against a range here before any arithmetic or allocation uses it, so a
//! huge value is refused with a message naming the option and its range
//! instead of wrapping, exhausting memory or running for days. The upper
//! bounds are generous: each is far above what the papers use and still
//! finishes on a desktop.

use crate::error::{Error, Result};
use std::ops::RangeInclusive;

/// Generated colors images (the papers use 40,000 and 5,000).
pub const IMAGES: RangeInclusive<usize> = 1..=1_000_000;
/// Cross-validation folds.
pub const FOLDS: RangeInclusive<usize> = 2..=1_000;
/// LIME samples per explanation (the paper uses 2,000).
pub const LIME_SAMPLES: RangeInclusive<usize> = 1..=100_000;
/// LIME repeats per explanation (the paper uses 10).
pub const LIME_REPEATS: RangeInclusive<usize> = 1..=1_000;
/// Adam steps per CALIMOCHO fit (the paper's code uses 100).
pub const STEPS_PER_FIT: RangeInclusive<usize> = 1..=100_000;
/// Passes over the decoy Fashion-MNIST training set (the paper uses 64).
pub const EPOCHS: RangeInclusive<usize> = 1..=10_000;
/// Queries per fold of CAIPI on e-mails (the paper uses 300; a fold's pool
/// bounds it further).
pub const TEXT_ITERATIONS: RangeInclusive<usize> = 1..=100_000;
/// Random labels per class before the first e-mail query.
pub const TEXT_INITIAL_PER_CLASS: RangeInclusive<usize> = 1..=10_000;

/// Checks that `value`, given as `option`, lies in `range`.
///
/// # Errors
/// `"OPTION must be between LO and HI, not VALUE"`.
pub fn check(option: &str, value: usize, range: &RangeInclusive<usize>) -> Result<()> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(Error::Settings(format!("{option} must be between {} and {}, not {value}", range.start(), range.end())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_outside_the_range_names_the_option_and_the_range() {
        assert!(check("--folds", 2, &FOLDS).is_ok());
        assert!(check("--folds", 1_000, &FOLDS).is_ok());
        let low = check("--folds", 1, &FOLDS).unwrap_err();
        assert!(matches!(low, Error::Settings(_)));
        assert_eq!(low.to_string(), "--folds must be between 2 and 1000, not 1");
        let huge = check("--folds", usize::MAX, &FOLDS).unwrap_err().to_string();
        assert!(huge.contains("--folds") && huge.contains("1000"), "{huge}");
    }
}
