//! Labelled examples in a buffer of fixed capacity.
//!
//! A [`Dataset`] is what core itself accumulates while learning: the examples
//! the user labelled and the counterexamples their corrections produced. Its
//! capacity `N` is chosen by the caller, so a device knows its RAM budget at
//! compile time; a full dataset hands the rejected example back (heapless
//! style) instead of failing or allocating. Instances are stored as the caller's
//! compact type `X` (for colors, 25 colour indices), and model features are
//! computed from them on the fly by a [`FeatureMap`](crate::FeatureMap).
//!
//! The folder holds what an example is and how a model reads it: the
//! [`Dataset`] here, the borrowed [`pool`] of unlabelled examples, the
//! [`features`] a model sees, and [`categorical`] instances (grids of
//! colours) whose components explanations name.

pub mod categorical;
pub mod features;
pub mod pool;

/// Where an example came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Labelled by the user (or drawn as a seed label).
    Labelled,
    /// Generated from a correction of an explanation.
    Counterexample,
}

/// One instance with its class label and its weight in the training loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Example<X> {
    /// The instance, in the caller's compact representation.
    pub instance: X,
    /// Its class (binary models use 0 and 1, with 1 the positive class).
    pub label: u8,
    /// Its weight in the loss; counterexamples may be down-weighted.
    pub weight: f32,
    /// Whether the user labelled it or a correction generated it.
    pub origin: Origin,
}

impl<X> Example<X> {
    /// A labelled example of weight 1.
    pub const fn labelled(instance: X, label: u8) -> Self {
        Self { instance, label, weight: 1.0, origin: Origin::Labelled }
    }

    /// A counterexample of the given weight.
    pub const fn counterexample(instance: X, label: u8, weight: f32) -> Self {
        Self { instance, label, weight, origin: Origin::Counterexample }
    }
}

/// Up to `N` labelled examples.
///
/// # Examples
/// ```
/// use xil_core::{Dataset, Example};
///
/// let mut data: Dataset<[u8; 2], 2> = Dataset::new();
/// data.push(Example::labelled([0, 1], 1))?;
/// data.push(Example::labelled([1, 1], 0))?;
/// // A full dataset hands the example back.
/// let rejected = data.push(Example::labelled([1, 0], 1));
/// assert_eq!(rejected, Err(Example::labelled([1, 0], 1)));
/// assert_eq!(data.class_counts(), [1, 1]);
/// # Ok::<(), Example<[u8; 2]>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Dataset<X, const N: usize> {
    examples: heapless::Vec<Example<X>, N>,
}

impl<X, const N: usize> Default for Dataset<X, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<X, const N: usize> Dataset<X, N> {
    /// An empty dataset; `const`, so it can live in a `static`.
    pub const fn new() -> Self {
        Self { examples: heapless::Vec::new() }
    }

    /// Adds an example.
    ///
    /// # Errors
    /// Hands the example back when the dataset already holds `N` examples.
    pub fn push(&mut self, example: Example<X>) -> Result<(), Example<X>> {
        self.examples.push(example)
    }

    /// Removes the most recently added example.
    pub fn pop(&mut self) -> Option<Example<X>> {
        self.examples.pop()
    }

    /// Drops the examples past the first `len` (no effect if `len >= self.len()`).
    pub fn truncate(&mut self, len: usize) {
        self.examples.truncate(len);
    }

    /// Removes every example.
    pub fn clear(&mut self) {
        self.examples.clear();
    }

    /// The examples, oldest first.
    pub fn as_slice(&self) -> &[Example<X>] {
        &self.examples
    }

    /// Number of examples held.
    pub fn len(&self) -> usize {
        self.examples.len()
    }

    /// Whether the dataset holds no example.
    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }

    /// The fixed capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Whether another example would be rejected.
    pub fn is_full(&self) -> bool {
        self.examples.is_full()
    }

    /// Number of examples with label 0 and with label 1 (other labels are not
    /// counted).
    pub fn class_counts(&self) -> [usize; 2] {
        self.examples.iter().fold([0, 0], |[negatives, positives], e| match e.label {
            0 => [negatives + 1, positives],
            1 => [negatives, positives + 1],
            _ => [negatives, positives],
        })
    }

    /// Number of examples of the given origin.
    pub fn count(&self, origin: Origin) -> usize {
        self.examples.iter().filter(|e| e.origin == origin).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_classes_and_origins() {
        let mut data: Dataset<u8, 4> = Dataset::new();
        data.push(Example::labelled(0, 1)).unwrap();
        data.push(Example::counterexample(1, 1, 0.5)).unwrap();
        data.push(Example::labelled(2, 0)).unwrap();
        assert_eq!(data.class_counts(), [1, 2]);
        assert_eq!(data.count(Origin::Counterexample), 1);
        assert_eq!(data.count(Origin::Labelled), 2);
        data.truncate(1);
        assert_eq!(data.len(), 1);
    }

    #[test]
    fn a_full_dataset_hands_the_example_back() {
        let mut data: Dataset<u8, 1> = Dataset::new();
        assert!(data.push(Example::labelled(7, 0)).is_ok());
        assert!(data.is_full());
        assert_eq!(data.push(Example::labelled(8, 1)), Err(Example::labelled(8, 1)));
        assert_eq!(data.as_slice(), &[Example::labelled(7, 0)]);
    }

    #[test]
    fn a_dataset_can_live_in_a_static() {
        static EMPTY: Dataset<[u8; 25], 8> = Dataset::new();
        assert!(EMPTY.is_empty());
        assert_eq!(EMPTY.capacity(), 8);
    }
}
