//! Networks trained with [`adam`]: the self-explaining network of CALIMOCHO
//! ([`senn`]), the multi-layer perceptron of decoy Fashion-MNIST with the
//! right-for-the-right-reasons penalty ([`mlp`]) and the convolutional
//! networks of ALEX and the Bayesian feedback paper ([`cnn`]).

pub mod adam;
pub mod cnn;
pub mod mlp;
pub mod senn;
