//! [`Flatten`]: `C` maps of `H x W` as one vector of `N = C H W` units, in
//! storage order (`PyTorch`'s `flatten` of a `C x H x W` tensor).

use super::layer::Layer;
use super::tensor::{Tensor, Vector};

/// The maps `C x H x W` as a vector of `N` units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flatten<const C: usize, const H: usize, const W: usize, const N: usize>;

impl<const C: usize, const H: usize, const W: usize, const N: usize> Flatten<C, H, W, N> {
    const SIZES: () = assert!(N == C * H * W, "a flattened vector has C H W units");
}

/// `to = from` (both have `N` values).
fn copy(from: &[f32], to: &mut [f32]) {
    for (to, &from) in to.iter_mut().zip(from) {
        *to = from;
    }
}

impl<const C: usize, const H: usize, const W: usize, const N: usize> Layer for Flatten<C, H, W, N> {
    type Input = Tensor<C, H, W>;
    type Output = Vector<N>;

    fn zeros() -> Self {
        Self
    }

    fn forward(&self, input: &Self::Input, output: &mut Self::Output) {
        let () = Self::SIZES;
        copy(input.as_slice(), output.as_mut_slice());
    }

    fn backward(
        &self,
        _input: &Self::Input,
        _output: &Self::Output,
        output_gradient: &Self::Output,
        input_gradient: &mut Self::Input,
        _gradient: Option<&mut Self>,
    ) {
        let () = Self::SIZES;
        copy(output_gradient.as_slice(), input_gradient.as_mut_slice());
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
    use crate::nn::cnn::testing::{check_layer_gradients, input};

    #[test]
    fn gradients_match_finite_differences() {
        check_layer_gradients::<Flatten<2, 3, 2, 12>>(8, input());
    }
}
