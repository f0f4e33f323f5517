//! One weight's mean-field Gaussian posterior `N(μ, σ²)` with `σ =
//! softplus(ρ)`, and its KL divergence to the prior `N(0, s²)` in closed
//! form:
//!
//! `KL = ln(s / σ) + (σ² + μ²) / (2 s²) - 1/2`,
//!
//! with `∂KL/∂μ = μ / s²` and `∂KL/∂σ = -1/σ + σ / s²`, `∂σ/∂ρ = sigmoid(ρ)`.

use crate::maths::{sigmoid, softplus};

/// `σ = softplus(ρ)`, never below the smallest normal `f32` (so `ln σ` and
/// `1/σ` stay finite).
pub fn sigma(rho: f32) -> f32 {
    softplus(rho).max(f32::MIN_POSITIVE)
}

/// `KL(N(μ, σ²) || N(0, s²))` of one weight.
pub fn kl(mu: f32, rho: f32, prior: f32) -> f32 {
    let s = sigma(rho);
    libm::logf(prior / s) + (s * s + mu * mu) / (2.0 * prior * prior) - 0.5
}

/// `(∂KL/∂μ, ∂KL/∂ρ)` of one weight.
pub fn kl_gradient(mu: f32, rho: f32, prior: f32) -> (f32, f32) {
    let s = sigma(rho);
    let variance = prior * prior;
    (mu / variance, (-1.0 / s + s / variance) * sigmoid(rho))
}

/// `∂σ²/∂ρ = 2 σ sigmoid(ρ)`.
pub fn variance_slope(rho: f32) -> f32 {
    2.0 * sigma(rho) * sigmoid(rho)
}
