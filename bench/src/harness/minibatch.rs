//! Minibatch training shared by the networks' experiments: any
//! [`Trainable`] network, one epoch at a time, each minibatch split in two
//! halves whose gradients are computed on two threads and summed in a fixed
//! order (the numbers do not depend on scheduling).

use crate::error::{Error, Result};
use nalgebra::SVector;
use xil_core::nn::cnn::{Classifier, ClassifierExample, ClassifierTrainer, Network, Values, Vector};
use xil_core::nn::mlp::{Mlp, MlpExample, MlpLoss, MlpTrainer};
use xil_core::{Adam, Error as CoreError};

/// A network on inputs of `I` values that minibatches train with summed
/// cross-entropy and Adam. Kept boxed: ALEX's network is 11 MB.
pub trait Trainable<const I: usize>: Send + Sync + Sized {
    /// Its optimiser and moments.
    type Trainer: Send;

    /// A zero network, the shape of a gradient.
    fn zeros() -> Box<Self>;

    /// Adam with `PyTorch`'s defaults and this learning rate, no weight
    /// decay.
    ///
    /// # Errors
    /// A learning rate Adam refuses.
    fn trainer(learning_rate: f32) -> std::result::Result<Box<Self::Trainer>, CoreError>;

    /// Sets `gradient` to the gradient of the summed cross-entropy of
    /// `batch` and returns that loss.
    ///
    /// # Errors
    /// An invalid example.
    fn gradient(&self, batch: &[(SVector<f32, I>, u8)], gradient: &mut Self) -> std::result::Result<f32, CoreError>;

    /// `self += other` (sums two threads' gradients).
    fn add(&mut self, other: &Self);

    /// One Adam step.
    fn apply(trainer: &mut Self::Trainer, model: &mut Self, gradient: &Self);

    /// The predicted class.
    fn predict(&self, x: &SVector<f32, I>) -> usize;
}

/// Adam with `PyTorch`'s defaults and this step size.
fn adam(learning_rate: f32) -> Adam {
    Adam { learning_rate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
}

/// `x` as a network's input of the same number of values.
fn to_input<X: Values, const I: usize>(x: &SVector<f32, I>) -> X {
    let mut input = X::zeros();
    for (slot, &value) in input.as_mut_slice().iter_mut().zip(x.iter()) {
        *slot = value;
    }
    input
}

impl<F, Hd, const I: usize, const O: usize> Trainable<I> for Classifier<F, Hd>
where
    F: Network + Send + Sync,
    F::Input: Send + Sync,
    Hd: Network<Input = F::Output, Output = Vector<O>> + Send + Sync,
{
    type Trainer = ClassifierTrainer<F, Hd>;

    fn zeros() -> Box<Self> {
        Box::new(Classifier::zeros())
    }

    fn trainer(learning_rate: f32) -> std::result::Result<Box<Self::Trainer>, CoreError> {
        ClassifierTrainer::new(adam(learning_rate), 0.0).map(Box::new)
    }

    fn gradient(&self, batch: &[(SVector<f32, I>, u8)], gradient: &mut Self) -> std::result::Result<f32, CoreError> {
        gradient.set_zero();
        let inputs: Vec<F::Input> = batch.iter().map(|(x, _)| to_input(x)).collect();
        let examples: Vec<ClassifierExample<'_, F::Input>> =
            inputs.iter().zip(batch).map(|(x, &(_, label))| ClassifierExample { x, label }).collect();
        self.accumulate(&examples, gradient)
    }

    fn add(&mut self, other: &Self) {
        Classifier::add(self, other);
    }

    fn apply(trainer: &mut Self::Trainer, model: &mut Self, gradient: &Self) {
        trainer.apply(model, gradient);
    }

    fn predict(&self, x: &SVector<f32, I>) -> usize {
        Classifier::predict(self, &to_input(x))
    }
}

impl<const I: usize, const H1: usize, const H2: usize, const O: usize> Trainable<I> for Mlp<I, H1, H2, O> {
    type Trainer = MlpTrainer<I, H1, H2, O>;

    fn zeros() -> Box<Self> {
        Box::new(Mlp::zeros())
    }

    fn trainer(learning_rate: f32) -> std::result::Result<Box<Self::Trainer>, CoreError> {
        MlpTrainer::new(adam(learning_rate), 0.0).map(Box::new)
    }

    fn gradient(&self, batch: &[(SVector<f32, I>, u8)], gradient: &mut Self) -> std::result::Result<f32, CoreError> {
        gradient.set_zero();
        let examples: Vec<MlpExample<'_, I>> =
            batch.iter().map(|(x, label)| MlpExample { x, label: *label, irrelevant: &[] }).collect();
        MlpLoss::cross_entropy().accumulate(self, &examples, gradient)
    }

    fn add(&mut self, other: &Self) {
        *self += other;
    }

    fn apply(trainer: &mut Self::Trainer, model: &mut Self, gradient: &Self) {
        trainer.apply(model, gradient);
    }

    fn predict(&self, x: &SVector<f32, I>) -> usize {
        Mlp::predict(self, x)
    }
}

/// A network in training: the model, its optimiser and two gradient
/// buffers.
pub struct Training<M: Trainable<I>, const I: usize> {
    /// The network.
    pub model: Box<M>,
    trainer: Box<M::Trainer>,
    gradients: [Box<M>; 2],
}

impl<M: Trainable<I>, const I: usize> Training<M, I> {
    /// Training of `model` with Adam at `learning_rate`.
    ///
    /// # Errors
    /// [`Error::Core`] for a learning rate Adam refuses.
    pub fn new(model: Box<M>, learning_rate: f32) -> Result<Self> {
        let trainer = M::trainer(learning_rate).map_err(|e| Error::core("--learning-rate", e))?;
        Ok(Self { model, trainer, gradients: [M::zeros(), M::zeros()] })
    }

    /// One pass over `order` in minibatches of `batch`; `example(i)` is
    /// example `i`. Returns the summed loss.
    ///
    /// # Errors
    /// [`Error::Core`] naming the epoch when a gradient fails.
    pub fn epoch(
        &mut self,
        epoch: usize,
        order: &[u32],
        batch: usize,
        example: &(dyn Fn(u32) -> (SVector<f32, I>, u8) + Sync),
    ) -> Result<f64> {
        let mut total = 0.0f64;
        for minibatch in order.chunks(batch.max(1)) {
            let (left, right) = minibatch.split_at(minibatch.len() / 2);
            let [first, second] = &mut self.gradients;
            let model = &*self.model;
            let examples = |indices: &[u32]| indices.iter().map(|&i| example(i)).collect::<Vec<_>>();
            let (a, b) =
                rayon::join(|| model.gradient(&examples(left), first), || model.gradient(&examples(right), second));
            let step = |e| Error::core(format!("epoch {epoch}, gradient"), e);
            total += f64::from(a.map_err(step)?) + f64::from(b.map_err(step)?);
            first.add(second);
            M::apply(&mut self.trainer, &mut self.model, first);
        }
        Ok(total)
    }
}
