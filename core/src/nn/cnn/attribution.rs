//! A [`Classifier`] as the attribution methods see it (see
//! [`crate::explain::attribution`]): logits and their input gradients over a
//! flat vector of `I` pixels, `DeepLIFT` multipliers, and the features' maps
//! for Grad-CAM.

use super::classifier::Classifier;
use super::layer::{Network, Values};
use super::tensor::Vector;
use crate::error::Error;
use crate::explain::attribution::{Differentiable, FeatureMaps, Rescaled};
use nalgebra::SVector;

/// `x` as the network's input, or an error when it has another size.
pub(crate) fn to_input<X: Values, const I: usize>(x: &SVector<f32, I>) -> Result<X, Error> {
    let [c, h, w] = X::SHAPE;
    if c.checked_mul(h).and_then(|n| n.checked_mul(w)) != Some(I) {
        return Err(Error::InvalidParameter { name: "input_size" });
    }
    let mut input = X::zeros();
    for (slot, &value) in input.as_mut_slice().iter_mut().zip(x.iter()) {
        *slot = value;
    }
    Ok(input)
}

pub(crate) fn to_vector<X: Values, const I: usize>(x: &X) -> SVector<f32, I> {
    SVector::from_fn(|i, _| x.as_slice().get(i).copied().unwrap_or(0.0))
}

impl<F, Hd, const I: usize, const O: usize> Differentiable<I> for Classifier<F, Hd>
where
    F: Network,
    Hd: Network<Input = F::Output, Output = Vector<O>>,
{
    fn logit(&self, x: &SVector<f32, I>, class: usize) -> Result<f32, Error> {
        let logits = self.logits(&to_input(x)?);
        logits.as_slice().get(class).copied().ok_or(Error::OutOfRange { index: class, len: O })
    }

    fn logit_gradient(&self, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error> {
        Ok(to_vector(&Classifier::logit_gradient(self, &to_input(x)?, class)?))
    }
}

impl<F, Hd, const I: usize, const O: usize> Rescaled<I> for Classifier<F, Hd>
where
    F: Network,
    Hd: Network<Input = F::Output, Output = Vector<O>>,
{
    fn multipliers(
        &self,
        x: &SVector<f32, I>,
        reference: &SVector<f32, I>,
        class: usize,
    ) -> Result<SVector<f32, I>, Error> {
        Ok(to_vector(&Classifier::multipliers(self, &to_input(x)?, &to_input(reference)?, class)?))
    }
}

impl<F, Hd, const I: usize, const O: usize> FeatureMaps<I> for Classifier<F, Hd>
where
    F: Network,
    Hd: Network<Input = F::Output, Output = Vector<O>>,
{
    fn map_shape(&self) -> [usize; 3] {
        F::Output::SHAPE
    }

    fn image_shape(&self) -> [usize; 2] {
        let [_, height, width] = F::Input::SHAPE;
        [height, width]
    }

    fn feature_maps(
        &self,
        x: &SVector<f32, I>,
        class: usize,
        visit: &mut dyn FnMut(&[f32], &[f32]),
    ) -> Result<(), Error> {
        let (maps, gradient) = self.feature_gradient(&to_input(x)?, class)?;
        visit_maps(&maps, &gradient, visit);
        Ok(())
    }
}

/// Calls `visit` with each map's activations and gradient, map by map.
pub(crate) fn visit_maps<T: Values>(maps: &T, gradient: &T, visit: &mut dyn FnMut(&[f32], &[f32])) {
    let [_, height, width] = T::SHAPE;
    let cells = height.saturating_mul(width).max(1);
    for (activations, gradient) in maps.as_slice().chunks(cells).zip(gradient.as_slice().chunks(cells)) {
        visit(activations, gradient);
    }
}
