//! Fashion-MNIST (Xiao et al. 2017): 70,000 real 28 x 28 grey images of ten
//! kinds of clothing, found where Debian's `dataset-fashion-mnist` package
//! installs it, in a folder given by the caller, or in `$XIL_FASHION_MNIST`.

use crate::data::idx::{Images, read_images, read_labels};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Where Debian's `dataset-fashion-mnist` puts the four files.
pub const DEBIAN_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// The environment variable naming the folder when no option does.
pub const ENV_VAR: &str = "XIL_FASHION_MNIST";

/// Image side in pixels.
pub const SIDE: usize = 28;

/// Pixels per image.
pub const PIXELS: usize = SIDE * SIDE;

/// Classes: T-shirt/top, trouser, pullover, dress, coat, sandal, shirt,
/// sneaker, bag, ankle boot.
pub const CLASSES: usize = 10;

/// The class names, by label.
pub const CLASS_NAMES: [&str; CLASSES] =
    ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

/// Images with their labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The images (28 x 28).
    pub images: Images,
    /// One label per image, `< 10`.
    pub labels: Vec<u8>,
}

impl Split {
    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the split is empty.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The first `n` images (all when fewer).
    pub fn truncate(&mut self, n: usize) {
        self.labels.truncate(n);
        self.images.pixels.truncate(n.saturating_mul(PIXELS));
    }
}

/// Labelled images in a training and a test split: Fashion-MNIST's 60,000
/// and 10,000 ([`load`]), MNIST's 8,000 and 2,000
/// ([`mnist::load`](crate::data::mnist::load)) or the UCI 8 x 8 digits'
/// 1,437 and 360 ([`digits::load`](crate::data::digits::load)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSet {
    /// The training split.
    pub train: Split,
    /// The test split.
    pub test: Split,
}

/// Folds of a stratified split ([`ImageSet::stratified`]); one is the test
/// set (a fifth of each class).
const SPLIT_FOLDS: usize = 5;

impl ImageSet {
    /// `all` split once, stratified by class and seeded: a fifth of each
    /// class (one fold of five) is the test set.
    ///
    /// # Errors
    /// [`Error::Settings`] when a class has fewer than five images.
    pub fn stratified(all: &Split, seed: u64) -> Result<Self> {
        let folds = crate::harness::folds::stratified_folds(&all.labels, SPLIT_FOLDS, seed)?;
        let select = |fold_is_test: bool| {
            let indices: Vec<usize> = (0..all.len()).filter(|&i| (folds[i] == 0) == fold_is_test).collect();
            let mut images = Images { rows: all.images.rows, columns: all.images.columns, pixels: Vec::new() };
            for &i in &indices {
                images.pixels.extend_from_slice(all.images.image(i));
            }
            Split { images, labels: indices.iter().map(|&i| all.labels[i]).collect() }
        };
        Ok(Self { train: select(false), test: select(true) })
    }
}

/// The folder to read: the given one, else `$XIL_FASHION_MNIST`, else
/// Debian's.
pub fn locate(dir: Option<&Path>) -> PathBuf {
    crate::data::locate::locate(dir, ENV_VAR, DEBIAN_DIR)
}

fn read_split(dir: &Path, prefix: &str) -> Result<Split> {
    let images_path = dir.join(format!("{prefix}-images-idx3-ubyte.gz"));
    let labels_path = dir.join(format!("{prefix}-labels-idx1-ubyte.gz"));
    let images = read_images(&images_path, SIDE as u32, SIDE as u32)?;
    let labels = read_labels(&labels_path, CLASSES as u8)?;
    if images.len() != labels.len() {
        return Err(Error::Data(format!(
            "{} holds {} images but {} holds {} labels",
            images_path.display(),
            images.len(),
            labels_path.display(),
            labels.len()
        )));
    }
    Ok(Split { images, labels })
}

/// Reads Fashion-MNIST's four gzip IDX files from `dir` (see [`locate`]).
///
/// # Errors
/// A one-line message: the folder is missing (with how to install the
/// data), or a file is malformed (naming it and the problem), or images
/// and labels disagree in number.
pub fn load(dir: &Path) -> Result<ImageSet> {
    if !dir.is_dir() {
        return Err(Error::Data(format!(
            "Fashion-MNIST not found: {} is not a folder (install Debian's dataset-fashion-mnist, \
             pass --data DIR or set {ENV_VAR})",
            dir.display()
        )));
    }
    Ok(ImageSet { train: read_split(dir, "train")?, test: read_split(dir, "t10k")? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::idx::write::{gzip, idx};

    #[test]
    fn a_missing_folder_says_how_to_get_the_data() {
        let message = load(Path::new("/nonexistent/fashion")).unwrap_err().to_string();
        assert!(message.contains("dataset-fashion-mnist") && message.contains("--data"), "{message}");
    }

    #[test]
    fn images_and_labels_must_agree_in_number() {
        let dir = std::env::temp_dir().join(format!("xil-fashion-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (prefix, count) in [("train", 3u32), ("t10k", 2)] {
            let images = idx(&[count, 28, 28], &vec![7; count as usize * PIXELS]);
            std::fs::write(dir.join(format!("{prefix}-images-idx3-ubyte.gz")), gzip(&images)).unwrap();
            let labels = idx(&[2], &[1, 2]);
            std::fs::write(dir.join(format!("{prefix}-labels-idx1-ubyte.gz")), gzip(&labels)).unwrap();
        }
        let message = load(&dir).unwrap_err().to_string();
        assert!(message.contains("holds 3 images but") && message.contains("holds 2 labels"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
