//! Stratified k-fold cross-validation splits, seeded.
//!
//! Each class's indices are shuffled (Fisher–Yates with the caller's seed) and
//! dealt to the folds in turn, so every fold holds each class in the same
//! proportion as the whole data set, up to one example.

use crate::error::{Error, Result};
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use xil_core::random::uniform_index;

/// The fold of each example: `assignment[i]` in `0..folds`.
///
/// # Errors
/// When `folds < 2` or there are fewer examples than folds.
pub fn stratified_folds(labels: &[u8], folds: usize, seed: u64) -> Result<Vec<usize>> {
    if folds < 2 {
        return Err(Error::Settings(format!("cross-validation needs at least 2 folds, not {folds}")));
    }
    if labels.len() < folds {
        return Err(Error::Settings(format!("{folds} folds need at least {folds} examples, not {}", labels.len())));
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut assignment = vec![0; labels.len()];
    let mut classes: Vec<u8> = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let mut next_fold = 0;
    for class in classes {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        shuffle(&mut members, &mut rng);
        for i in members {
            assignment[i] = next_fold;
            next_fold = (next_fold + 1) % folds;
        }
    }
    Ok(assignment)
}

/// Fisher–Yates shuffle.
pub fn shuffle<T, R: Rng>(items: &mut [T], rng: &mut R) {
    for i in (1..items.len()).rev() {
        items.swap(i, uniform_index(rng, i + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified_and_cover_every_example() {
        let labels: Vec<u8> = (0..1000).map(|i| u8::from(i % 4 == 0)).collect();
        let assignment = stratified_folds(&labels, 10, 3).unwrap();
        for fold in 0..10 {
            let members: Vec<usize> = (0..1000).filter(|&i| assignment[i] == fold).collect();
            assert_eq!(members.len(), 100);
            let positives = members.iter().filter(|&&i| labels[i] == 1).count();
            assert!((24..=26).contains(&positives), "fold {fold}: {positives} positives");
        }
    }

    #[test]
    fn impossible_splits_are_errors() {
        assert!(stratified_folds(&[0, 1], 1, 0).is_err());
        assert!(stratified_folds(&[0, 1], 3, 0).is_err());
    }

    #[test]
    fn the_seed_decides_the_split() {
        let labels: Vec<u8> = (0..100).map(|i| (i % 2) as u8).collect();
        assert_eq!(stratified_folds(&labels, 5, 1).unwrap(), stratified_folds(&labels, 5, 1).unwrap());
        assert_ne!(stratified_folds(&labels, 5, 1).unwrap(), stratified_folds(&labels, 5, 2).unwrap());
    }
}
