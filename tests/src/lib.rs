//! Cross-crate integration tests of xil live in `tests/`.
