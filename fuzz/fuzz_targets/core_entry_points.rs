//! The `core_entry_points` fuzz target: see `xil_fuzz::core_entry_points`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xil_fuzz::core_entry_points::check(data));
