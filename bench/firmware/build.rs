//! Puts the memory map where the linker finds it, as `memory.x`:
//! `memory/nrf52840.x` (1 MB flash, 256 KB RAM) for `--features senn`,
//! `memory/small.x` (256 KB flash, 64 KB RAM) otherwise.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let map = if env::var_os("CARGO_FEATURE_SENN").is_some() { "memory/nrf52840.x" } else { "memory/small.x" };
    fs::copy(map, out.join("memory.x")).expect("the memory map is readable");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory");
}
