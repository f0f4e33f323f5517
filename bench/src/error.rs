//! What can go wrong in a run of the bench, as one enum.
//!
//! Every variant says what failed and where in one line (its `Display`),
//! which is what the command line prints and the app shows; the variants
//! let callers tell a setting to correct from a file to fix or a folder
//! that cannot be written.

use std::path::{Path, PathBuf};

/// The bench's error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Settings no run can have; the message names the option.
    #[error("{0}")]
    Settings(String),
    /// A data set that is missing or not what it should be; the message
    /// names the file or folder.
    #[error("{0}")]
    Data(String),
    /// A Fashion-MNIST IDX file that cannot be read or is malformed.
    #[error(transparent)]
    Idx(#[from] crate::data::idx::IdxError),
    /// A file or folder that cannot be read, written, flushed or renamed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done ("write", "create output folder", ...).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A figure that cannot be drawn.
    #[error("cannot draw {}: {problem}", path.display())]
    Draw {
        /// The figure's file.
        path: PathBuf,
        /// The plotting library's reason.
        problem: String,
    },
    /// The figures' embedded font cannot be loaded.
    #[error("the embedded DejaVu Sans font could not be loaded")]
    Font,
    /// Rows that cannot be written as CSV.
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
    /// xil-core refused a step of the run; `step` says which.
    #[error("{step}: {source}")]
    Core {
        /// The step, such as "fold 2, query 17".
        step: String,
        /// Core's reason.
        source: xil_core::Error,
    },
    /// Training diverged (the loss is not finite).
    #[error("training diverged in epoch {epoch} (loss {loss})")]
    Diverged {
        /// The epoch, from 1.
        epoch: usize,
        /// The loss.
        loss: f32,
    },
    /// A step the run relies on did not happen (a bug, never bad input).
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// Result folders that are not as a command needs them (a sweep's job
    /// not done, a file of another experiment, two runs that differ); the
    /// message names the file or folder.
    #[error("{0}")]
    Results(String),
    /// The run's worker threads cannot be started.
    #[error("cannot start the run's threads: {0}")]
    Threads(String),
}

/// The bench's result.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An I/O error while doing `action` on `path`.
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io { action, path: path.to_path_buf(), source }
    }

    /// Core's error at `step`.
    pub fn core(step: impl Into<String>, source: xil_core::Error) -> Self {
        Self::Core { step: step.into(), source }
    }

    /// A figure that cannot be drawn.
    pub fn draw(path: &Path, problem: impl std::fmt::Display) -> Self {
        Self::Draw { path: path.to_path_buf(), problem: problem.to_string() }
    }
}
