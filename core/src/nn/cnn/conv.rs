//! [`Conv2d`]: a 2-D convolution (cross-correlation, as every deep-learning
//! library computes it) with stride 1 and zero padding.
//!
//! ```text
//! y[o][i][j] = b[o] + Σ_c Σ_u Σ_v w[o][c][u][v] x[c][i + u - p][j + v - p]   (x = 0 outside)
//! ```
//!
//! The sizes are const generics: `CI -> CO` channels, a `K x K` kernel, an
//! `H x W` input and an `OH x OW` output. The padding `p` follows from them
//! (`OH = H + 2p - K + 1`): `OH = H - K + 1` is "valid" padding, `OH = H`
//! "same" padding with an odd `K` (`LeNet-5`'s first layer). Sizes that fit no
//! padding are a compile-time error.
//!
//! Every loop runs over whole row segments, so the compiler vectorises the
//! inner loops; the weight and input gradients reuse the forward pass's
//! overlap of output and input rows.

use super::layer::Layer;
use super::tensor::Tensor;
use crate::maths::dot;
use crate::random::uniform_f32;
use rand_core::Rng;

/// A `K x K` convolution from `CI` maps of `H x W` to `CO` maps of
/// `OH x OW`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv2d<
    const CI: usize,
    const CO: usize,
    const K: usize,
    const H: usize,
    const W: usize,
    const OH: usize,
    const OW: usize,
> {
    weights: [[[[f32; K]; K]; CI]; CO],
    bias: [f32; CO],
}

/// The output columns `j` of one kernel column `v` whose input column
/// `j + v - p` lies inside `0..width`: `(first j, end j, first input column)`.
fn overlap(v: usize, padding: usize, width: usize, out_width: usize) -> (usize, usize, usize) {
    let first = padding.saturating_sub(v);
    let end = (width + padding).saturating_sub(v).min(out_width);
    (first, end.max(first), (first + v).saturating_sub(padding))
}

impl<const CI: usize, const CO: usize, const K: usize, const H: usize, const W: usize, const OH: usize, const OW: usize>
    Conv2d<CI, CO, K, H, W, OH, OW>
{
    /// The zero padding on each side; sizes that fit none do not compile.
    pub const PADDING: usize = {
        assert!(CI > 0 && CO > 0 && K > 0 && OH > 0 && OW > 0, "every size must be positive");
        assert!(OH + K > H && OW + K > W, "the output is too small for the kernel");
        let rows = OH + K - 1 - H;
        assert!(rows.is_multiple_of(2) && rows == OW + K - 1 - W, "no padding fits these sizes");
        assert!(rows / 2 < K, "the padding must be smaller than the kernel");
        rows / 2
    };

    /// The kernels, `[out channel][in channel][row][column]`.
    pub fn weights(&self) -> &[[[[f32; K]; K]; CI]; CO] {
        &self.weights
    }

    /// The bias of each output channel.
    pub fn bias(&self) -> &[f32; CO] {
        &self.bias
    }

    /// The input values each kernel cell meets at every output position:
    /// `P[c][u][v][i][j] = x[c][i + u - p][j + v - p]` (0 outside).
    fn patch_matrix(input: &Tensor<CI, H, W>) -> [[[[[f32; OW]; OH]; K]; K]; CI] {
        let mut patches = [[[[[0.0; OW]; OH]; K]; K]; CI];
        for (in_map, channel) in input.0.iter().zip(patches.iter_mut()) {
            for (u, kernel_row) in channel.iter_mut().enumerate() {
                for (v, cell) in kernel_row.iter_mut().enumerate() {
                    Self::for_each_overlap(u, v, |out_row, in_row, columns, in_start| {
                        let target = cell.get_mut(out_row).and_then(|row| row.get_mut(columns));
                        let source = in_map.get(in_row).and_then(|row| row.get(in_start..));
                        if let (Some(target), Some(source)) = (target, source) {
                            for (t, &x) in target.iter_mut().zip(source) {
                                *t = x;
                            }
                        }
                    });
                }
            }
        }
        patches
    }

    /// Calls `visit(out_row, in_row, out_columns, in_start)` for every pair
    /// of an output row and the input row kernel cell `(u, v)` reads for it.
    fn for_each_overlap(u: usize, v: usize, mut visit: impl FnMut(usize, usize, core::ops::Range<usize>, usize)) {
        let padding = Self::PADDING;
        let (first, end, in_start) = overlap(v, padding, W, OW);
        for out_row in 0..OH {
            if let Some(in_row) = (out_row + u).checked_sub(padding).filter(|&row| row < H) {
                visit(out_row, in_row, first..end, in_start);
            }
        }
    }
}

