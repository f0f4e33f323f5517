//! Bayesian layers (seed 003): weights with mean-field Gaussian posteriors
//! `N(μ, softplus(ρ)²)`, sampled through the local reparameterisation trick
//! (Kingma et al. 2015): an affine layer's pre-activation given its input is
//! Gaussian, with mean from `μ` and variance from `σ²` and the squared input,
//! so one standard normal per activation and Monte Carlo sample replaces one
//! per weight. [`Bayesian`] turns any affine layer of [`cnn`](super::cnn)
//! ([`Dense`](super::cnn::Dense), [`Conv2d`](super::cnn::Conv2d)) into its
//! Bayesian version; its KL divergence to the prior `N(0, s²)` is closed
//! form ([`gaussian`]).

mod attribution;
mod classifier;
pub mod feedback;
pub mod gaussian;
mod layer;

pub use classifier::{BayesClassifier, BayesExample, BayesTrainer, ElboTerms};
pub use layer::Bayesian;

#[cfg(test)]
mod tests;
