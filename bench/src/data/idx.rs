//! IDX files, the format of (Fashion-)MNIST, read from gzip with strict
//! validation.
//!
//! An IDX file is a 4-byte magic number `00 00 TT NN` (`TT = 08` for
//! unsigned bytes, `NN` the number of dimensions), `NN` big-endian `u32`
//! sizes, then exactly their product of bytes. Every deviation is an
//! [`IdxError`] naming the file and the problem: not gzip, a truncated or
//! corrupt stream, a wrong magic number or element type, unexpected
//! dimensions, missing or trailing bytes, a label outside the classes, sizes
//! that promise more than [`MAX_DATA_BYTES`]. The header is checked before
//! any data is decompressed, and no more is decompressed than it promises.

use flate2::read::GzDecoder;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What is wrong with an IDX file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file cannot be read.
    Io(String),
    /// The gzip stream is not gzip, corrupt or cut short.
    Gzip(String),
    /// The first two bytes are not zero or the element type is not `u8`.
    Magic([u8; 4]),
    /// The number of dimensions differs from the expected.
    Rank {
        /// Expected number of dimensions.
        expected: u8,
        /// Number in the file.
        found: u8,
    },
    /// A dimension differs from the expected (e.g. images not 28 x 28).
    Dimension {
        /// Which dimension (0 = count).
        axis: usize,
        /// Expected size.
        expected: u32,
        /// Size in the file.
        found: u32,
    },
    /// Fewer data bytes than the header promises.
    Truncated {
        /// Bytes the header promises.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// More data bytes than the header promises.
    Trailing {
        /// Bytes beyond the promised data, counted up to
        /// [`TRAILING_LOOKAHEAD`].
        extra: usize,
    },
    /// The sizes promise more than [`MAX_DATA_BYTES`] of data.
    TooLarge {
        /// The sizes in the header.
        sizes: Vec<u32>,
    },
    /// A label is not a known class.
    Label {
        /// Index of the item.
        index: usize,
        /// The label found.
        label: u8,
        /// Number of classes.
        classes: u8,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Io(e) => write!(f, "cannot read: {e}"),
            Problem::Gzip(e) => write!(f, "not a complete gzip stream: {e}"),
            Problem::Magic(m) => write!(f, "bad magic number {m:02x?} (expected 00 00 08 NN for unsigned bytes)"),
            Problem::Rank { expected, found } => write!(f, "{found} dimensions, expected {expected}"),
            Problem::Dimension { axis, expected, found } => {
                write!(f, "dimension {axis} is {found}, expected {expected}")
            }
            Problem::Truncated { expected, found } => {
                write!(f, "truncated: {found} data bytes, the header promises {expected}")
            }
            Problem::Trailing { extra } if *extra >= TRAILING_LOOKAHEAD => {
                write!(f, "at least {extra} bytes after the data the header promises")
            }
            Problem::Trailing { extra } => write!(f, "{extra} bytes after the data the header promises"),
            Problem::TooLarge { sizes } => {
                write!(f, "the header's sizes {sizes:?} promise more than {MAX_DATA_BYTES} bytes of data")
            }
            Problem::Label { index, label, classes } => {
                write!(f, "label {label} of item {index} is not one of the {classes} classes")
            }
        }
    }
}

/// An [`Problem`] with the file it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for IdxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for IdxError {}

/// Images of one size, row-major, one byte per pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Images {
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub columns: usize,
    /// `count * rows * columns` pixels, image after image.
    pub pixels: Vec<u8>,
}

