//! The `idx` fuzz target: see `xil_fuzz::idx`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xil_fuzz::idx::check(data));
