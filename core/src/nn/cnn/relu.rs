//! [`Relu`]: `max(0, x)` value by value; `DeepLIFT`'s rescale rule gives it
//! the multiplier `Δy / Δx`.

use super::layer::Layer;
use super::tensor::Tensor;

/// Below this change of a unit's input its `DeepLIFT` multiplier is its
/// gradient (the rescale rule's limit `Δx -> 0`).
const SMALLEST_CHANGE: f32 = 1e-6;

/// `y = max(0, x)` on `C` maps of `H x W`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relu<const C: usize, const H: usize, const W: usize>;

impl<const C: usize, const H: usize, const W: usize> Layer for Relu<C, H, W> {
    type Input = Tensor<C, H, W>;
    type Output = Tensor<C, H, W>;

    fn zeros() -> Self {
        Self
    }

    fn forward(&self, input: &Self::Input, output: &mut Self::Output) {
        for (y, &x) in output.as_mut_slice().iter_mut().zip(input.as_slice()) {
            *y = x.max(0.0);
        }
    }

    fn backward(
        &self,
        input: &Self::Input,
        _output: &Self::Output,
        output_gradient: &Self::Output,
        input_gradient: &mut Self::Input,
        _gradient: Option<&mut Self>,
    ) {
        let pairs = input.as_slice().iter().zip(output_gradient.as_slice());
        for (dx, (&x, &dy)) in input_gradient.as_mut_slice().iter_mut().zip(pairs) {
            *dx = if x > 0.0 { dy } else { 0.0 };
        }
    }

    /// The rescale rule: `m_x = m_y (y - y_r) / (x - x_r)`, or the gradient
    /// where `x` barely moves.
    fn multipliers(
        &self,
        passes: [(&Self::Input, &Self::Output); 2],
        output_multipliers: &Self::Output,
        input_multipliers: &mut Self::Input,
    ) {
        let [(input, _), (reference, _)] = passes;
        let pairs = input.as_slice().iter().zip(reference.as_slice());
        for (m, ((&x, &r), &upstream)) in
            input_multipliers.as_mut_slice().iter_mut().zip(pairs.zip(output_multipliers.as_slice()))
        {
            let change = x - r;
            let slope = if libm::fabsf(change) > SMALLEST_CHANGE {
                (x.max(0.0) - r.max(0.0)) / change
            } else if x > 0.0 {
                1.0
            } else {
                0.0
            };
            *m = slope * upstream;
        }
    }

    fn parameters(&self) -> impl Iterator<Item = &[f32]> {
        core::iter::empty()
    }

    fn parameters_mut(&mut self) -> impl Iterator<Item = &mut [f32]> {
        core::iter::empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::cnn::testing::{TraceOf, check_layer_gradients, input};

    #[test]
    fn gradients_match_finite_differences_and_multipliers_rescale() {
        check_layer_gradients::<Relu<2, 3, 4>>(6, input());
        let x = Tensor::<1, 1, 4>::from_slice(&[2.0, -1.0, 3.0, 0.5]);
        let r = Tensor::<1, 1, 4>::from_slice(&[-2.0, -3.0, 1.0, 0.5]);
        let up = Tensor::<1, 1, 4>::from_slice(&[1.0, 1.0, 2.0, 1.0]);
        let mut m = Tensor::zeros();
        let (y, yr) = (Relu.trace_of(&x), Relu.trace_of(&r));
        Relu.multipliers([(&x, &y), (&r, &yr)], &up, &mut m);
        // (2 - 0) / 4, (0 - 0) / 2, 2 (3 - 1) / 2, and the gradient where x = r.
        assert_eq!(m.as_slice(), &[0.5, 0.0, 2.0, 1.0]);
    }
}
