//! [`MaxPool2`]: the largest of each `2 x 2` block (stride 2; an odd last
//! row or column is dropped, as `PyTorch` does).
//!
//! The gradient flows to the block's largest input (the first one on ties).
//! For `DeepLIFT` the block's change `Δy = max(x) - max(r)` goes to one input
//! so that completeness holds exactly: to the argmax `a` of `x` when
//! `Δy > 0` (then `Δx_a >= Δy > 0`), to the argmax `b` of the reference when
//! `Δy < 0` (then `Δx_b <= Δy < 0`), each with the multiplier `Δy / Δx` in
//! `(0, 1]`. (captum routes it through the argmax of `x` alone and is exact
//! only when that input carries the whole change.)

use super::layer::Layer;
use super::tensor::Tensor;

/// `2 x 2` max-pooling of `C` maps from `H x W` to `OH x OW`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MaxPool2<const C: usize, const H: usize, const W: usize, const OH: usize, const OW: usize>;

impl<const C: usize, const H: usize, const W: usize, const OH: usize, const OW: usize> MaxPool2<C, H, W, OH, OW> {
    const SIZES: () = assert!(OH == H / 2 && OW == W / 2 && OH > 0 && OW > 0, "pooling halves the map");

    /// The row and column of the largest value of block `(i, j)` of `map`
    /// (the first on ties).
    fn argmax(map: &[[f32; W]; H], i: usize, j: usize) -> (usize, usize, f32) {
        let () = Self::SIZES;
        let mut best = (2 * i, 2 * j, f32::NEG_INFINITY);
        for row in 2 * i..2 * i + 2 {
            for column in 2 * j..2 * j + 2 {
                let value = map.get(row).and_then(|r| r.get(column)).copied().unwrap_or(f32::NEG_INFINITY);
                if value > best.2 {
                    best = (row, column, value);
                }
            }
        }
        best
    }
}

/// Adds `value` at `(row, column)` of `map`.
fn add_at<const H: usize, const W: usize>(map: &mut [[f32; W]; H], row: usize, column: usize, value: f32) {
    if let Some(slot) = map.get_mut(row).and_then(|r| r.get_mut(column)) {
        *slot += value;
    }
}

impl<const C: usize, const H: usize, const W: usize, const OH: usize, const OW: usize> Layer
    for MaxPool2<C, H, W, OH, OW>
{
    type Input = Tensor<C, H, W>;
    type Output = Tensor<C, OH, OW>;

    fn zeros() -> Self {
        Self
    }

    fn forward(&self, input: &Self::Input, output: &mut Self::Output) {
        for (out_map, in_map) in output.0.iter_mut().zip(&input.0) {
            for (i, out_row) in out_map.iter_mut().enumerate() {
                for (j, y) in out_row.iter_mut().enumerate() {
                    *y = Self::argmax(in_map, i, j).2;
                }
            }
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
        input_gradient.set_zero();
        for ((in_gradient, in_map), out_map) in input_gradient.0.iter_mut().zip(&input.0).zip(&output_gradient.0) {
            for (i, out_row) in out_map.iter().enumerate() {
                for (j, &dy) in out_row.iter().enumerate() {
                    let (row, column, _) = Self::argmax(in_map, i, j);
                    add_at(in_gradient, row, column, dy);
                }
            }
        }
    }

    fn multipliers(
        &self,
        passes: [(&Self::Input, &Self::Output); 2],
        output_multipliers: &Self::Output,
        input_multipliers: &mut Self::Input,
    ) {
        let [(input, _), (reference, _)] = passes;
        input_multipliers.set_zero();
        let maps = input.0.iter().zip(&reference.0).zip(&output_multipliers.0);
        for (target, ((in_map, reference_map), out_map)) in input_multipliers.0.iter_mut().zip(maps) {
            for (i, out_row) in out_map.iter().enumerate() {
                for (j, &upstream) in out_row.iter().enumerate() {
                    let (a_row, a_column, top) = Self::argmax(in_map, i, j);
                    let (b_row, b_column, reference_top) = Self::argmax(reference_map, i, j);
                    let change = top - reference_top;
                    let (row, column) = if change > 0.0 { (a_row, a_column) } else { (b_row, b_column) };
                    let at = |map: &[[f32; W]; H]| map.get(row).and_then(|r| r.get(column)).copied().unwrap_or(0.0);
                    let input_change = at(in_map) - at(reference_map);
                    if change != 0.0 && input_change != 0.0 {
                        add_at(target, row, column, upstream * change / input_change);
                    }
                }
            }
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
    fn gradients_match_finite_differences() {
        check_layer_gradients::<MaxPool2<2, 5, 4, 2, 2>>(7, input());
    }

    #[test]
    fn multipliers_carry_each_block_change_exactly() {
        // Δy > 0: the change goes to x's argmax; Δy < 0: to the reference's.
        let x = Tensor::<1, 2, 4>::from_slice(&[1.0, 4.0, 0.0, 1.0, 2.0, 3.0, 2.0, 0.5]);
        let r = Tensor::<1, 2, 4>::from_slice(&[0.0, 1.0, 0.0, 5.0, 2.0, 0.0, 1.0, 0.0]);
        let pool = MaxPool2::<1, 2, 4, 1, 2>;
        let (y, yr) = (pool.trace_of(&x), pool.trace_of(&r));
        assert_eq!(y.as_slice(), &[4.0, 2.0]);
        let mut m = Tensor::zeros();
        pool.multipliers([(&x, &y), (&r, &yr)], &Tensor::from_slice(&[1.0, 1.0]), &mut m);
        let change: f32 = x.as_slice().iter().zip(r.as_slice()).zip(m.as_slice()).map(|((x, r), m)| (x - r) * m).sum();
        approx::assert_abs_diff_eq!(change, (4.0 - 2.0) + (2.0 - 5.0), epsilon = 1e-6);
        assert_eq!(m.as_slice(), &[0.0, 2.0 / 3.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.0]);
    }
}
