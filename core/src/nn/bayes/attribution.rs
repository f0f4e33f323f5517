//! A [`BayesClassifier`] as the attribution methods see it, under its
//! current noise (clear it for the means' network, as the attribution
//! tables do): logits and input gradients over `I` pixels, `DeepLIFT`
//! multipliers, and the last convolution's maps for Grad-CAM — the `ReLU` of
//! its pre-activations, weighed by the gradient with respect to the
//! pre-activations (0 where the `ReLU` is off).

use super::classifier::BayesClassifier;
use crate::error::Error;
use crate::explain::attribution::{Differentiable, FeatureMaps, Rescaled};
use crate::nn::cnn::attribution::{to_input, to_vector, visit_maps};
use crate::nn::cnn::{Layer, Network, Values, Vector};
use nalgebra::SVector;

impl<Fr, Cv, Hd, const I: usize, const O: usize> Differentiable<I> for BayesClassifier<Fr, Cv, Hd>
where
    Fr: Network,
    Cv: Layer<Input = Fr::Output>,
    Hd: Network<Input = Cv::Output, Output = Vector<O>>,
{
    fn logit(&self, x: &SVector<f32, I>, class: usize) -> Result<f32, Error> {
        let logits = self.logits(&to_input(x)?);
        logits.as_slice().get(class).copied().ok_or(Error::OutOfRange { index: class, len: O })
    }

    fn logit_gradient(&self, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error> {
        Ok(to_vector(&BayesClassifier::logit_gradient(self, &to_input(x)?, class)?))
    }
}

impl<Fr, Cv, Hd, const I: usize, const O: usize> Rescaled<I> for BayesClassifier<Fr, Cv, Hd>
where
    Fr: Network,
    Cv: Layer<Input = Fr::Output>,
    Hd: Network<Input = Cv::Output, Output = Vector<O>>,
{
    fn multipliers(
        &self,
        x: &SVector<f32, I>,
        reference: &SVector<f32, I>,
        class: usize,
    ) -> Result<SVector<f32, I>, Error> {
        Ok(to_vector(&BayesClassifier::multipliers(self, &to_input(x)?, &to_input(reference)?, class)?))
    }
}

impl<Fr, Cv, Hd, const I: usize, const O: usize> FeatureMaps<I> for BayesClassifier<Fr, Cv, Hd>
where
    Fr: Network,
    Cv: Layer<Input = Fr::Output>,
    Hd: Network<Input = Cv::Output, Output = Vector<O>>,
{
    fn map_shape(&self) -> [usize; 3] {
        Cv::Output::SHAPE
    }

    fn image_shape(&self) -> [usize; 2] {
        let [_, height, width] = Fr::Input::SHAPE;
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
