//! Attribution maps of a differentiable classifier over its inputs (pixels):
//! the methods seed 003 compares, behind one [`Attribution`] trait so an
//! experiment can swap them.
//!
//! Every method explains the logit `z_c` of a class `c`:
//! - [`Saliency`] (Simonyan et al. 2014): `|∂z_c/∂x_i|`;
//! - [`InputTimesGradient`] (Shrikumar et al. 2016): `x_i ∂z_c/∂x_i`;
//! - [`Occlusion`] (Zeiler & Fergus 2014): a square window slides over the
//!   image and is set to a baseline value; a pixel's attribution is the mean
//!   drop `z_c(x) - z_c(x occluded)` over the windows that cover it (as
//!   captum's `Occlusion`);
//! - [`DeepLift`] (Shrikumar et al. 2017, rescale rule): `(x_i - r_i) m_i` with
//!   multipliers backpropagated through each ReLU as `Δpost / Δpre` against a
//!   reference input `r`; the attributions add up to `z_c(x) - z_c(r)`;
//! - [`GradCam`] (Selvaraju et al. 2017): the last convolutional layer's maps
//!   `A_k` weighed by their mean gradient, `relu(Σ_k α_k A_k)` with
//!   `α_k = mean_{h,w} ∂z_c/∂A_k[h,w]`, brought to the input's size by
//!   nearest-neighbour upsampling (captum's `LayerGradCam` followed by
//!   `LayerAttribution.interpolate`, whose default mode is "nearest").

use crate::error::Error;
use nalgebra::SVector;

/// A classifier whose class logits and their input gradients are known.
pub trait Differentiable<const I: usize> {
    /// The logit `z_class(x)`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class the model does not have.
    fn logit(&self, x: &SVector<f32, I>, class: usize) -> Result<f32, Error>;

    /// The gradient `∂z_class/∂x`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class the model does not have.
    fn logit_gradient(&self, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error>;
}

/// A ReLU network whose `DeepLIFT` multipliers (rescale rule) are known.
pub trait Rescaled<const I: usize>: Differentiable<I> {
    /// The multipliers `m` of the inputs for the logit of `class` against
    /// `reference`: `Σ_i (x_i - r_i) m_i = z_class(x) - z_class(r)`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class the model does not have.
    fn multipliers(
        &self,
        x: &SVector<f32, I>,
        reference: &SVector<f32, I>,
        class: usize,
    ) -> Result<SVector<f32, I>, Error>;
}

/// A convolutional classifier whose last convolutional maps, and the
/// gradient of a class logit with respect to them, are known.
pub trait FeatureMaps<const I: usize>: Differentiable<I> {
    /// `[channels, height, width]` of the maps.
    fn map_shape(&self) -> [usize; 3];

    /// `[height, width]` of the input image (`height * width = I`).
    fn image_shape(&self) -> [usize; 2];

