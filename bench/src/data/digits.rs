//! The 1,797 UCI 8 x 8 handwritten digits (Alpaydin & Kaynak 1998) as
//! scikit-learn ships them, `sklearn/datasets/data/digits.csv.gz`, which
//! `scripts/fetch_digits` takes out of the library's wheel.
//!
//! Each line holds 64 grey levels, whole numbers from 0 to 16, row by row,
//! then the class 0–9. Every line is checked (65 fields, levels and classes in
//! range) and an error names the file and the line. The digits are split once,
//! stratified and seeded ([`Stream::DigitsSplit`]): a fifth of each class is
//! the test set (1,437 training and 360 test digits). Levels stay 0–16: the
//! device network reads them divided by 16.

use crate::data::fashion::{CLASSES, ImageSet, Split};
use crate::data::idx::Images;
use crate::error::{Error, Result};
use crate::harness::seeds::Stream;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Pixels per row and column.
pub const SIDE: usize = 8;

/// Pixels per digit.
pub const PIXELS: usize = SIDE * SIDE;

/// The largest grey level.
pub const LEVELS: u8 = 16;

/// Where `scripts/fetch_digits` puts the file.
pub const DEFAULT_DIR: &str = "data/digits";

/// The environment variable naming the folder when no option does.
pub const ENV_VAR: &str = "XIL_DIGITS";

/// The file's name in its folder.
pub const FILE: &str = "digits.csv.gz";

/// The most bytes read from the decompressed file (it has 300 KB).
const MAX_BYTES: u64 = 64 << 20;

/// The folder to read: the given one, else `$XIL_DIGITS`, else
/// [`DEFAULT_DIR`].
pub fn locate(dir: Option<&Path>) -> PathBuf {
    crate::data::locate::locate(dir, ENV_VAR, DEFAULT_DIR)
}

/// Reads `dir/digits.csv.gz` and splits the digits.
///
/// # Errors
/// [`Error::Data`] naming the file (and the line) that is missing or
/// malformed.
pub fn load(dir: &Path) -> Result<ImageSet> {
    let path = dir.join(FILE);
    let fail = |problem: String| Error::Data(format!("{}: {problem}", path.display()));
    let file = std::fs::File::open(&path)
        .map_err(|e| fail(format!("{e} (run scripts/fetch_digits, or set {ENV_VAR} to its folder)")))?;
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(file)
        .take(MAX_BYTES)
        .read_to_end(&mut text)
        .map_err(|e| fail(format!("not a whole gzip file ({e})")))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_slice());
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let line = line + 1;
        let record = record.map_err(|e| fail(format!("line {line}: {e}")))?;
        if record.len() != PIXELS + 1 {
            return Err(fail(format!("line {line} has {} fields, not {}", record.len(), PIXELS + 1)));
        }
        let mut values = Vec::with_capacity(PIXELS + 1);
        for field in &record {
            let value: f64 =
                field.trim().parse().map_err(|_| fail(format!("line {line}: {field:?} is not a number")))?;
            if value.fract() != 0.0 || !(0.0..=f64::from(LEVELS)).contains(&value) {
                return Err(fail(format!("line {line}: {field} is not a whole number from 0 to {LEVELS}")));
            }
            values.push(value as u8);
        }
        let label = values.pop().unwrap_or(0);
        if usize::from(label) >= CLASSES {
            return Err(fail(format!("line {line}: class {label} is not 0–9")));
        }
        pixels.extend(values);
        labels.push(label);
    }
    if labels.is_empty() {
        return Err(fail("holds no digits".into()));
    }
    let images = Images { rows: SIDE, columns: SIDE, pixels };
    ImageSet::stratified(&Split { images, labels }, Stream::DigitsSplit.seed(0)).map_err(|e| fail(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xil-digits-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        std::fs::write(dir.join(FILE), encoder.finish().unwrap()).unwrap();
        dir
    }

    fn line(level: u8, label: u8) -> String {
        let mut fields: Vec<String> = (0..PIXELS).map(|_| level.to_string()).collect();
        fields.push(label.to_string());
        fields.join(",")
    }

    #[test]
    fn digits_are_read_and_a_fifth_of_each_class_is_the_test_set() {
        let text: Vec<String> = (0..100).map(|i| line((i % 17) as u8, (i % 10) as u8)).collect();
        let dir = write("good", &text.join("\n"));
        let digits = load(&dir).unwrap();
        assert_eq!((digits.train.len(), digits.test.len()), (80, 20));
        assert_eq!((digits.train.images.rows, digits.train.images.columns), (8, 8));
        for class in 0..10 {
            assert_eq!(digits.test.labels.iter().filter(|&&l| l == class).count(), 2);
        }
        assert_eq!(load(&dir).unwrap(), digits, "the split is fixed");
    }

    #[test]
    fn malformed_files_name_the_line() {
        let message = |name: &str, text: &str| load(&write(name, text)).unwrap_err().to_string();
        assert!(message("short", "1,2,3").contains("line 1 has 3 fields"));
        let bad_level = line(17, 0);
        assert!(message("level", &bad_level).contains("line 1: 17 is not a whole number from 0 to 16"));
        let bad_class = line(3, 10);
        assert!(message("class", &bad_class).contains("class 10"));
        let missing = load(Path::new("/nonexistent/digits")).unwrap_err().to_string();
        assert!(missing.contains("scripts/fetch_digits"), "{missing}");
    }

    #[test]
    fn the_fetched_file_holds_the_1797_uci_digits() {
        let digits = load(&locate(None)).unwrap();
        assert_eq!(digits.train.len() + digits.test.len(), 1797);
        let mut counts = [0usize; 10];
        for &label in digits.train.labels.iter().chain(&digits.test.labels) {
            counts[usize::from(label)] += 1;
        }
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        assert_eq!(digits.test.len(), 360);
    }
}
