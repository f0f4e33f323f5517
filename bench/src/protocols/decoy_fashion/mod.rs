//! Decoy Fashion-MNIST (seed 000, Table 1): a network that is right for the
//! wrong reasons, corrected by counterexamples or by an input-gradient
//! penalty.
//!
//! Every image gets a 4 x 4 patch in a random corner whose grey level is
//! `255 - 25 * label` in training and `255 - 25 * (random class)` in test: a
//! perfect shortcut that fails at test time. The 784-50-30-10 ReLU network
//! ([`Mlp`](xil_core::nn::mlp::Mlp), raw 0–255 inputs, weights `N(0, 0.1^2)`) is trained with Adam
//! (lr 1e-3, batch 256), L2 1e-4 and summed cross-entropy, in one of five
//! [`Setting`]s: no correction; `c = 1, 3, 5` counterexamples per image (the
//! decoy pixels replaced by uniform noise, label kept: CAIPI's correction of
//! "these pixels don't matter"); or Ross et al.'s penalty on the input
//! gradients inside the decoy (weight 1000).
//!
//! Minibatches are split in two halves whose gradients are computed on two
//! threads and summed in a fixed order: the numbers do not depend on
//! scheduling.

pub mod corrected;
pub mod explain;
pub mod reproduce;
pub mod run;
pub mod session;
pub mod settings;
pub mod write;

pub use crate::data::decoy::{DecoyData, PATCH, patch};
pub use explain::{EXPLAINED_IMAGES, SHARE_IMAGES, decoy_share, explain, explained};
pub use run::{Epoch, Outcome, accuracy, run};
pub use settings::{DecoySettings, Input, Network, Setting, Trainer};
pub use write::{summary_json, write};

use crate::data::fashion::{self, ImageSet};
use crate::error::Result;
use crate::harness::observe::Observer;
use crate::harness::protocol::Protocol;
use std::path::{Path, PathBuf};

/// Decoy Fashion-MNIST as `xil-bench decoy-fashion` runs it: one setting.
#[derive(Debug, Clone, Copy)]
pub struct DecoyFashion;

impl Protocol for DecoyFashion {
    const NAME: &'static str = "decoy-fashion";
    const STEP: &'static str = "epochs";
    type Settings = DecoySettings;
    /// The folder of the four gzip IDX files (else `$XIL_FASHION_MNIST`, else Debian's).
    type Source = Option<PathBuf>;
    type Data = ImageSet;
    type Row = Epoch;
    type Outcome = Outcome;

    fn check(settings: &DecoySettings) -> Result<()> {
        settings.validate()
    }

    fn rows(settings: &DecoySettings) -> usize {
        settings.epochs
    }

    fn load(_: &DecoySettings, folder: &Option<PathBuf>) -> Result<ImageSet> {
        fashion::load(&fashion::locate(folder.as_deref()))
    }

    fn run(settings: &DecoySettings, data: &ImageSet, observe: Observer<'_, Epoch>) -> Result<Outcome> {
        run(settings, data, observe)
    }

