//! Model features computed from compact instances, and the training-data view
//! the solvers read.
//!
//! A colors image is 25 bytes, its 300 pair features 1,200 bytes of `f32`:
//! storing features would cost a device 48 times the RAM of storing instances.
//! A [`FeatureMap`] computes features on demand instead, one at a time (for a
//! solver walking a column) or all at once (for a prediction). Solvers read
//! training data through the [`Design`] trait; [`Featurized`] implements it
//! for borrowed examples plus a feature map, and a desktop caller may implement
//! it over a cached matrix instead.

use crate::data::Example;
use crate::error::Error;
use nalgebra::SVector;

/// Computes the `D` model features of an instance of type `X`.
///
/// # Implementing `FeatureMap`
/// - `feature(x, j)` must return `0.0` for `j >= D` and never panic.
/// - Override `features` or `dot` when a whole vector or a dot product can be
///   computed faster than `D` calls of `feature`; results must agree.
pub trait FeatureMap<X, const D: usize> {
    /// Feature `j` of `x`.
    fn feature(&self, x: &X, j: usize) -> f32;

    /// All features of `x`.
    fn features(&self, x: &X) -> SVector<f32, D> {
        SVector::from_fn(|j, _| self.feature(x, j))
    }

    /// The dot product of the features of `x` with `w`.
    fn dot(&self, x: &X, w: &SVector<f32, D>) -> f32 {
        self.features(x).dot(w)
    }
}

/// The identity map: instances already are feature vectors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Identity;

impl<const D: usize> FeatureMap<SVector<f32, D>, D> for Identity {
    fn feature(&self, x: &SVector<f32, D>, j: usize) -> f32 {
        x.get(j).copied().unwrap_or(0.0)
    }

    fn features(&self, x: &SVector<f32, D>) -> SVector<f32, D> {
        *x
    }

    fn dot(&self, x: &SVector<f32, D>, w: &SVector<f32, D>) -> f32 {
        x.dot(w)
    }
}

/// Read access to weighted, labelled training data with `D` features.
///
/// # Implementing `Design`
/// Every method takes an example index `i < len()`; an index out of range
/// must give a neutral value (label 0, weight 0, features 0), never a panic.
pub trait Design<const D: usize> {
    /// Number of examples.
    fn len(&self) -> usize;

    /// Whether there is no example.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Class label of example `i`.
    fn label(&self, i: usize) -> u8;

    /// Weight of example `i` in the loss.
    fn weight(&self, i: usize) -> f32;

    /// Feature `j` of example `i`.
    fn feature(&self, i: usize, j: usize) -> f32;

    /// All features of example `i`.
    fn row(&self, i: usize) -> SVector<f32, D> {
        SVector::from_fn(|j, _| self.feature(i, j))
    }

    /// Dot product of example `i`'s features with `w`.
    fn dot(&self, i: usize, w: &SVector<f32, D>) -> f32 {
        self.row(i).dot(w)
    }
}

/// Borrowed examples seen through a feature map: the [`Design`] of a
/// [`Dataset`](crate::Dataset) (use `Featurized::new(data.as_slice(), &map)`).
#[derive(Debug)]
pub struct Featurized<'a, X, F> {
    examples: &'a [Example<X>],
    map: &'a F,
}

impl<'a, X, F> Featurized<'a, X, F> {
    /// A view of `examples` whose features `map` computes.
    pub const fn new(examples: &'a [Example<X>], map: &'a F) -> Self {
        Self { examples, map }
    }
}

impl<X, F: FeatureMap<X, D>, const D: usize> Design<D> for Featurized<'_, X, F> {
    fn len(&self) -> usize {
        self.examples.len()
    }

    fn label(&self, i: usize) -> u8 {
        self.examples.get(i).map_or(0, |e| e.label)
    }

    fn weight(&self, i: usize) -> f32 {
        self.examples.get(i).map_or(0.0, |e| e.weight)
    }

    #[inline(always)]
    fn feature(&self, i: usize, j: usize) -> f32 {
        self.examples.get(i).map_or(0.0, |e| self.map.feature(&e.instance, j))
    }

    fn row(&self, i: usize) -> SVector<f32, D> {
        self.examples.get(i).map_or_else(SVector::zeros, |e| self.map.features(&e.instance))
    }

    fn dot(&self, i: usize, w: &SVector<f32, D>) -> f32 {
        self.examples.get(i).map_or(0.0, |e| self.map.dot(&e.instance, w))
    }
}

