//! The `session_file` fuzz target: see `xil_fuzz::session_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xil_fuzz::session_file::check(data));
