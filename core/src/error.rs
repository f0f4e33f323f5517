//! The one error type of xil-core: a small `Copy` enum, no heap.
//!
//! Every fallible function of the crate returns [`Error`]. Variants carry only
//! `Copy` payloads (names of parameters, indices) so that errors can be
//! returned, stored and compared on a device without an allocator. A full
//! buffer is not an [`Error`]: functions that push into one hand the rejected
//! item back instead, as `heapless::Vec::push` does.

use core::fmt;

/// What went wrong in a call into xil-core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A hyper-parameter is out of its documented range (negative, zero where
    /// positive is required, NaN or infinite).
    InvalidParameter {
        /// The name of the parameter, as spelled by its setter.
        name: &'static str,
    },
    /// There is nothing to work on: no examples, no components, no samples.
    EmptyData,
    /// Training data holds a single class; a binary classifier needs both.
    SingleClass,
    /// A feature value or target is NaN or infinite.
    NonFinite {
        /// Index of the offending example.
        example: usize,
    },
    /// An example weight is not a finite positive number.
    InvalidWeight {
        /// Index of the offending example.
        example: usize,
    },
    /// A label is outside the classes the model knows (0 and 1 for binary
    /// models).
    InvalidLabel {
        /// The label that was seen.
        label: u8,
    },
    /// An index (component, example, class) is out of range.
    OutOfRange {
        /// The index that was given.
        index: usize,
        /// The number of valid indices.
        len: usize,
    },
    /// A linear system the algorithm relies on is singular or indefinite.
    Singular,
    /// The interactive loop was asked for something its state does not allow,
    /// e.g. feedback when no query is pending.
    InvalidState,
    /// The pool of unlabelled examples is exhausted.
    PoolExhausted,
    /// A fixed-capacity buffer of the caller's chosen size is full.
    CapacityExceeded,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::InvalidParameter { name } => write!(f, "invalid value for parameter `{name}`"),
            Error::EmptyData => f.write_str("no data to work on"),
            Error::SingleClass => f.write_str("training data holds a single class"),
            Error::NonFinite { example } => {
                write!(f, "example {example} has a NaN or infinite value")
            }
            Error::InvalidWeight { example } => {
                write!(f, "example {example} has a weight that is not finite and positive")
            }
            Error::InvalidLabel { label } => write!(f, "label {label} is not a known class"),
            Error::OutOfRange { index, len } => write!(f, "index {index} is out of range 0..{len}"),
            Error::Singular => f.write_str("a linear system is singular"),
            Error::InvalidState => f.write_str("operation not allowed in the current state"),
            Error::PoolExhausted => f.write_str("no unlabelled examples left in the pool"),
            Error::CapacityExceeded => f.write_str("a fixed-capacity buffer is full"),
        }
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_small_and_copy() {
        fn assert_copy_send_sync<T: Copy + Send + Sync + 'static>() {}
        assert_copy_send_sync::<Error>();
        assert!(core::mem::size_of::<Error>() <= 24, "Error should stay small");
    }
}