impl<const CI: usize, const CO: usize, const K: usize, const H: usize, const W: usize, const OH: usize, const OW: usize>
    Layer for Conv2d<CI, CO, K, H, W, OH, OW>
{
    type Input = Tensor<CI, H, W>;
    type Output = Tensor<CO, OH, OW>;

    fn zeros() -> Self {
        Self { weights: [[[[0.0; K]; K]; CI]; CO], bias: [0.0; CO] }
    }

    /// `U(-1/√(CI K²), 1/√(CI K²))` for weights and biases.
    fn initialize<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        let bound = 1.0 / libm::sqrtf((CI * K * K) as f32);
        for parameter in Layer::parameters_mut(self).flatten() {
            *parameter = bound * (2.0 * uniform_f32(rng) - 1.0);
        }
    }

    /// Through the input's patch matrix ("im2col"): one `axpy` of `OH OW`
    /// values per output channel and kernel cell, instead of one per output
    /// row (20 times fewer, much longer loops for `LeNet-5`'s first layer).
    fn forward(&self, input: &Self::Input, output: &mut Self::Output) {
        let patches = Self::patch_matrix(input);
        let rows = patches.as_flattened().as_flattened().as_flattened().as_flattened();
        for ((out_map, kernels), &bias) in output.0.iter_mut().zip(&self.weights).zip(&self.bias) {
            let out = out_map.as_flattened_mut();
            out.fill(bias);
            let weights = kernels.as_flattened().as_flattened();
            for (&weight, row) in weights.iter().zip(rows.chunks_exact(OH * OW)) {
                for (y, &x) in out.iter_mut().zip(row) {
                    *y += weight * x;
                }
            }
        }
    }

    /// Through the patch matrix as the forward pass: the weight gradient is
    /// `dot(∂y[o], P[c][u][v])`, the patch matrix's gradient
    /// `Σ_o w[o][c][u][v] ∂y[o]`, scattered back onto the input.
    fn backward(
        &self,
        input: &Self::Input,
        _output: &Self::Output,
        output_gradient: &Self::Output,
        input_gradient: &mut Self::Input,
        mut gradient: Option<&mut Self>,
    ) {
        let patches = Self::patch_matrix(input);
        let rows = patches.as_flattened().as_flattened().as_flattened().as_flattened();
        let mut patch_gradient = [[[[[0.0f32; OW]; OH]; K]; K]; CI];
        let gradient_rows = patch_gradient.as_flattened_mut().as_flattened_mut().as_flattened_mut().as_flattened_mut();
        for (o, (out_map, kernels)) in output_gradient.0.iter().zip(&self.weights).enumerate() {
            let upstream = out_map.as_flattened();
            let weights = kernels.as_flattened().as_flattened();
            for (&weight, target) in weights.iter().zip(gradient_rows.chunks_exact_mut(OH * OW)) {
                for (t, &dy) in target.iter_mut().zip(upstream) {
                    *t += weight * dy;
                }
            }
            if let Some(gradient) = gradient.as_deref_mut() {
                if let Some(bias) = gradient.bias.get_mut(o) {
                    *bias += upstream.iter().sum::<f32>();
                }
                let slots = gradient.weights.get_mut(o).map(|k| k.as_flattened_mut().as_flattened_mut());
                for (slot, row) in slots.into_iter().flatten().zip(rows.chunks_exact(OH * OW)) {
                    *slot += dot(upstream, row);
                }
            }
        }
        input_gradient.set_zero();
        for (in_gradient, channel) in input_gradient.0.iter_mut().zip(&patch_gradient) {
            for (u, kernel_row) in channel.iter().enumerate() {
                for (v, cell) in kernel_row.iter().enumerate() {
                    Self::for_each_overlap(u, v, |out_row, in_row, columns, in_start| {
                        let source = cell.get(out_row).and_then(|row| row.get(columns));
                        let target = in_gradient.get_mut(in_row).and_then(|row| row.get_mut(in_start..));
                        if let (Some(source), Some(target)) = (source, target) {
                            for (dx, &g) in target.iter_mut().zip(source) {
                                *dx += g;
                            }
                        }
                    });
                }
            }
        }
    }

    fn parameters(&self) -> impl Iterator<Item = &[f32]> {
        [self.weights.as_flattened().as_flattened().as_flattened(), &self.bias[..]].into_iter()
    }

    fn parameters_mut(&mut self) -> impl Iterator<Item = &mut [f32]> {
        [self.weights.as_flattened_mut().as_flattened_mut().as_flattened_mut(), &mut self.bias[..]].into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::cnn::testing::check_layer_gradients;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// The textbook definition, one output value at a time.
    fn direct<
        const CI: usize,
        const CO: usize,
        const K: usize,
        const H: usize,
        const W: usize,
        const OH: usize,
        const OW: usize,
    >(
        conv: &Conv2d<CI, CO, K, H, W, OH, OW>,
        x: &Tensor<CI, H, W>,
    ) -> Tensor<CO, OH, OW> {
        let p = Conv2d::<CI, CO, K, H, W, OH, OW>::PADDING as isize;
        let mut y = Tensor::zeros();
        for o in 0..CO {
            for i in 0..OH {
                for j in 0..OW {
                    let mut sum = conv.bias[o];
                    for c in 0..CI {
                        for u in 0..K {
                            for v in 0..K {
                                let (r, s) = (i as isize + u as isize - p, j as isize + v as isize - p);
                                if (0..H as isize).contains(&r) && (0..W as isize).contains(&s) {
                                    sum += conv.weights[o][c][u][v] * x.0[c][r as usize][s as usize];
                                }
                            }
                        }
                    }
                    y.0[o][i][j] = sum;
                }
            }
        }
        y
    }

    use crate::nn::cnn::testing::input;

    /// A drawn layer's forward pass against [`direct`]; returns its padding.
    fn matches_the_definition<
        const CI: usize,
        const CO: usize,
        const K: usize,
        const H: usize,
        const W: usize,
        const OH: usize,
        const OW: usize,
    >(
        rng: &mut Xoshiro256PlusPlus,
    ) -> usize {
        let mut conv = <Conv2d<CI, CO, K, H, W, OH, OW> as Layer>::zeros();
        Layer::initialize(&mut conv, rng);
        let x = input::<Tensor<CI, H, W>>();
        let mut y = Tensor::zeros();
        conv.forward(&x, &mut y);
        for (a, b) in y.as_slice().iter().zip(direct(&conv, &x).as_slice()) {
            approx::assert_abs_diff_eq!(a, b, epsilon = 1e-5);
        }
        Conv2d::<CI, CO, K, H, W, OH, OW>::PADDING
    }

    #[test]
    fn valid_and_same_padding_match_the_definition() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(matches_the_definition::<2, 3, 3, 6, 5, 4, 3>(&mut rng), 0);
        assert_eq!(matches_the_definition::<2, 2, 5, 7, 6, 7, 6>(&mut rng), 2);
    }

    #[test]
    fn gradients_match_finite_differences() {
        check_layer_gradients::<Conv2d<2, 3, 3, 6, 5, 4, 3>>(2, input());
        check_layer_gradients::<Conv2d<2, 2, 5, 7, 6, 7, 6>>(3, input());
    }
}
