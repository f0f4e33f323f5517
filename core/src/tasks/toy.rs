//! The 3x3 black-and-white toy task of CAIPI's user study: an image is
//! positive iff both top corners are white.
//!
//! Pixels are numbered row-major (`0..9`); value 1 is white, 0 black. The
//! true explanation is the two top corners, pixels 0 and 2. Images are drawn
//! with every pixel white with probability 1/2, so a quarter are positive.

use crate::Grid;
use crate::active::user::Oracle;
use crate::data::Example;
use crate::data::features::FeatureMap;
use crate::random::bernoulli;
use rand_core::Rng;

/// Number of pixels.
pub const PIXELS: usize = 9;

/// A 3x3 image of black (0) and white (1) pixels.
pub type Image = Grid<PIXELS, 2>;

const TOP_CORNERS: [usize; 2] = [0, 2];

/// The rule of the toy task: both top corners are white.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TopCornersWhite;

impl Oracle<Image> for TopCornersWhite {
    fn label(&self, x: &Image) -> u8 {
        u8::from(TOP_CORNERS.iter().all(|&p| x.cells().get(p) == Some(&1)))
    }

    fn relevant(&self) -> &[usize] {
        &TOP_CORNERS
    }
}

/// Draws one image (each pixel white with probability 1/2) with its label.
pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Example<Image> {
    let cells: [u8; PIXELS] = core::array::from_fn(|_| u8::from(bernoulli(rng, 0.5)));
    let image = Grid::new(cells).unwrap_or(Grid::zeros());
    Example::labelled(image, TopCornersWhite.label(&image))
}

/// The nine pixel values as features.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pixels;

impl FeatureMap<Image, PIXELS> for Pixels {
    fn feature(&self, x: &Image, j: usize) -> f32 {
        x.cells().get(j).map_or(0.0, |&v| f32::from(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn about_a_quarter_of_toy_images_are_positive() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(13);
        let positives = (0..4000).filter(|_| generate(&mut rng).label == 1).count();
        assert!((900..1100).contains(&positives), "{positives} positives of 4000");
    }

    #[test]
    fn the_label_is_the_top_corners_rule() {
        let image = Image::new([1, 0, 1, 0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(TopCornersWhite.label(&image), 1);
        let image = Image::new([1, 1, 0, 1, 1, 1, 1, 1, 1]).unwrap();
        assert_eq!(TopCornersWhite.label(&image), 0);
    }
}
