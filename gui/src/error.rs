//! What can go wrong in the app, as one enum. Every variant's `Display` is
//! the one line the app shows (on the tab bar or in a session's view); the
//! session it concerns goes on, unchanged.

use std::path::PathBuf;

/// The app's error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// xil-bench refused: settings, data, files or figures.
    #[error(transparent)]
    Bench(#[from] xil_bench::Error),
    /// Settings no session can have; the message names the setting.
    #[error("{0}")]
    Settings(String),
    /// An answer the session cannot take (the session is unchanged).
    #[error("{0}")]
    Answer(String),
    /// xil-core refused a step of a session.
    #[error("{step}: {source}")]
    Core {
        /// What the session was doing.
        step: &'static str,
        /// Core's reason.
        source: xil_core::Error,
    },
    /// Bytes that are not a saved session of this version.
    #[error("{0}")]
    NotASession(String),
    /// A saved session that could not be read; the file was moved aside.
    #[error("the saved session could not be opened: {problem}; it was kept as {}", aside.display())]
    KeptAside {
        /// What was wrong with it.
        problem: Box<Error>,
        /// Where the file is now.
        aside: PathBuf,
    },
    /// A file or folder that cannot be read, written or moved.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done ("read", "create", …).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A session name with characters other than letters, digits, `-`, `_`.
    #[error("\"{0}\" is not a session name: use 1 to 64 letters, digits, - or _")]
    SessionName(String),
    /// A worker thread that cannot be started.
    #[error("cannot start {what}: {source}")]
    Thread {
        /// The thread's work.
        what: &'static str,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Nothing to export yet.
    #[error("nothing to export: {0}")]
    NothingToExport(&'static str),
}

impl Error {
    /// An I/O error while doing `action` on `path`.
    pub fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io { action, path: path.to_path_buf(), source }
    }
}

/// The app's result.
pub type Result<T> = std::result::Result<T, Error>;
