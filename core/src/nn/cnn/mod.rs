//! Convolutional networks without a heap: layers with sizes as const
//! generics, chained into the networks of the papers.
//!
//! A [`Tensor`] holds `C` maps of `H x W` values; a [`Layer`] maps one
//! tensor shape to another with a forward pass, a backward pass (input and
//! parameter gradients) and `DeepLIFT` multipliers; [`Chain`] composes layers
//! into a [`Network`] that keeps every activation for backpropagation. The
//! layers are [`Conv2d`] (stride 1, zero padding), [`MaxPool2`], [`Relu`],
//! [`Flatten`] and [`Dense`]; a [`Classifier`] puts convolutional features
//! and a dense head together, adds the softmax and cross-entropy, and is
//! trained by [`ClassifierTrainer`] with the shared Adam; Ross et al.'s
//! input-gradient penalty ([`Classifier::accumulate_right_reasons`]) makes
//! it right for the right reasons. Sizes that do not
//! fit together (a kernel larger than its map, a flattened vector of the
//! wrong length, layers whose shapes differ) do not compile.
//!
//! [`architectures`] has `LeNet-5`, ALEX's network and the device's network
//! for `8 x 8` digits. Every gradient is checked against central finite
//! differences in the tests.

pub mod architectures;
pub(crate) mod attribution;
pub(crate) mod classifier;
mod conv;
mod dense;
mod flatten;
mod layer;
mod pool;
mod relu;
mod right_reasons;
mod tensor;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

pub use architectures::{AlexCnn, BayesDigitsCnn, BayesLeNet5, DigitsCnn, LeNet5};
pub use classifier::{Classifier, ClassifierExample, ClassifierTrainer};
pub use conv::Conv2d;
pub use dense::Dense;
pub use flatten::Flatten;
pub use layer::{Chain, Layer, Network, Values};
pub use pool::MaxPool2;
pub use relu::Relu;
pub use right_reasons::PENALTY_STEP;
pub use tensor::{Tensor, Vector};
