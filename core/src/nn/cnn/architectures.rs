//! The networks of the papers, as [`Classifier`]s of fixed size.
//!
//! - [`LeNet5`] (`LeCun` et al. 1998; seed 003's model): on `28 x 28`,
//!   conv `5x5x6` (padding 2) → `ReLU` → pool → conv `5x5x16` → `ReLU` →
//!   pool → 120 → 84 → 10 (61,706 parameters). Grad-CAM explains the second
//!   convolution's `10 x 10` maps.
//! - [`AlexCnn`] (seed 002's model): conv `3x3x32` → `ReLU` → dense 128 →
//!   `ReLU` → dense 10 (2,770,634 parameters, 11 MB: box it).
//! - [`BayesLeNet5`] (seed 003's Bayesian `LeNet-5`): the same layers with
//!   Gaussian weights (123,412 parameters: a mean and a `ρ` each), split at
//!   the second convolution, whose pre-activations take the feedback
//!   evidence.
//! - [`DigitsCnn`] (the device's network, for the `8 x 8` UCI digits): conv
//!   `3x3x8` → `ReLU` → pool → dense 32 → `ReLU` → dense 10 (2,746
//!   parameters, 11 KB).
//! - [`BayesDigitsCnn`] (the device's Bayesian network, seed 003's recipe
//!   at `8 x 8`): Gaussian conv `3x3x4` (padding 1) → `ReLU` → conv `3x3x4`,
//!   whose pre-activations take the evidence → `ReLU` → pool → dense 16 →
//!   `ReLU` → dense 10 (950 weights; a mean, a `ρ`, and the kept `σ²` and
//!   `∂σ²/∂ρ` each: 15 KB). Smaller than the deterministic network: a 64 KB
//!   device holds the four copies and the passes' stack.

use super::classifier::Classifier;
use super::conv::Conv2d;
use super::dense::Dense;
use super::flatten::Flatten;
use super::layer::Chain;
use super::pool::MaxPool2;
use super::relu::Relu;
use crate::nn::bayes::{BayesClassifier, Bayesian};

/// Layers run one after the other: `sequential!(A, B, C)` is
/// `Chain<A, Chain<B, C>>`.
macro_rules! sequential {
    ($last:ty) => { $last };
    ($first:ty, $($rest:ty),+) => { Chain<$first, sequential!($($rest),+)> };
}

/// `LeNet-5`'s convolutions, up to the second convolution's activations.
pub type LeNet5Features = sequential!(
    Conv2d<1, 6, 5, 28, 28, 28, 28>,
    Relu<6, 28, 28>,
    MaxPool2<6, 28, 28, 14, 14>,
    Conv2d<6, 16, 5, 14, 14, 10, 10>,
    Relu<16, 10, 10>
);

/// `LeNet-5`'s last pooling and dense layers.
pub type LeNet5Head = sequential!(
    MaxPool2<16, 10, 10, 5, 5>,
    Flatten<16, 5, 5, 400>,
    Dense<400, 120>,
    Relu<120, 1, 1>,
    Dense<120, 84>,
    Relu<84, 1, 1>,
    Dense<84, 10>
);

/// `LeNet-5` on `28 x 28` images.
pub type LeNet5 = Classifier<LeNet5Features, LeNet5Head>;

/// The Bayesian `LeNet-5` up to its second convolution's input.
pub type BayesLeNet5Front =
    sequential!(Bayesian<Conv2d<1, 6, 5, 28, 28, 28, 28>>, Relu<6, 28, 28>, MaxPool2<6, 28, 28, 14, 14>);

/// The Bayesian `LeNet-5`'s second convolution (the one the evidence speaks
/// about).
pub type BayesLeNet5Conv = Conv2d<6, 16, 5, 14, 14, 10, 10>;

/// The Bayesian `LeNet-5` from its second convolution's pre-activations.
pub type BayesLeNet5Head = sequential!(
    Relu<16, 10, 10>,
    MaxPool2<16, 10, 10, 5, 5>,
    Flatten<16, 5, 5, 400>,
    Bayesian<Dense<400, 120>>,
    Relu<120, 1, 1>,
    Bayesian<Dense<120, 84>>,
    Relu<84, 1, 1>,
    Bayesian<Dense<84, 10>>
);

/// Seed 003's Bayesian `LeNet-5` on `28 x 28` images.
pub type BayesLeNet5 = BayesClassifier<BayesLeNet5Front, BayesLeNet5Conv, BayesLeNet5Head>;

/// ALEX's convolution and its activations.
pub type AlexCnnFeatures = sequential!(Conv2d<1, 32, 3, 28, 28, 26, 26>, Relu<32, 26, 26>);

/// ALEX's dense layers.
pub type AlexCnnHead = sequential!(Flatten<32, 26, 26, 21632>, Dense<21632, 128>, Relu<128, 1, 1>, Dense<128, 10>);

/// ALEX's network on `28 x 28` images.
pub type AlexCnn = Classifier<AlexCnnFeatures, AlexCnnHead>;

/// The device network's convolution and its activations.
pub type DigitsCnnFeatures = sequential!(Conv2d<1, 8, 3, 8, 8, 6, 6>, Relu<8, 6, 6>);

/// The device network's pooling and dense layers.
pub type DigitsCnnHead =
    sequential!(MaxPool2<8, 6, 6, 3, 3>, Flatten<8, 3, 3, 72>, Dense<72, 32>, Relu<32, 1, 1>, Dense<32, 10>);

/// The device network on `8 x 8` digits.
pub type DigitsCnn = Classifier<DigitsCnnFeatures, DigitsCnnHead>;

/// The device's Bayesian network up to its second convolution's input.
pub type BayesDigitsFront = sequential!(Bayesian<Conv2d<1, 4, 3, 8, 8, 8, 8>>, Relu<4, 8, 8>);

/// The device's Bayesian network's second convolution (the evidence's).
pub type BayesDigitsConv = Conv2d<4, 4, 3, 8, 8, 6, 6>;

/// The device's Bayesian network from its second convolution's
/// pre-activations.
pub type BayesDigitsHead = sequential!(
    Relu<4, 6, 6>,
    MaxPool2<4, 6, 6, 3, 3>,
    Flatten<4, 3, 3, 36>,
    Bayesian<Dense<36, 16>>,
    Relu<16, 1, 1>,
    Bayesian<Dense<16, 10>>
);

/// The device's Bayesian network on `8 x 8` digits.
pub type BayesDigitsCnn = BayesClassifier<BayesDigitsFront, BayesDigitsConv, BayesDigitsHead>;
