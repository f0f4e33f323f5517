//! The generated colors images of seed 000 and 001, split into stratified
//! folds: the data of both CAIPI and CALIMOCHO on colors.

use crate::error::{Error, Result};
use crate::harness::folds::stratified_folds;
use crate::harness::limits;
use crate::harness::seeds::Stream;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use xil_core::Example;
use xil_core::tasks::colors;

/// The generated images and their fold assignment.
#[derive(Debug, Clone)]
pub struct ColorsData {
    /// The images with their labels (1 = both rules hold).
    pub examples: Vec<Example<colors::Image>>,
    /// The fold of each image.
    pub folds: Vec<usize>,
}

impl ColorsData {
    /// Checks that `images` generated images can be split into `folds`
    /// folds (`--images` and `--folds`).
    ///
    /// # Errors
    /// [`Error::Settings`] naming the option out of its range.
    pub fn check_split(images: usize, folds: usize) -> Result<()> {
        limits::check("--images", images, &limits::IMAGES)?;
        limits::check("--folds", folds, &limits::FOLDS)?;
        if folds > images {
            return Err(Error::Settings(format!("--folds {folds} exceeds the number of images {images}")));
        }
        Ok(())
    }

    /// `images` images from `seed`, split into `folds` stratified folds.
    ///
    /// # Errors
    /// When the split is impossible.
    pub fn generate(images: usize, folds: usize, seed: u64) -> Result<Self> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let examples: Vec<_> = (0..images).map(|_| colors::generate(&mut rng)).collect();
        let labels: Vec<u8> = examples.iter().map(|e| e.label).collect();
        let folds = stratified_folds(&labels, folds, Stream::ColorsFolds.seed(seed))?;
        Ok(Self { examples, folds })
    }

    /// The pool (training folds) and test set of a fold.
    pub fn split(&self, fold: usize) -> (Vec<Example<colors::Image>>, Vec<Example<colors::Image>>) {
        let (test, pool): (Vec<_>, Vec<_>) = self.examples.iter().zip(&self.folds).partition(|(_, f)| **f == fold);
        (pool.into_iter().map(|(e, _)| *e).collect(), test.into_iter().map(|(e, _)| *e).collect())
    }
}
