//! Where a real data set is read from: the folder the user names, else the
//! one an environment variable names, else the place its installer uses.

use std::path::{Path, PathBuf};

/// `dir` if given, else `$env_var` if set, else `default`.
pub fn locate(dir: Option<&Path>, env_var: &str, default: &str) -> PathBuf {
    dir.map(Path::to_path_buf)
        .or_else(|| std::env::var_os(env_var).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(default))
}
