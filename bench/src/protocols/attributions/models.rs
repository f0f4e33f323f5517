//! The three networks behind one interface: built, trained by
//! [`Training`](crate::harness::minibatch::Training), and explained by every
//! attribution method.

use crate::data::fashion::{CLASSES, PIXELS};
use crate::harness::minibatch::Trainable;
use nalgebra::SVector;
use xil_core::Error as CoreError;
use xil_core::explain::attribution::{Attribution, GradCam, Rescaled};
use xil_core::nn::bayes::BayesClassifier;
use xil_core::nn::cnn::{Classifier, Layer, Network, Tensor, Vector};
use xil_core::nn::mlp::Mlp;

/// One image as the networks see it: 784 values in `[0, 1]`.
pub type Input = SVector<f32, PIXELS>;

/// The decoy experiment's perceptron.
pub type Perceptron = Mlp<PIXELS, 50, 30, CLASSES>;

/// A network every attribution method can explain.
pub trait Attributable: Rescaled<PIXELS> {
    /// Grad-CAM of `class` at `x`, or `None` for a network without
    /// convolutions.
    fn grad_cam(&self, x: &Input, class: usize) -> Option<Result<Input, CoreError>>;
}

/// A network the attributions run can train and explain. Built on a thread
/// with a large stack (ALEX's network is 11 MB) and kept boxed.
pub trait Model: Trainable<PIXELS> + Attributable {
    /// A network drawn from `rng`.
    ///
    /// # Errors
    /// Sizes or scales the network refuses.
    fn build(rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> Result<Box<Self>, CoreError>;

    /// Every parameter, in core's order (for `PyTorch`'s layers of the same
    /// shapes: convolution weights `[out][in][row][column]`, dense weights
    /// `[out][in]`, each followed by its bias; the perceptron's weights are
    /// stored one input's column after another).
    fn flat_parameters(&self) -> Vec<f32>;

    /// The class probabilities at `x` (softmax of the logits).
    fn probabilities(&self, x: &Input) -> [f32; CLASSES];
}

impl<F, Hd> Model for Classifier<F, Hd>
where
    F: Network<Input = Tensor<1, 28, 28>> + Send + Sync,
    Hd: Network<Input = F::Output, Output = Vector<CLASSES>> + Send + Sync,
{
    fn build(rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> Result<Box<Self>, CoreError> {
        Ok(Box::new(Classifier::new(rng)))
    }

    fn flat_parameters(&self) -> Vec<f32> {
        self.parameters().flatten().copied().collect()
    }

    fn probabilities(&self, x: &Input) -> [f32; CLASSES] {
        let log_p = self.log_probabilities(&Tensor::from_slice(x.as_slice()));
        core::array::from_fn(|c| log_p.as_slice().get(c).map_or(0.0, |v| v.exp()))
    }
}

impl Model for Perceptron {
    /// `PyTorch`'s initialisation would be uniform; the decoy experiment's
    /// `N(0, 0.1²)` is kept so the MLP is the one of Table 1.
    fn build(rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> Result<Box<Self>, CoreError> {
        Mlp::new(0.1, rng).map(Box::new)
    }

    fn flat_parameters(&self) -> Vec<f32> {
        self.parameters().into_iter().flatten().copied().collect()
    }

    fn probabilities(&self, x: &Input) -> [f32; CLASSES] {
        let log_p = self.log_probabilities(x);
        core::array::from_fn(|c| log_p.get(c).map_or(0.0, |v| v.exp()))
    }
}

impl<F, Hd> Attributable for Classifier<F, Hd>
where
    F: Network<Input = Tensor<1, 28, 28>>,
    Hd: Network<Input = F::Output, Output = Vector<CLASSES>>,
{
    fn grad_cam(&self, x: &Input, class: usize) -> Option<Result<Input, CoreError>> {
        Some(GradCam.attribute(self, x, class))
    }
}

impl Attributable for Perceptron {
    fn grad_cam(&self, _: &Input, _: usize) -> Option<Result<Input, CoreError>> {
        None
    }
}

impl<Fr, Cv, Hd> Attributable for BayesClassifier<Fr, Cv, Hd>
where
    Fr: Network<Input = Tensor<1, 28, 28>>,
    Cv: Layer<Input = Fr::Output>,
    Hd: Network<Input = Cv::Output, Output = Vector<CLASSES>>,
{
    /// Under the network's current noise (the tables clear it).
    fn grad_cam(&self, x: &Input, class: usize) -> Option<Result<Input, CoreError>> {
        Some(GradCam.attribute(self, x, class))
    }
}
