//! [`Tensor`]: a stack of `C` feature maps of `H x W` values, the one shape
//! every layer of a convolutional network reads and writes.
//!
//! A dense layer's vector of `N` units is a `Tensor<N, 1, 1>` ([`Vector`]),
//! so convolutions, pooling, flattening and dense layers chain without
//! conversions. Values live inline, row by row within a map, map after map.

/// `C` maps of `H` rows of `W` values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tensor<const C: usize, const H: usize, const W: usize>(pub [[[f32; W]; H]; C]);

/// `N` units: the input or output of a dense layer.
pub type Vector<const N: usize> = Tensor<N, 1, 1>;

impl<const C: usize, const H: usize, const W: usize> Default for Tensor<C, H, W> {
    fn default() -> Self {
        Self::zeros()
    }
}

impl<const C: usize, const H: usize, const W: usize> Tensor<C, H, W> {
    /// The number of values, `C H W`.
    pub const LEN: usize = C * H * W;

    /// All values zero.
    pub const fn zeros() -> Self {
        Self([[[0.0; W]; H]; C])
    }

    /// A tensor whose values are taken from `values` in storage order (map by
    /// map, row by row); missing values are zero, extra ones ignored.
    pub fn from_slice(values: &[f32]) -> Self {
        let mut tensor = Self::zeros();
        for (slot, &value) in tensor.as_mut_slice().iter_mut().zip(values) {
            *slot = value;
        }
        tensor
    }

    /// Every value, in storage order.
    pub fn as_slice(&self) -> &[f32] {
        self.0.as_flattened().as_flattened()
    }

    /// Every value, mutable, in storage order.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        self.0.as_flattened_mut().as_flattened_mut()
    }

    /// The maps.
    pub fn maps(&self) -> &[[[f32; W]; H]; C] {
        &self.0
    }

    /// The maps, mutable.
    pub fn maps_mut(&mut self) -> &mut [[[f32; W]; H]; C] {
        &mut self.0
    }

    /// Sets every value to zero.
    pub fn set_zero(&mut self) {
        self.as_mut_slice().fill(0.0);
    }

    /// `self += a other`.
    pub fn add_scaled(&mut self, a: f32, other: &Self) {
        for (mine, &theirs) in self.as_mut_slice().iter_mut().zip(other.as_slice()) {
            *mine += a * theirs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_order_is_map_row_column() {
        let mut tensor = Tensor::<2, 2, 3>::zeros();
        tensor.0[1][0][2] = 7.0;
        assert_eq!(tensor.as_slice()[6 + 2], 7.0);
        assert_eq!(Tensor::<2, 2, 3>::LEN, 12);
        let copy = Tensor::<2, 2, 3>::from_slice(tensor.as_slice());
        assert_eq!(copy, tensor);
    }
}