impl Images {
    /// The number of images.
    pub fn len(&self) -> usize {
        self.pixels.len() / (self.rows * self.columns).max(1)
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pixels of image `index`.
    pub fn image(&self, index: usize) -> &[u8] {
        let size = self.rows * self.columns;
        &self.pixels[index * size..(index + 1) * size]
    }
}

/// The most data bytes an IDX file may promise: 1 GiB, twenty times
/// Fashion-MNIST's 47 MB of training images.
pub const MAX_DATA_BYTES: usize = 1 << 30;

/// How many bytes past the promised data a reader decompresses to find
/// trailing bytes; more are reported as "at least" this many.
pub const TRAILING_LOOKAHEAD: usize = 4096;

/// Decompresses at most `limit` more bytes of `stream`.
fn read_at_most(stream: &mut impl Read, limit: usize) -> Result<Vec<u8>, Problem> {
    let mut bytes = Vec::new();
    stream.take(limit as u64).read_to_end(&mut bytes).map_err(|e| Problem::Gzip(e.to_string()))?;
    Ok(bytes)
}

/// Reads an unsigned-byte gzip IDX stream header first: checks the magic
/// number, the rank and the `expected` dimensions (`None` = any size) before
/// any data is decompressed, then decompresses exactly the bytes the header
/// promises (at most [`MAX_DATA_BYTES`]) and a short look-ahead for trailing
/// bytes. A gzip bomb therefore costs no more than the header admits.
fn read_idx(stream: &mut impl Read, expected: &[Option<u32>]) -> Result<Vec<u8>, Problem> {
    let header_length = 4 + 4 * expected.len();
    let header = read_at_most(stream, header_length)?;
    let magic: [u8; 4] = header
        .get(..4)
        .and_then(|m| m.try_into().ok())
        .ok_or(Problem::Truncated { expected: 4, found: header.len() })?;
    if magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 {
        return Err(Problem::Magic(magic));
    }
    let rank = expected.len() as u8;
    if magic[3] != rank {
        return Err(Problem::Rank { expected: rank, found: magic[3] });
    }
    let sizes: Vec<u32> = header
        .get(4..header_length)
        .ok_or(Problem::Truncated { expected: header_length, found: header.len() })?
        .chunks_exact(4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    for (axis, (&found, want)) in sizes.iter().zip(expected).enumerate() {
        if let Some(expected) = *want
            && found != expected
        {
            return Err(Problem::Dimension { axis, expected, found });
        }
    }
    let promised = sizes
        .iter()
        .try_fold(1usize, |n, &s| n.checked_mul(s as usize))
        .filter(|&n| n <= MAX_DATA_BYTES)
        .ok_or(Problem::TooLarge { sizes: sizes.clone() })?;
    let data = read_at_most(stream, promised + TRAILING_LOOKAHEAD)?;
    match data.len().cmp(&promised) {
        std::cmp::Ordering::Less => Err(Problem::Truncated { expected: promised, found: data.len() }),
        std::cmp::Ordering::Greater => Err(Problem::Trailing { extra: data.len() - promised }),
        std::cmp::Ordering::Equal => Ok(data),
    }
}

/// Reads the gzip IDX file at `path` with `read`.
fn read_file<T>(
    path: &Path,
    read: impl FnOnce(GzDecoder<std::io::BufReader<std::fs::File>>) -> Result<T, Problem>,
) -> Result<T, IdxError> {
    let error = |problem| IdxError { path: path.to_path_buf(), problem };
    let file = std::fs::File::open(path).map_err(|e| error(Problem::Io(e.to_string())))?;
    read(GzDecoder::new(std::io::BufReader::new(file))).map_err(error)
}

/// Reads a gzip IDX image file of `rows x columns` images.
///
/// # Errors
/// An [`IdxError`] naming the file and the problem.
pub fn read_images(path: &Path, rows: u32, columns: u32) -> Result<Images, IdxError> {
    read_file(path, |stream| images_from(stream, rows, columns))
}

/// Reads a gzip IDX label file whose labels must lie in `0..classes`.
///
/// # Errors
/// An [`IdxError`] naming the file and the problem.
pub fn read_labels(path: &Path, classes: u8) -> Result<Vec<u8>, IdxError> {
    read_file(path, |stream| labels_from(stream, classes))
}

/// Reads an uncompressed IDX stream of `rows x columns` images (wrap a
/// gzip file in a decoder first), header first (see [`MAX_DATA_BYTES`]).
///
/// # Errors
/// The [`Problem`] found.
pub fn images_from(mut stream: impl Read, rows: u32, columns: u32) -> Result<Images, Problem> {
    let pixels = read_idx(&mut stream, &[None, Some(rows), Some(columns)])?;
    Ok(Images { rows: rows as usize, columns: columns as usize, pixels })
}

/// Reads an uncompressed IDX stream of labels in `0..classes`.
///
/// # Errors
/// The [`Problem`] found.
pub fn labels_from(mut stream: impl Read, classes: u8) -> Result<Vec<u8>, Problem> {
    let labels = read_idx(&mut stream, &[None])?;
    match labels.iter().enumerate().find(|&(_, &label)| label >= classes) {
        Some((index, &label)) => Err(Problem::Label { index, label, classes }),
        None => Ok(labels),
    }
}

/// Writes gzip IDX files (for tests and fixtures).
pub mod write {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    /// The uncompressed IDX bytes of unsigned-byte `data` with `sizes`.
    pub fn idx(sizes: &[u32], data: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0, 0, 0x08, sizes.len() as u8];
        for size in sizes {
            bytes.extend_from_slice(&size.to_be_bytes());
        }
        bytes.extend_from_slice(data);
        bytes
    }

    /// `bytes`, gzip-compressed.
    pub fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        // Writing into a Vec cannot fail.
        let _ = encoder.write_all(bytes);
        encoder.finish().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::write::{gzip, idx};
    use super::*;

    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("xil-idx-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, contents).unwrap();
            path
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn well_formed_files_round_trip() {
        let scratch = Scratch::new("ok");
        let pixels: Vec<u8> = (0..2 * 3 * 2).map(|i| i as u8 * 20).collect();
        let images = read_images(&scratch.file("i.gz", &gzip(&idx(&[2, 3, 2], &pixels))), 3, 2).unwrap();
        assert_eq!((images.len(), images.image(1)), (2, &pixels[6..12]));
        let labels = read_labels(&scratch.file("l.gz", &gzip(&idx(&[3], &[0, 9, 4]))), 10).unwrap();
        assert_eq!(labels, vec![0, 9, 4]);
    }

    #[test]
    fn every_malformation_is_named_with_its_file() {
        let scratch = Scratch::new("bad");
        let good = gzip(&idx(&[2, 2, 2], &[1; 8]));
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("plain.idx", idx(&[2, 2, 2], &[1; 8]), "not a complete gzip stream"),
            ("cut.gz", good[..good.len() - 6].to_vec(), "not a complete gzip stream"),
            ("magic.gz", gzip(&[0, 1, 8, 3, 0, 0, 0, 0]), "bad magic number"),
            ("float.gz", gzip(&[0, 0, 0x0d, 3]), "bad magic number"),
            ("rank.gz", gzip(&idx(&[8], &[1; 8])), "1 dimensions, expected 3"),
            ("size.gz", gzip(&idx(&[2, 2, 3], &[1; 12])), "dimension 2 is 3, expected 2"),
            ("short.gz", gzip(&idx(&[2, 2, 2], &[1; 7])), "truncated: 7 data bytes, the header promises 8"),
            ("header.gz", gzip(&[0, 0, 8, 3, 0, 0]), "truncated"),
            ("long.gz", gzip(&idx(&[2, 2, 2], &[1; 9])), "1 bytes after the data"),
        ];
        for (name, contents, expected) in cases {
            let path = scratch.file(name, &contents);
            let message = read_images(&path, 2, 2).unwrap_err().to_string();
            assert!(message.starts_with(&path.display().to_string()), "{message}");
            assert!(message.contains(expected), "{name}: {message}");
        }
        let missing = read_images(&scratch.0.join("absent.gz"), 2, 2).unwrap_err();
        assert!(matches!(missing.problem, Problem::Io(_)));
        let labels = scratch.file("labels.gz", &gzip(&idx(&[3], &[0, 10, 1])));
        let message = read_labels(&labels, 10).unwrap_err().to_string();
        assert!(message.contains("label 10 of item 1 is not one of the 10 classes"), "{message}");
    }

    #[test]
    fn no_more_is_decompressed_than_the_header_promises() {
        // A header for two 2 x 2 images followed by an endless stream: the
        // reader stops a look-ahead past the promised 8 bytes.
        let header = idx(&[2, 2, 2], &[]);
        let mut endless = header.as_slice().chain(std::io::repeat(7));
        let problem = read_idx(&mut endless, &[None, Some(2), Some(2)]).unwrap_err();
        assert_eq!(problem, Problem::Trailing { extra: TRAILING_LOOKAHEAD });
        assert!(problem.to_string().starts_with("at least 4096 bytes after"), "{problem}");
        // A header that promises more than the limit is refused before any data.
        let mut huge = idx(&[u32::MAX, 28, 28], &[]);
        huge.extend_from_slice(&[0; 64]);
        let problem = images_from(huge.as_slice(), 28, 28).unwrap_err();
        assert_eq!(problem, Problem::TooLarge { sizes: vec![u32::MAX, 28, 28] });
        let header = idx(&[2_000_000, 28, 28], &[]);
        let mut endless = header.as_slice().chain(std::io::repeat(0));
        assert!(matches!(read_idx(&mut endless, &[None, Some(28), Some(28)]), Err(Problem::TooLarge { .. })));
    }
}