    /// Calls `visit(activations, gradient)` once per channel, each a
    /// `height x width` map row by row, for the logit of `class` at `x`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a class the model does not have.
    fn feature_maps(
        &self,
        x: &SVector<f32, I>,
        class: usize,
        visit: &mut dyn FnMut(&[f32], &[f32]),
    ) -> Result<(), Error>;
}

/// An attribution method: how much each input of `x` accounts for the
/// model's logit of `class`.
pub trait Attribution<M, const I: usize> {
    /// The attribution map, one value per input.
    ///
    /// # Errors
    /// A class the model does not have, or settings that do not fit `I`.
    fn attribute(&self, model: &M, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error>;
}

/// Saliency: the magnitude of the logit's input gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Saliency;

impl<M: Differentiable<I>, const I: usize> Attribution<M, I> for Saliency {
    fn attribute(&self, model: &M, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error> {
        Ok(model.logit_gradient(x, class)?.abs())
    }
}

/// Input times gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InputTimesGradient;

impl<M: Differentiable<I>, const I: usize> Attribution<M, I> for InputTimesGradient {
    fn attribute(&self, model: &M, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error> {
        Ok(x.component_mul(&model.logit_gradient(x, class)?))
    }
}

/// Occlusion of square windows of an image `width` pixels wide (row by
/// row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Occlusion {
    /// Pixels per image row (the image has `I / width` rows).
    pub width: usize,
    /// Side of the occluding window.
    pub window: usize,
    /// Step between windows, in both directions.
    pub stride: usize,
    /// The value occluded pixels take.
    pub baseline: f32,
}

impl<M: Differentiable<I>, const I: usize> Attribution<M, I> for Occlusion {
    fn attribute(&self, model: &M, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error> {
        let Occlusion { width, window, stride, baseline } = *self;
        if width == 0 || !I.is_multiple_of(width) {
            return Err(Error::InvalidParameter { name: "width" });
        }
        let height = I / width;
        if window == 0 || window > width.min(height) {
            return Err(Error::InvalidParameter { name: "window" });
        }
        if stride == 0 {
            return Err(Error::InvalidParameter { name: "stride" });
        }
        if !baseline.is_finite() {
            return Err(Error::InvalidParameter { name: "baseline" });
        }
        let original = model.logit(x, class)?;
        let mut sums = SVector::<f32, I>::zeros();
        let mut counts = SVector::<f32, I>::zeros();
        for top in (0..=height - window).step_by(stride) {
            for left in (0..=width - window).step_by(stride) {
                let covered = |i: usize| {
                    (top..top + window).contains(&(i / width)) && (left..left + window).contains(&(i % width))
                };
                let occluded = SVector::<f32, I>::from_fn(|i, _| {
                    if covered(i) { baseline } else { x.get(i).copied().unwrap_or(baseline) }
                });
                let drop = original - model.logit(&occluded, class)?;
                for i in (0..I).filter(|&i| covered(i)) {
                    if let (Some(sum), Some(count)) = (sums.get_mut(i), counts.get_mut(i)) {
                        *sum += drop;
                        *count += 1.0;
                    }
                }
            }
        }
        Ok(sums.zip_map(&counts, |sum, count| if count > 0.0 { sum / count } else { 0.0 }))
    }
}

/// `DeepLIFT` with the rescale rule against a reference input (all zeros, a
/// black image, is the usual one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeepLift<const I: usize> {
    /// The reference input `r`.
    pub reference: SVector<f32, I>,
}

impl<M: Rescaled<I>, const I: usize> Attribution<M, I> for DeepLift<I> {
    fn attribute(&self, model: &M, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error> {
        Ok((x - self.reference).component_mul(&model.multipliers(x, &self.reference, class)?))
    }
}

/// Grad-CAM on the last convolutional layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GradCam;

impl<M: FeatureMaps<I>, const I: usize> Attribution<M, I> for GradCam {
    fn attribute(&self, model: &M, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error> {
        let [_, height, width] = model.map_shape();
        let [image_height, image_width] = model.image_shape();
        let cells = height.checked_mul(width).filter(|&cells| cells > 0 && cells <= I);
        let Some(cells) = cells else {
            return Err(Error::InvalidParameter { name: "map_shape" });
        };
        if image_height.checked_mul(image_width) != Some(I) {
            return Err(Error::InvalidParameter { name: "image_shape" });
        }
        // The weighted sum of the maps, in the first `cells` entries.
        let mut cam = SVector::<f32, I>::zeros();
        model.feature_maps(x, class, &mut |activations, gradient| {
            let weight = gradient.iter().sum::<f32>() / cells as f32;
            for (sum, &a) in cam.iter_mut().zip(activations) {
                *sum += weight * a;
            }
        })?;
        Ok(SVector::from_fn(|pixel, _| {
            let (row, column) = (pixel / image_width, pixel % image_width);
            let cell = row * height / image_height * width + column * width / image_width;
            cam.get(cell).copied().unwrap_or(0.0).max(0.0)
        }))
    }
}
