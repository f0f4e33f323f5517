//! [`Dense`]: a fully connected layer `y = W x + b` between vectors.
//!
//! `W` is stored row by row (one row per output), so the forward pass is one
//! dot product per output and both gradients are runs of contiguous `axpy`s.

use super::layer::Layer;
use super::tensor::Vector;
use crate::maths::dot;
use crate::random::uniform_f32;
use rand_core::Rng;

/// `y = W x + b` from `IN` to `OUT` units.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense<const IN: usize, const OUT: usize> {
    weights: [[f32; IN]; OUT],
    bias: [f32; OUT],
}

impl<const IN: usize, const OUT: usize> Dense<IN, OUT> {
    /// The weights, one row per output.
    pub fn weights(&self) -> &[[f32; IN]; OUT] {
        &self.weights
    }

    /// The bias.
    pub fn bias(&self) -> &[f32; OUT] {
        &self.bias
    }
}

impl<const IN: usize, const OUT: usize> Layer for Dense<IN, OUT> {
    type Input = Vector<IN>;
    type Output = Vector<OUT>;

    fn zeros() -> Self {
        Self { weights: [[0.0; IN]; OUT], bias: [0.0; OUT] }
    }

    /// `U(-1/√IN, 1/√IN)` for weights and biases.
    fn initialize<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        let bound = 1.0 / libm::sqrtf(IN as f32);
        for parameter in Layer::parameters_mut(self).flatten() {
            *parameter = bound * (2.0 * uniform_f32(rng) - 1.0);
        }
    }

    fn forward(&self, input: &Self::Input, output: &mut Self::Output) {
        let x = input.as_slice();
        for ((y, row), &b) in output.as_mut_slice().iter_mut().zip(&self.weights).zip(&self.bias) {
            *y = b + dot(row, x);
        }
    }

    fn backward(
        &self,
        input: &Self::Input,
        _output: &Self::Output,
        output_gradient: &Self::Output,
        input_gradient: &mut Self::Input,
        gradient: Option<&mut Self>,
    ) {
        input_gradient.set_zero();
        let dx = input_gradient.as_mut_slice();
        for (row, &dy) in self.weights.iter().zip(output_gradient.as_slice()) {
            if dy != 0.0 {
                for (dx, &w) in dx.iter_mut().zip(row) {
                    *dx += dy * w;
                }
            }
        }
        if let Some(gradient) = gradient {
            let x = input.as_slice();
            let rows = gradient.weights.iter_mut().zip(gradient.bias.iter_mut());
            for ((row, bias), &dy) in rows.zip(output_gradient.as_slice()) {
                *bias += dy;
                if dy != 0.0 {
                    for (g, &x) in row.iter_mut().zip(x) {
                        *g += dy * x;
                    }
                }
            }
        }
    }

    fn parameters(&self) -> impl Iterator<Item = &[f32]> {
        [self.weights.as_flattened(), &self.bias[..]].into_iter()
    }

    fn parameters_mut(&mut self) -> impl Iterator<Item = &mut [f32]> {
        [self.weights.as_flattened_mut(), &mut self.bias[..]].into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::cnn::testing::{check_layer_gradients, input};

    #[test]
    fn gradients_match_finite_differences() {
        check_layer_gradients::<Dense<7, 4>>(5, input());
    }
}
