//! The three networks behind one interface: built, trained by minibatches on
//! two threads, and explained by every attribution method.

use crate::data::fashion::{CLASSES, PIXELS};
use nalgebra::SVector;
use xil_core::explain::attribution::{Attribution, GradCam, Rescaled};
use xil_core::nn::cnn::{Classifier, ClassifierExample, ClassifierTrainer, Network, Tensor, Vector};
use xil_core::nn::mlp::{Mlp, MlpExample, MlpLoss, MlpTrainer};
use xil_core::{Adam, Error as CoreError};

/// One image as the networks see it: 784 values in `[0, 1]`.
pub type Input = SVector<f32, PIXELS>;

/// The decoy experiment's perceptron.
pub type Perceptron = Mlp<PIXELS, 50, 30, CLASSES>;

/// A network the attributions run can train and explain. Built on a thread
/// with a large stack (ALEX's network is 11 MB) and kept boxed.
pub trait Model: Rescaled<PIXELS> + Send + Sync + Sized {
    /// Its optimiser and moments.
    type Trainer: Send;

    /// A network drawn from `rng`.
    ///
    /// # Errors
    /// Sizes or scales the network refuses.
    fn build(rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> Result<Box<Self>, CoreError>;

    /// A zero network, the shape of a gradient.
    fn zeros() -> Box<Self>;

    /// Adam with this learning rate, no weight decay.
    ///
    /// # Errors
    /// A learning rate Adam refuses.
    fn trainer(learning_rate: f32) -> Result<Box<Self::Trainer>, CoreError>;

    /// Sets `gradient` to the gradient of the summed cross-entropy of
    /// `batch` and returns that loss.
    ///
    /// # Errors
    /// An invalid example.
    fn gradient(&self, batch: &[(Input, u8)], gradient: &mut Self) -> Result<f32, CoreError>;

    /// `self += other` (sums two threads' gradients).
    fn add(&mut self, other: &Self);

    /// One Adam step.
    fn apply(trainer: &mut Self::Trainer, model: &mut Self, gradient: &Self);

    /// The predicted class.
    fn predict(&self, x: &Input) -> usize;

    /// Every parameter, in core's order (for `PyTorch`'s layers of the same
    /// shapes: convolution weights `[out][in][row][column]`, dense weights
    /// `[out][in]`, each followed by its bias; the perceptron's weights are
    /// stored one input's column after another).
    fn flat_parameters(&self) -> Vec<f32>;

    /// Grad-CAM of `class` at `x`, or `None` for a network without
    /// convolutions.
    fn grad_cam(&self, x: &Input, class: usize) -> Option<Result<Input, CoreError>>;
}

/// Adam with `PyTorch`'s defaults and this step size.
fn adam(learning_rate: f32) -> Adam {
    Adam { learning_rate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
}

impl<F, Hd> Model for Classifier<F, Hd>
where
    F: Network<Input = Tensor<1, 28, 28>> + Send + Sync,
    Hd: Network<Input = F::Output, Output = Vector<CLASSES>> + Send + Sync,
{
    type Trainer = ClassifierTrainer<F, Hd>;

    fn build(rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> Result<Box<Self>, CoreError> {
        Ok(Box::new(Classifier::new(rng)))
    }

    fn zeros() -> Box<Self> {
        Box::new(Classifier::zeros())
    }

    fn trainer(learning_rate: f32) -> Result<Box<Self::Trainer>, CoreError> {
        ClassifierTrainer::new(adam(learning_rate), 0.0).map(Box::new)
    }

    fn gradient(&self, batch: &[(Input, u8)], gradient: &mut Self) -> Result<f32, CoreError> {
        gradient.set_zero();
        let images: Vec<Tensor<1, 28, 28>> = batch.iter().map(|(x, _)| Tensor::from_slice(x.as_slice())).collect();
        let examples: Vec<ClassifierExample<'_, Tensor<1, 28, 28>>> =
            images.iter().zip(batch).map(|(x, &(_, label))| ClassifierExample { x, label }).collect();
        self.accumulate(&examples, gradient)
    }

    fn add(&mut self, other: &Self) {
        Classifier::add(self, other);
    }

    fn apply(trainer: &mut Self::Trainer, model: &mut Self, gradient: &Self) {
        trainer.apply(model, gradient);
    }

    fn predict(&self, x: &Input) -> usize {
        Classifier::predict(self, &Tensor::from_slice(x.as_slice()))
    }

    fn flat_parameters(&self) -> Vec<f32> {
        self.parameters().flatten().copied().collect()
    }

    fn grad_cam(&self, x: &Input, class: usize) -> Option<Result<Input, CoreError>> {
        Some(GradCam.attribute(self, x, class))
    }
}

impl Model for Perceptron {
    type Trainer = MlpTrainer<PIXELS, 50, 30, CLASSES>;

    /// `PyTorch`'s initialisation would be uniform; the decoy experiment's
    /// `N(0, 0.1²)` is kept so the MLP is the one of Table 1.
    fn build(rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> Result<Box<Self>, CoreError> {
        Mlp::new(0.1, rng).map(Box::new)
    }

    fn zeros() -> Box<Self> {
        Box::new(Mlp::zeros())
    }

    fn trainer(learning_rate: f32) -> Result<Box<Self::Trainer>, CoreError> {
        MlpTrainer::new(adam(learning_rate), 0.0).map(Box::new)
    }

    fn gradient(&self, batch: &[(Input, u8)], gradient: &mut Self) -> Result<f32, CoreError> {
        gradient.set_zero();
        let examples: Vec<MlpExample<'_, PIXELS>> =
            batch.iter().map(|(x, label)| MlpExample { x, label: *label, irrelevant: &[] }).collect();
        MlpLoss::cross_entropy().accumulate(self, &examples, gradient)
    }

    fn add(&mut self, other: &Self) {
        *self += other;
    }

    fn apply(trainer: &mut Self::Trainer, model: &mut Self, gradient: &Self) {
        trainer.apply(model, gradient);
    }

    fn predict(&self, x: &Input) -> usize {
        Mlp::predict(self, x)
    }

    fn flat_parameters(&self) -> Vec<f32> {
        self.parameters().into_iter().flatten().copied().collect()
    }

    fn grad_cam(&self, _: &Input, _: usize) -> Option<Result<Input, CoreError>> {
        None
    }
}
