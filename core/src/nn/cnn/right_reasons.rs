//! Ross et al.'s "right for the right reasons" penalty on a [`Classifier`]:
//! the input gradient of the summed log-probabilities, masked by the
//! annotation `A` (1 where the input must not matter), squared:
//!
//! ```text
//! R(θ) = λ Σ_d (A_d ∂s/∂x_d)²,   s(x; θ) = Σ_k log p_k(x; θ)
//! ```
//!
//! Its parameter gradient needs second derivatives. With `u = 2λ A² ⊙ ∇_x s`
//! held fixed, `∇_θ R = ∇_θ (u · ∇_x s) = d/dε ∇_θ s(x + εu; θ)` at `ε = 0`,
//! which is taken here as a central difference of two ordinary backward
//! passes at `x ± h u` (a finite-difference Hessian-vector product), `h`
//! chosen so that no input moves by more than [`PENALTY_STEP`]. Inside one
//! linear region of the ReLU / max-pool network the difference is exact up
//! to rounding; a unit that switches within `± h u` is the only other error.
//! Both passes add straight into the caller's gradient (the backward passes
//! are linear in their upstream gradient), so nothing network-sized is
//! allocated.

use super::classifier::{Classifier, log_softmax};
use super::layer::{Network, Values};
use super::tensor::Vector;
use crate::error::Error;

/// The largest input change of the finite-difference passes (inputs in
/// `[0, 1]`).
pub const PENALTY_STEP: f32 = 1e-3;

impl<F, Hd, const O: usize> Classifier<F, Hd>
where
    F: Network,
    Hd: Network<Input = F::Output, Output = Vector<O>>,
{
    /// `∇_x Σ_k log p_k(x)`.
    pub fn log_probability_sum_gradient(&self, x: &F::Input) -> F::Input {
        self.log_probability_sum_backward(x, 1.0, None)
    }

    /// The penalty `weight · Σ_d (irrelevant_d ∂s/∂x_d)²` at `x`.
    ///
    /// # Errors
    /// [`Error::NonFinite`] for a NaN or infinite input or mask,
    /// [`Error::InvalidParameter`] (`weight`) for a negative or non-finite
    /// weight.
    pub fn right_reasons_penalty(&self, x: &F::Input, irrelevant: &F::Input, weight: f32) -> Result<f32, Error> {
        check(x, irrelevant, weight)?;
        Ok(penalty(&self.log_probability_sum_gradient(x), irrelevant, weight))
    }

    /// Adds the penalty's parameter gradient (see the module docs) to
    /// `gradient` and returns the penalty.
    ///
    /// # Errors
    /// As [`right_reasons_penalty`](Self::right_reasons_penalty); nothing is
    /// added then.
    pub fn accumulate_right_reasons(
        &self,
        x: &F::Input,
        irrelevant: &F::Input,
        weight: f32,
        gradient: &mut Self,
    ) -> Result<f32, Error> {
        check(x, irrelevant, weight)?;
        let g = self.log_probability_sum_gradient(x);
        let value = penalty(&g, irrelevant, weight);
        // u = ∂R/∂g = 2 λ A² ⊙ g.
        let mut u = g;
        for (u, &a) in u.as_mut_slice().iter_mut().zip(irrelevant.as_slice()) {
            *u *= 2.0 * weight * a * a;
        }
        let largest = u.as_slice().iter().fold(0.0f32, |m, v| m.max(v.abs()));
        if !(largest > 0.0 && largest.is_finite()) {
            return Ok(value);
        }
        let h = PENALTY_STEP / largest;
        for sign in [1.0f32, -1.0] {
            let mut moved = x.clone();
            for (m, &step) in moved.as_mut_slice().iter_mut().zip(u.as_slice()) {
                *m += sign * h * step;
            }
            self.log_probability_sum_backward(&moved, sign / (2.0 * h), Some(gradient));
        }
        Ok(value)
    }

    /// The input gradient of `scale · Σ_k log p_k(x)`, adding its parameter
    /// gradient to `parameters` when given.
    fn log_probability_sum_backward(&self, x: &F::Input, scale: f32, parameters: Option<&mut Self>) -> F::Input {
        let features = self.features.trace(x);
        let maps = F::output(&features);
        let head = self.head.trace(maps);
        // ∂/∂z_j Σ_k log p_k = Σ_k (δ_kj - p_j) = 1 - O p_j.
        let mut dz = log_softmax(Hd::output(&head));
        for value in dz.as_mut_slice() {
            *value = scale * (1.0 - O as f32 * libm::expf(*value));
        }
        let mut map_gradient = F::Output::zeros();
        let mut input_gradient = F::Input::zeros();
        match parameters {
            Some(gradient) => {
                self.head.backward(maps, &head, &dz, &mut map_gradient, Some(&mut gradient.head));
                self.features.backward(x, &features, &map_gradient, &mut input_gradient, Some(&mut gradient.features));
            }
            None => {
                self.head.backward(maps, &head, &dz, &mut map_gradient, None);
                self.features.backward(x, &features, &map_gradient, &mut input_gradient, None);
            }
        }
        input_gradient
    }
}

/// `weight · Σ (A ⊙ g)²`.
fn penalty<X: Values>(g: &X, irrelevant: &X, weight: f32) -> f32 {
    weight * g.as_slice().iter().zip(irrelevant.as_slice()).map(|(&g, &a)| (a * g) * (a * g)).sum::<f32>()
}

fn check<X: Values>(x: &X, irrelevant: &X, weight: f32) -> Result<(), Error> {
    if !(weight.is_finite() && weight >= 0.0) {
        return Err(Error::InvalidParameter { name: "weight" });
    }
    let finite = |values: &[f32]| values.iter().all(|v| v.is_finite());
    if !(finite(x.as_slice()) && finite(irrelevant.as_slice())) {
        return Err(Error::NonFinite { example: 0 });
    }
    Ok(())
}
