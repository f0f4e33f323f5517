//! Networks trained with [`adam`]: the self-explaining network of CALIMOCHO
//! ([`senn`]), the multi-layer perceptron of decoy Fashion-MNIST with the
//! right-for-the-right-reasons penalty ([`mlp`]) and the convolutional
//! networks of ALEX and the Bayesian feedback paper ([`cnn`]), whose weights
//! can be Gaussian ([`bayes`]).

pub mod adam;
pub mod bayes;
pub mod cnn;
pub mod mlp;
pub mod senn;
