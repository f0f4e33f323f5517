//! Where a real data set is read from: the folder the user names, else the
//! one an environment variable names, else the place its installer uses.
//!
//! A relative default (such as `data/…`, where the project's fetch scripts
//! put data) is read from the working folder when it is there, else from the
//! workspace this crate was built in, so the commands and the app find the
//! data when started from any folder of a source checkout.

use std::path::{Path, PathBuf};

/// `dir` if given, else `$env_var` if set, else `default` (see the module).
pub fn locate(dir: Option<&Path>, env_var: &str, default: &str) -> PathBuf {
    dir.map(Path::to_path_buf).or_else(|| std::env::var_os(env_var).map(PathBuf::from)).unwrap_or_else(|| {
        let default = PathBuf::from(default);
        let in_workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(&default);
        if default.is_relative() && !default.exists() && in_workspace.exists() { in_workspace } else { default }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_folder_wins_and_a_relative_default_is_found_in_the_workspace() {
        let named = Path::new("/somewhere");
        assert_eq!(locate(Some(named), "XIL_TEST_UNSET_VARIABLE", "data/x"), named);
        // `bench/src` exists relative to the workspace, not to the crate's folder
        // (the working folder of this test).
        let found = locate(None, "XIL_TEST_UNSET_VARIABLE", "bench/src");
        assert!(found.join("lib.rs").is_file(), "{}", found.display());
        assert_eq!(locate(None, "XIL_TEST_UNSET_VARIABLE", "/no/such/dir"), Path::new("/no/such/dir"));
    }
}
