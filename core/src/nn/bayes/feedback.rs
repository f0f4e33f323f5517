//! Seed 003's feedback evidence: which activations of the last
//! convolutional layer an annotator's mask of irrelevant pixels speaks
//! about. The mask `F` is max-pooled adaptively to the layer's map size
//! (`J = AdaptiveMaxPool(F, (u, v))`, `PyTorch`'s bins), spread over the
//! channels (`G = A ⊗ J`) and kept where the activation affects the output
//! (`L = G ⊙ 1[∇_A Σ_j ŷ_j ≠ 0]`); those activations get the evidence
//! "= 0" ([`Bayesian::evidence_log_likelihood`](super::Bayesian::evidence_log_likelihood)).

use crate::nn::cnn::Tensor;

/// The rows (or columns) `start..end` that output cell `i` of `out` cells
/// covers over `len` input cells: `floor(i len / out)` to
/// `ceil((i + 1) len / out)`, as `PyTorch`'s adaptive pooling.
pub fn adaptive_bin(i: usize, len: usize, out: usize) -> core::ops::Range<usize> {
    let out = out.max(1);
    let start = i * len / out;
    let end = ((i + 1) * len).div_ceil(out);
    start..end.min(len)
}

/// `J`: the `OH x OW` adaptive max-pool of the `H x W` mask `mask` (row by
/// row; a cell is set when any pixel it covers is). A `mask` of another
/// length counts its missing pixels as unset.
pub fn adaptive_max_pool<const H: usize, const W: usize, const OH: usize, const OW: usize>(
    mask: &[bool],
) -> [[bool; OW]; OH] {
    core::array::from_fn(|i| {
        core::array::from_fn(|j| {
            adaptive_bin(i, H, OH)
                .any(|r| adaptive_bin(j, W, OW).any(|c| mask.get(r * W + c).copied().unwrap_or(false)))
        })
    })
}

/// `L = (A ⊗ J) ⊙ 1[∇ ≠ 0]` as 0 / 1 values: activation `(c, i, j)` is
/// selected when `J[i][j]` is set and the output's gradient with respect to
/// it is not 0.
pub fn selected_activations<const C: usize, const OH: usize, const OW: usize>(
    pooled: &[[bool; OW]; OH],
    gradient: &Tensor<C, OH, OW>,
) -> Tensor<C, OH, OW> {
    let mut selected = Tensor::<C, OH, OW>::zeros();
    for (out_map, in_map) in selected.0.iter_mut().zip(&gradient.0) {
        for ((out_row, in_row), pooled_row) in out_map.iter_mut().zip(in_map).zip(pooled) {
            for ((s, &g), &p) in out_row.iter_mut().zip(in_row).zip(pooled_row) {
                *s = f32::from(u8::from(p && g != 0.0));
            }
        }
    }
    selected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_pytorchs_and_pooling_sets_every_covering_cell() {
        // 5 -> 3: rows 0..2, 1..4, 3..5.
        assert_eq!([adaptive_bin(0, 5, 3), adaptive_bin(1, 5, 3), adaptive_bin(2, 5, 3)], [0..2, 1..4, 3..5]);
        // 28 -> 10 (LeNet's last convolution): 0..3, 2..6, ..., 25..28.
        assert_eq!(adaptive_bin(0, 28, 10), 0..3);
        assert_eq!(adaptive_bin(1, 28, 10), 2..6);
        assert_eq!(adaptive_bin(9, 28, 10), 25..28);
        // Pixel (2, 2) of 5 x 5 is in row bin 1 only and column bin 1 only.
        let mut mask = [false; 25];
        mask[2 * 5 + 2] = true;
        let pooled = adaptive_max_pool::<5, 5, 3, 3>(&mask);
        assert_eq!(pooled, [[false; 3], [false, true, false], [false; 3]]);
        // Pixel (3, 0) is in row bins 1 and 2, column bin 0.
        let mut mask = [false; 25];
        mask[3 * 5] = true;
        let pooled = adaptive_max_pool::<5, 5, 3, 3>(&mask);
        assert_eq!(pooled, [[false; 3], [true, false, false], [true, false, false]]);
        // Equal sizes: the mask itself.
        let mask: [bool; 6] = [true, false, false, true, true, false];
        assert_eq!(adaptive_max_pool::<2, 3, 2, 3>(&mask), [[true, false, false], [true, true, false]]);
    }

    #[test]
    fn selected_activations_need_the_mask_and_a_gradient() {
        let pooled = [[true, false], [true, true]];
        let mut gradient = Tensor::<2, 2, 2>::zeros();
        gradient.0[0] = [[0.5, 0.5], [0.0, -1.0]];
        gradient.0[1] = [[0.0, 2.0], [3.0, 0.0]];
        let selected = selected_activations(&pooled, &gradient);
        assert_eq!(selected.0[0], [[1.0, 0.0], [0.0, 1.0]]);
        assert_eq!(selected.0[1], [[0.0, 0.0], [1.0, 0.0]]);
    }
}