    fn write(
        dir: &Path,
        settings: &DecoySettings,
        _: &ImageSet,
        outcome: &Outcome,
        _: f64,
    ) -> Result<serde_json::Value> {
        write(dir, settings, outcome)?;
        Ok(summary_json(settings, outcome))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::fashion::{PIXELS, SIDE, Split};
    use crate::data::idx::Images;

    #[test]
    fn the_first_images_keep_their_pixels_labels_and_corners() {
        let data = DecoyData {
            pixels: (0..3 * PIXELS).map(|i| (i / PIXELS) as u8).collect(),
            labels: vec![4, 5, 6],
            corners: vec![0, 1, 2],
            decoy: crate::data::decoy::Decoy::OneCorner,
        };
        let two = data.first(2);
        assert_eq!((two.len(), two.labels.as_slice(), two.corners.as_slice()), (2, &[4, 5][..], &[0, 1][..]));
        assert_eq!(two.pixels, data.pixels[..2 * PIXELS]);
        assert_eq!(data.first(99), data);
    }

    fn split(n: usize) -> Split {
        let pixels = (0..n * PIXELS).map(|i| (i % 7) as u8).collect();
        Split { images: Images { rows: SIDE, columns: SIDE, pixels }, labels: (0..n).map(|i| (i % 10) as u8).collect() }
    }

    #[test]
    fn patches_are_the_four_corners() {
        assert_eq!(patch(0)[..5], [0, 1, 2, 3, 28]);
        assert_eq!(patch(1)[0], 24);
        assert_eq!(patch(2)[0], 24 * 28);
        assert_eq!(patch(3)[15], 28 * 28 - 1);
    }

    #[test]
    fn training_decoys_encode_the_label_and_test_decoys_do_not() {
        let original = split(200);
        let train = DecoyData::new(&original, true, 1);
        for i in 0..train.len() {
            let grey = 255 - 25 * train.labels[i];
            assert!(patch(train.corners[i]).iter().all(|&p| train.image(i)[p] == grey));
            // Outside the patch the image is untouched.
            let outside = (0..PIXELS).filter(|p| !patch(train.corners[i]).contains(p));
            assert!(outside.clone().all(|p| train.image(i)[p] == original.images.image(i)[p]));
        }
        let corners: std::collections::HashSet<u8> = train.corners.iter().copied().collect();
        assert_eq!(corners.len(), 4, "every corner is used");
        let test = DecoyData::new(&split(2000), false, 2);
        let matching =
            (0..test.len()).filter(|&i| test.image(i)[patch(test.corners[i])[0]] == 255 - 25 * test.labels[i]).count();
        // A random class matches the label one time in ten.
        assert!((140..260).contains(&matching), "{matching} of 2000 test decoys match the label");
        assert_eq!(DecoyData::new(&split(50), false, 3), DecoyData::new(&split(50), false, 3), "seeded");
    }

    #[test]
    fn counterexamples_randomise_only_the_decoy_and_keep_the_label() {
        let train = DecoyData::new(&split(30), true, 4);
        let augmented = train.with_counterexamples(3, 5);
        assert_eq!(augmented.len(), 120);
        assert_eq!(&augmented.pixels[..30 * PIXELS], &train.pixels[..]);
        let mut changed = 0;
        for copy in 1..=3 {
            for i in 0..30 {
                let j = copy * 30 + i;
                assert_eq!((augmented.labels[j], augmented.corners[j]), (train.labels[i], train.corners[i]));
                let inside = patch(train.corners[i]);
                for p in 0..PIXELS {
                    if inside.contains(&p) {
                        changed += usize::from(augmented.image(j)[p] != train.image(i)[p]);
                    } else {
                        assert_eq!(augmented.image(j)[p], train.image(i)[p]);
                    }
                }
            }
        }
        assert!(changed > 90 * 16 * 9 / 10, "noise replaces nearly every decoy pixel ({changed})");
    }

    #[test]
    fn a_tiny_run_learns_and_is_deterministic() {
        let mut data = ImageSet { train: split(300), test: split(100) };
        // Make the class visible outside the decoy too: a bright row per class.
        for split in [&mut data.train, &mut data.test] {
            for (i, &label) in split.labels.iter().enumerate() {
                let row = 6 + 2 * label as usize;
                split.images.pixels[i * PIXELS + row * SIDE..i * PIXELS + row * SIDE + SIDE].fill(200);
            }
        }
        let settings = DecoySettings { epochs: 8, batch: 32, ..DecoySettings::paper(Setting::Ce1, 9) };
        let first = run(&settings, &data, &crate::harness::observe::ticking(&|| {})).unwrap();
        let again = run(&settings, &data, &crate::harness::observe::ticking(&|| {})).unwrap();
        assert_eq!(first.epochs.len(), 8);
        assert!(first.test_accuracy > 0.9, "test accuracy {}", first.test_accuracy);
        assert_eq!(first.model, again.model, "same seed, same network");
        assert_eq!(first.test_accuracy, again.test_accuracy);
        let bad = DecoySettings { epochs: 0, ..settings };
        assert!(
            run(&bad, &data, &crate::harness::observe::ticking(&|| {})).unwrap_err().to_string().contains("--epochs")
        );
    }
}
