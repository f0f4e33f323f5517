//! A cache of the gold model's fits, so that a second run on the same corpus
//! (another `caipi-text` run, the app's e-mail tab when it resumes) does not
//! fit them again.
//!
//! The fits are a pure function of their inputs: the rows, the labels, the
//! values of C tried, the fit settings and the solver's code. The cache key
//! is a 64-bit FNV-1a hash of all of them — the solver's source text
//! included, so that any change to the solver misses the cache — written
//! byte by byte in little-endian order, so the same inputs give the same
//! key on every platform. The weights are stored as their exact bits, so a
//! cached run gives the same numbers as a fresh one.
//!
//! The folder is `$XIL_CACHE_DIR`, else `$XDG_CACHE_HOME/xil`, else
//! `~/.cache/xil`. A missing, unreadable or malformed file is a miss; a file
//! that cannot be written is reported on stderr and the run goes on.

use crate::protocols::caipi_text::logistic::LogisticSettings;
use crate::protocols::caipi_text::tfidf::SparseRow;
use crate::report::files::write_atomically;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

/// The solver whose results are cached: a change to it changes every key.
const SOLVER_SOURCE: &str = include_str!("logistic.rs");

/// The first bytes of a cache file.
const MAGIC: &[u8; 8] = b"xilgold1";

/// The cache folder (see the module documentation).
pub fn folder() -> Option<PathBuf> {
    let from = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    from("XIL_CACHE_DIR")
        .or_else(|| from("XDG_CACHE_HOME").map(|dir| dir.join("xil")))
        .or_else(|| from("HOME").map(|home| home.join(".cache").join("xil")))
}

/// The key of the fits of `candidates` on `rows` and `labels`.
pub fn key(rows: &[SparseRow], labels: &[u8], features: usize, candidates: &[f32], settings: &LogisticSettings) -> u64 {
    let mut hasher = fnv::FnvHasher::default();
    let mut write = |bytes: &[u8]| hasher.write(bytes);
    write(SOLVER_SOURCE.as_bytes());
    write(&(features as u64).to_le_bytes());
    write(&(rows.len() as u64).to_le_bytes());
    for row in rows {
        write(&(row.indices.len() as u64).to_le_bytes());
        for (&index, &value) in row.indices.iter().zip(&row.values) {
            write(&index.to_le_bytes());
            write(&value.to_bits().to_le_bytes());
        }
    }
    write(labels);
    for c in candidates {
        write(&c.to_bits().to_le_bytes());
    }
    write(format!("{:?}", settings.penalty).as_bytes());
    write(&(settings.max_iterations as u64).to_le_bytes());
    write(&settings.tolerance.to_bits().to_le_bytes());
    hasher.finish()
}

/// The file of `key` in `folder`.
fn file(folder: &Path, key: u64) -> PathBuf {
    folder.join(format!("gold-{key:016x}.bin"))
}

/// The cached fits of `key`: `count` weight vectors of `features` each, or
/// `None` when absent or not exactly that.
pub fn read(folder: &Path, key: u64, count: usize, features: usize) -> Option<Vec<Vec<f32>>> {
    if features == 0 {
        return None;
    }
    let bytes = std::fs::read(file(folder, key)).ok()?;
    let body = bytes.strip_prefix(MAGIC.as_slice())?;
    let (header, weights) = body.split_at_checked(16)?;
    let (stored_count, stored_features) = header.split_at(8);
    let stored_count = u64::from_le_bytes(stored_count.try_into().ok()?);
    let stored_features = u64::from_le_bytes(stored_features.try_into().ok()?);
    let expected = count.checked_mul(features)?.checked_mul(4)?;
    if stored_count != count as u64 || stored_features != features as u64 || weights.len() != expected {
        return None;
    }
    let values: Vec<f32> =
        weights.chunks_exact(4).map(|b| f32::from_bits(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))).collect();
    Some(values.chunks(features).map(<[f32]>::to_vec).collect())
}

/// Stores `fits` under `key`; says on stderr why when it cannot.
pub fn write(folder: &Path, key: u64, fits: &[Vec<f32>]) {
    let features = fits.first().map_or(0, Vec::len);
    let mut bytes = MAGIC.to_vec();
    bytes.extend((fits.len() as u64).to_le_bytes());
    bytes.extend((features as u64).to_le_bytes());
    for weight in fits.iter().flatten() {
        bytes.extend(weight.to_bits().to_le_bytes());
    }
    let stored = std::fs::create_dir_all(folder)
        .map_err(|e| e.to_string())
        .and_then(|()| write_atomically(&file(folder, key), &bytes).map_err(|e| e.to_string()));
    if let Err(message) = stored {
        eprintln!("xil-bench: the gold model's fits were not cached in {} ({message})", folder.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::caipi_text::logistic::Penalty;

    fn rows() -> Vec<SparseRow> {
        vec![
            SparseRow { indices: vec![0, 2], values: vec![0.5, 1.0] },
            SparseRow { indices: vec![1], values: vec![0.25] },
        ]
    }

    #[test]
    fn the_key_follows_every_input() {
        let settings = LogisticSettings::new(Penalty::L1);
        let base = key(&rows(), &[0, 1], 3, &[1.0, 10.0], &settings);
        assert_eq!(base, key(&rows(), &[0, 1], 3, &[1.0, 10.0], &settings));
        let mut other = rows();
        other[1].values[0] = 0.250_001;
        assert_ne!(base, key(&other, &[0, 1], 3, &[1.0, 10.0], &settings));
        assert_ne!(base, key(&rows(), &[1, 1], 3, &[1.0, 10.0], &settings));
        assert_ne!(base, key(&rows(), &[0, 1], 4, &[1.0, 10.0], &settings));
        assert_ne!(base, key(&rows(), &[0, 1], 3, &[1.0], &settings));
        assert_ne!(base, key(&rows(), &[0, 1], 3, &[1.0, 10.0], &LogisticSettings { tolerance: 1e-6, ..settings }));
        assert_ne!(base, key(&rows(), &[0, 1], 3, &[1.0, 10.0], &LogisticSettings::new(Penalty::L2)));
    }

    #[test]
    fn fits_come_back_bit_for_bit_and_a_damaged_file_is_a_miss() {
        let folder = std::env::temp_dir().join(format!("xil-gold-cache-{}", std::process::id()));
        let fits = vec![vec![1.5, -0.0, f32::MIN_POSITIVE], vec![0.1, 2.0, -3.25]];
        assert_eq!(read(&folder, 7, 2, 3), None, "nothing cached yet");
        write(&folder, 7, &fits);
        let back = read(&folder, 7, 2, 3).expect("cached");
        for (a, b) in fits.iter().flatten().zip(back.iter().flatten()) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
        assert_eq!(read(&folder, 7, 3, 3), None, "another count is a miss");
        assert_eq!(read(&folder, 8, 2, 3), None, "another key is a miss");
        let path = file(&folder, 7);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert_eq!(read(&folder, 7, 2, 3), None, "a truncated file is a miss");
        std::fs::write(&path, b"not a cache").unwrap();
        assert_eq!(read(&folder, 7, 2, 3), None, "a foreign file is a miss");
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
