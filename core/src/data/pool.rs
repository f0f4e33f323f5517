//! A borrowed pool of examples, partitioned in place into the unlabelled ones
//! and those already taken for labelling.
//!
//! The interactive loops never copy the pool: it stays in the caller's memory
//! (a `static` array on a device, a `Vec` on a desktop). Its first
//! [`unlabelled`](Pool::unlabelled) entries are still unlabelled; taking one
//! swaps it behind them, so no flag per example is needed.

use crate::data::Example;
use crate::error::Error;

/// The caller's examples, split into unlabelled (front) and taken (back).
#[derive(Debug)]
pub struct Pool<'p, X> {
    examples: &'p mut [Example<X>],
    unlabelled: usize,
}

impl<'p, X> Pool<'p, X> {
    /// All of `examples`, unlabelled.
    ///
    /// # Errors
    /// [`Error::EmptyData`] for no examples.
    pub fn new(examples: &'p mut [Example<X>]) -> Result<Self, Error> {
        if examples.is_empty() {
            return Err(Error::EmptyData);
        }
        let unlabelled = examples.len();
        Ok(Self { examples, unlabelled })
    }

    /// The unlabelled examples.
    pub fn unlabelled(&self) -> &[Example<X>] {
        self.examples.get(..self.unlabelled).unwrap_or(&[])
    }

    /// The example at a position (unlabelled or taken).
    pub fn get(&self, index: usize) -> Option<&Example<X>> {
        self.examples.get(index)
    }

    /// Takes the unlabelled example at `index` out of the unlabelled part
    /// and returns it (it moves behind the unlabelled ones, and the last
    /// unlabelled example takes its place).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when `index` is not an unlabelled position.
    pub fn take(&mut self, index: usize) -> Result<&Example<X>, Error> {
        if index >= self.unlabelled {
            return Err(Error::OutOfRange { index, len: self.unlabelled });
        }
        let last = self.unlabelled - 1;
        self.examples.swap(index, last);
        self.unlabelled = last;
        self.examples.get(last).ok_or(Error::InvalidState)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taking_moves_an_example_behind_the_unlabelled_ones() {
        let mut examples = [Example::labelled(10, 0), Example::labelled(11, 1), Example::labelled(12, 0)];
        let mut pool = Pool::new(&mut examples).unwrap();
        assert_eq!(pool.take(0).unwrap().instance, 10);
        assert_eq!(pool.unlabelled().iter().map(|e| e.instance).collect::<heapless::Vec<_, 3>>(), [12, 11]);
        assert_eq!(pool.take(2), Err(Error::OutOfRange { index: 2, len: 2 }));
        assert_eq!(pool.get(2).unwrap().instance, 10);
    }

    #[test]
    fn an_empty_pool_is_an_error() {
        let mut none: [Example<u8>; 0] = [];
        assert!(Pool::new(&mut none).is_err());
    }
}
