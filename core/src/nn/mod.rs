//! Networks trained with [`adam`]: the self-explaining network of CALIMOCHO
//! ([`senn`]) and the multi-layer perceptron of decoy Fashion-MNIST with the
//! right-for-the-right-reasons penalty ([`mlp`]).

pub mod adam;
pub mod mlp;
pub mod senn;
