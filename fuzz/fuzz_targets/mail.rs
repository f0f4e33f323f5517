//! The `mail` fuzz target: see `xil_fuzz::mail`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xil_fuzz::mail::check(data));