/// Checks binary training data: not empty, at most `capacity` examples, labels
/// 0 or 1, weights finite and positive, features finite, both classes present.
/// Returns the number of examples per class.
///
/// # Errors
/// [`Error::EmptyData`], [`Error::CapacityExceeded`], [`Error::InvalidLabel`],
/// [`Error::InvalidWeight`], [`Error::NonFinite`] or [`Error::SingleClass`], in
/// that order of checking.
pub fn check_binary<T: Design<D> + ?Sized, const D: usize>(data: &T, capacity: usize) -> Result<[usize; 2], Error> {
    let n = data.len();
    if n == 0 {
        return Err(Error::EmptyData);
    }
    if n > capacity {
        return Err(Error::CapacityExceeded);
    }
    let mut counts = [0usize; 2];
    for i in 0..n {
        match data.label(i) {
            0 => counts[0] += 1,
            1 => counts[1] += 1,
            label => return Err(Error::InvalidLabel { label }),
        }
        let weight = data.weight(i);
        if !(weight.is_finite() && weight > 0.0) {
            return Err(Error::InvalidWeight { example: i });
        }
        if !data.row(i).iter().all(|v| v.is_finite()) {
            return Err(Error::NonFinite { example: i });
        }
    }
    if counts.contains(&0) {
        return Err(Error::SingleClass);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::vector;

    fn example(x: [f32; 2], label: u8) -> Example<SVector<f32, 2>> {
        Example::labelled(SVector::from(x), label)
    }

    #[test]
    fn featurized_examples_read_like_a_matrix() {
        let examples = [example([1.0, 2.0], 1), example([3.0, 4.0], 0)];
        let design = Featurized::new(&examples, &Identity);
        assert_eq!(Design::<2>::len(&design), 2);
        assert_eq!(design.feature(1, 0), 3.0);
        assert_eq!(design.dot(0, &vector![1.0, 1.0]), 3.0);
        assert_eq!(design.feature(5, 0), 0.0, "out of range reads as 0");
        assert_eq!(design.row(9), SVector::<f32, 2>::zeros());
    }

    #[test]
    fn checking_rejects_each_kind_of_bad_data() {
        let empty: [Example<SVector<f32, 2>>; 0] = [];
        assert_eq!(check_binary(&Featurized::new(&empty, &Identity), 4), Err(Error::EmptyData));

        let one_class = [example([1.0, 2.0], 1), example([0.0, 2.0], 1)];
        assert_eq!(check_binary(&Featurized::new(&one_class, &Identity), 4), Err(Error::SingleClass));
        assert_eq!(check_binary(&Featurized::new(&one_class, &Identity), 1), Err(Error::CapacityExceeded));

        let nan = [example([1.0, f32::NAN], 1), example([0.0, 2.0], 0)];
        assert_eq!(check_binary(&Featurized::new(&nan, &Identity), 4), Err(Error::NonFinite { example: 0 }));

        let bad_label = [example([1.0, 2.0], 3)];
        assert_eq!(check_binary(&Featurized::new(&bad_label, &Identity), 4), Err(Error::InvalidLabel { label: 3 }));

        let mut zero_weight = [example([1.0, 2.0], 1), example([0.0, 2.0], 0)];
        zero_weight[1].weight = 0.0;
        assert_eq!(
            check_binary(&Featurized::new(&zero_weight, &Identity), 4),
            Err(Error::InvalidWeight { example: 1 })
        );

        let good = [example([1.0, 2.0], 1), example([0.0, 2.0], 0), example([0.0, 1.0], 0)];
        assert_eq!(check_binary(&Featurized::new(&good, &Identity), 4), Ok([2, 1]));
    }
}
