//! Saved sessions: settings and decisions as JSON, written atomically after
//! every decision; a file that cannot be read is moved aside, never lost.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The format version of a saved session.
pub const VERSION: u32 = 1;

/// What a session file holds: settings `S` and decisions `D` (the colors
/// session's or the e-mail session's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved<S, D> {
    /// [`VERSION`].
    pub version: u32,
    /// The session's settings.
    pub settings: S,
    /// The user's decisions, in order.
    pub decisions: Vec<D>,
}

/// The folder of saved sessions: `$XIL_GUI_DIR`, else `~/.local/share/xil`.
pub fn default_dir() -> PathBuf {
    std::env::var_os("XIL_GUI_DIR").map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir).join(".local/share/xil")
    })
}

/// Writes a session atomically.
///
/// # Errors
/// A one-line message naming the file.
pub fn save<S: Serialize, D: Serialize>(path: &Path, saved: &Saved<S, D>) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    }
    let json = serde_json::to_string_pretty(saved)
        .map_err(|e| Error::NotASession(format!("cannot encode the session: {e}")))?;
    Ok(xil_bench::report::files::write_atomically(path, json.as_bytes())?)
}

/// Decodes the bytes of a session file of this version.
///
/// # Errors
/// What is wrong: not JSON of a session, or another version.
pub fn parse<S: DeserializeOwned, D: DeserializeOwned>(bytes: &[u8]) -> Result<Saved<S, D>> {
    match serde_json::from_slice::<Saved<S, D>>(bytes) {
        Ok(saved) if saved.version == VERSION => Ok(saved),
        Ok(saved) => {
            Err(Error::NotASession(format!("it is version {}, this app reads version {VERSION}", saved.version)))
        }
        Err(e) => Err(Error::NotASession(format!("it is not a xil session ({e})"))),
    }
}

/// Reads a session (first removing what saves cut short by a kill left
/// behind); `Ok(None)` when there is none. A file that is not a
/// session of this version is renamed to `NAME.corrupt` (or `.corrupt-2`, …)
/// and reported.
///
/// # Errors
/// A one-line message saying what was wrong and where the file now is.
pub fn load<S: DeserializeOwned, D: DeserializeOwned>(path: &Path) -> Result<Option<Saved<S, D>>> {
    xil_bench::report::files::remove_stale_temporaries(path);
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    let problem = match parse(&bytes) {
        Ok(saved) => return Ok(Some(saved)),
        Err(problem) => problem,
    };
    let aside = (1..)
        .map(|n| {
            let suffix = if n == 1 { "corrupt".to_string() } else { format!("corrupt-{n}") };
            path.with_extension(suffix)
        })
        .find(|candidate| !candidate.exists())
        .unwrap_or_else(|| path.with_extension("corrupt"));
    std::fs::rename(path, &aside).map_err(|e| Error::io("move aside the unreadable", path, e))?;
    Err(Error::KeptAside { problem: Box::new(problem), aside })
}

/// The file of the session saved under `name` in `folder`: `folder/name.json`.
///
/// # Errors
/// A one-line message for a name that is empty, longer than 64 characters
/// or has characters other than letters, digits, `-` and `_`.
pub fn named(folder: &Path, name: &str) -> Result<PathBuf> {
    if !is_session_name(name) {
        return Err(Error::SessionName(name.to_string()));
    }
    Ok(folder.join(format!("{name}.json")))
}

/// Whether `name` can name a session: 1 to 64 letters, digits, `-` or `_`
/// (so never a hidden file, such as a save in progress).
fn is_session_name(name: &str) -> bool {
    let allowed = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    !name.is_empty() && name.chars().count() <= 64 && name.chars().all(allowed)
}

/// The names of the sessions saved in `folder`, sorted (none when the
/// folder does not exist; files being written are not sessions).
pub fn names(folder: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "json").then_some(())?;
            let name = path.file_stem()?.to_str()?;
            is_session_name(name).then(|| name.to_string())
        })
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::colors::{Decision, Settings};

    type ColorsSaved = Saved<Settings, Decision>;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xil-gui-storage-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn sessions_round_trip_and_corrupt_files_are_kept_aside() {
        let dir = scratch("round");
        let path = dir.join("session.json");
        assert_eq!(load::<Settings, Decision>(&path).unwrap(), None);
        let saved: ColorsSaved = Saved {
            version: VERSION,
            settings: Settings::default(),
            decisions: vec![Decision { label: 1, irrelevant: vec![3, 4] }],
        };
        save(&path, &saved).unwrap();
        assert_eq!(load(&path).unwrap(), Some(saved));
        std::fs::write(&path, "{ not json").unwrap();
        let message = load::<Settings, Decision>(&path).unwrap_err().to_string();
        assert!(message.contains("not a xil session") && message.contains("session.corrupt"), "{message}");
        assert_eq!(std::fs::read_to_string(dir.join("session.corrupt")).unwrap(), "{ not json");
        assert!(!path.exists());
        std::fs::write(&path, r#"{"version": 9, "settings": {}, "decisions": []}"#).unwrap();
        assert!(load::<Settings, Decision>(&path).unwrap_err().to_string().contains("not a xil session"));
        assert!(dir.join("session.corrupt-2").exists(), "an earlier corrupt file is not overwritten");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sessions_are_saved_and_listed_by_name_and_bad_names_are_refused() {
        let dir = scratch("named");
        assert!(names(&dir).is_empty());
        let saved: ColorsSaved = Saved { version: VERSION, settings: Settings::default(), decisions: Vec::new() };
        for name in ["rule-1", "first_try"] {
            save(&named(&dir, name).unwrap(), &saved).unwrap();
        }
        assert_eq!(names(&dir), vec!["first_try".to_string(), "rule-1".to_string()]);
        assert_eq!(load(&named(&dir, "rule-1").unwrap()).unwrap(), Some(saved));
        for bad in ["", "../up", "a b", "x.json"] {
            assert!(matches!(named(&dir, bad), Err(Error::SessionName(_))), "{bad}");
            assert!(named(&dir, bad).unwrap_err().to_string().contains("not a session name"), "{bad}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn two_writers_of_one_session_never_mix_and_leave_no_temporary_file() {
        let dir = scratch("race");
        let path = named(&dir, "shared").unwrap();
        let writer = |seed: u64| {
            let path = path.clone();
            std::thread::spawn(move || {
                for n in 0..100 {
                    let settings = Settings { seed: seed * 1000 + n, ..Settings::default() };
                    let saved: ColorsSaved = Saved { version: VERSION, settings, decisions: Vec::new() };
                    save(&path, &saved).unwrap();
                    let read: ColorsSaved = load(&path).unwrap().unwrap();
                    assert!(read.settings.seed / 1000 == 1 || read.settings.seed / 1000 == 2);
                }
            })
        };
        let (first, second) = (writer(1), writer(2));
        first.join().unwrap();
        second.join().unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(files, vec![std::ffi::OsString::from("shared.json")]);
        // A save cut short by a kill leaves a hidden file, never a session.
        std::fs::write(dir.join(".shared.partial-1-0.json"), "{ cut").unwrap();
        assert_eq!(names(&dir), vec!["shared".to_string()]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
