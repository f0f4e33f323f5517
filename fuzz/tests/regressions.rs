//! Every seed and every input that once crashed a fuzz target, run through
//! the target's checks on the stable toolchain.

use std::path::Path;

fn run_all(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = 0;
    for folder in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            check(&std::fs::read(&path).unwrap());
            inputs += 1;
        }
    }
    assert!(inputs > 0, "no seeds for {target}");
}

#[test]
fn idx() {
    run_all("idx", xil_fuzz::idx::check);
}

#[test]
fn mail() {
    run_all("mail", xil_fuzz::mail::check);
}

#[test]
fn session_file() {
    run_all("session_file", xil_fuzz::session_file::check);
}

#[test]
fn core_entry_points() {
    run_all("core_entry_points", xil_fuzz::core_entry_points::check);
}
