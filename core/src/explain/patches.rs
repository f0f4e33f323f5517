//! Images as square patches that are present or absent: the components
//! Kernel SHAP and LIME explain an image classifier with (SHAP's and LIME's
//! superpixels, on a fixed grid).
//!
//! [`Patches`] is the instance the explainers perturb — a present or absent
//! flag per patch — and [`OnPatches`] scores it: the classifier's logit of a
//! class on the image with every absent patch set to a baseline value.

use super::attribution::Differentiable;
use crate::data::categorical::Categorical;
use crate::error::Error;
use crate::traits::Score;
use nalgebra::SVector;

/// `C` square patches of `side x side` pixels tiling an image `width` pixels
/// wide and `I / width` high, each present or absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patches<const I: usize, const C: usize> {
    present: [bool; C],
    width: usize,
    side: usize,
}

impl<const I: usize, const C: usize> Patches<I, C> {
    /// All patches present.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `side x side` patches do not tile an
    /// image of `I` pixels and this `width` into exactly `C` patches.
    pub fn new(width: usize, side: usize) -> Result<Self, Error> {
        let fits = width > 0
            && side > 0
            && I.is_multiple_of(width)
            && width.is_multiple_of(side)
            && (I / width).is_multiple_of(side)
            && (width / side) * (I / width / side) == C;
        if fits { Ok(Self { present: [true; C], width, side }) } else { Err(Error::InvalidParameter { name: "side" }) }
    }

    /// The patch pixel `pixel` belongs to.
    pub fn patch_of(&self, pixel: usize) -> usize {
        let (row, column) = (pixel / self.width, pixel % self.width);
        (row / self.side) * (self.width / self.side) + column / self.side
    }

    /// `image` with the pixels of every absent patch set to `baseline`.
    pub fn apply(&self, image: &SVector<f32, I>, baseline: f32) -> SVector<f32, I> {
        SVector::from_iterator(image.iter().enumerate().map(|(pixel, &value)| {
            if self.present.get(self.patch_of(pixel)).copied().unwrap_or(true) { value } else { baseline }
        }))
    }
}

impl<const I: usize, const C: usize> Categorical<C> for Patches<I, C> {
    /// Absent (0) or present (1).
    fn levels(&self) -> u8 {
        2
    }

    fn value(&self, component: usize) -> Option<u8> {
        self.present.get(component).map(|&present| u8::from(present))
    }

    fn set_value(&mut self, component: usize, value: u8) -> Result<(), Error> {
        let present = self.present.get_mut(component).ok_or(Error::OutOfRange { index: component, len: C })?;
        match value {
            0 | 1 => {
                *present = value == 1;
                Ok(())
            }
            _ => Err(Error::OutOfRange { index: usize::from(value), len: 2 }),
        }
    }

    /// Hiding a patch makes it absent.
    fn hide(&mut self, component: usize) -> Result<(), Error> {
        self.set_value(component, 0)
    }

    fn is_hidden(&self, component: usize) -> bool {
        self.present.get(component).is_some_and(|&present| !present)
    }
}

/// A classifier's logit of `class` on `image` as a score of which patches
/// are present: what Kernel SHAP and LIME explain.
#[derive(Debug, Clone, Copy)]
pub struct OnPatches<'a, M, const I: usize> {
    /// The classifier.
    pub model: &'a M,
    /// The image explained.
    pub image: &'a SVector<f32, I>,
    /// The value of an absent patch's pixels (0 is black).
    pub baseline: f32,
    /// The class whose logit is explained.
    pub class: usize,
}

impl<M: Differentiable<I>, const I: usize, const C: usize> Score<Patches<I, C>> for OnPatches<'_, M, I> {
    /// The logit, or NaN for a class the model does not have (explainers
    /// then refuse the score).
    fn score(&self, patches: &Patches<I, C>) -> f32 {
        self.model.logit(&patches.apply(self.image, self.baseline), self.class).unwrap_or(f32::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::{Absent, Explainer, KernelShap};
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// `z_c(x) = Σ_i w_i x_i` for every class: additive over pixels.
    struct Additive([f32; 16]);

    impl Differentiable<16> for Additive {
        fn logit(&self, x: &SVector<f32, 16>, _: usize) -> Result<f32, Error> {
            Ok(x.iter().zip(&self.0).map(|(x, w)| x * w).sum())
        }

        fn logit_gradient(&self, _: &SVector<f32, 16>, _: usize) -> Result<SVector<f32, 16>, Error> {
            Ok(SVector::from(self.0))
        }
    }

    #[test]
    fn shapley_values_of_patches_of_an_additive_model_are_their_pixels_sums() {
        let weights: [f32; 16] = core::array::from_fn(|i| (i as f32 - 7.0) / 4.0);
        let image = SVector::<f32, 16>::from_fn(|i, _| (i % 5) as f32);
        let model = Additive(weights);
        let score = OnPatches { model: &model, image: &image, baseline: 0.5, class: 0 };
        // A 4 x 4 image in four 2 x 2 patches.
        let patches = Patches::<16, 4>::new(4, 2).unwrap();
        assert_eq!(
            (0..16).map(|p| patches.patch_of(p)).collect::<heapless::Vec<usize, 16>>(),
            [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]
        );
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let phi = KernelShap::new(Absent::Hidden).explain(&score, &patches, 4, &mut rng).unwrap();
        for c in 0..4 {
            let expected: f32 =
                (0..16).filter(|&p| patches.patch_of(p) == c).map(|p| weights[p] * (image[p] - 0.5)).sum();
            approx::assert_abs_diff_eq!(phi.relevance()[c], expected, epsilon = 1e-4);
        }
    }

    #[test]
    fn patches_that_do_not_tile_the_image_are_refused() {
        assert!(Patches::<16, 4>::new(4, 2).is_ok());
        assert_eq!(Patches::<16, 4>::new(4, 3), Err(Error::InvalidParameter { name: "side" }));
        assert_eq!(Patches::<16, 2>::new(4, 2), Err(Error::InvalidParameter { name: "side" }));
        assert_eq!(Patches::<16, 4>::new(0, 2), Err(Error::InvalidParameter { name: "side" }));
        let mut patches = Patches::<16, 4>::new(4, 2).unwrap();
        assert_eq!(patches.set_value(4, 0), Err(Error::OutOfRange { index: 4, len: 4 }));
        assert_eq!(patches.set_value(0, 2), Err(Error::OutOfRange { index: 2, len: 2 }));
        patches.hide(1).unwrap();
        assert!(patches.is_hidden(1) && !patches.is_hidden(0));
        let image = SVector::<f32, 16>::repeat(9.0);
        assert_eq!(patches.apply(&image, 0.0).iter().filter(|&&v| v == 0.0).count(), 4);
    }
}
