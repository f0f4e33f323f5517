//! Images with decoys: label-revealing grey squares in the corners, and their
//! counterexamples.
//!
//! Two variants, for Fashion-MNIST and MNIST alike:
//! - [`Decoy::OneCorner`] (Ross et al. 2017, CAIPI's Table 1): a `4 x 4`
//!   square in one random corner per image;
//! - [`Decoy::FourCorners`] (seed 003): a `4 x 4` square in every corner.
//!
//! The squares' grey is `255 - 25 y` for the label `y` in training and for a
//! uniformly random class in test, so a model that learnt the decoy fails
//! the test set.

use crate::data::fashion::{CLASSES, PIXELS, SIDE, Split};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;
use xil_core::random::uniform_below;

/// Side of a decoy square.
pub const PATCH: usize = 4;

/// Where the decoy squares are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decoy {
    /// One square, in a random corner.
    OneCorner,
    /// A square in each of the four corners.
    FourCorners,
}

/// The 16 pixel indices of the decoy patch in corner `corner` (bit 0: right,
/// bit 1: bottom).
pub fn patch(corner: u8) -> [usize; PATCH * PATCH] {
    let row0 = if corner & 2 == 0 { 0 } else { SIDE - PATCH };
    let column0 = if corner & 1 == 0 { 0 } else { SIDE - PATCH };
    std::array::from_fn(|i| (row0 + i / PATCH) * SIDE + column0 + i % PATCH)
}

/// The decoy pixels of a variant, for one corner's square or all four.
fn decoy_pixels(decoy: Decoy, corner: u8) -> Vec<usize> {
    match decoy {
        Decoy::OneCorner => patch(corner).to_vec(),
        Decoy::FourCorners => (0..4).flat_map(patch).collect(),
    }
}

/// Images with decoys: pixels, labels and each image's decoy corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoyData {
    /// `len * 784` pixels.
    pub pixels: Vec<u8>,
    /// The true labels.
    pub labels: Vec<u8>,
    /// The corner of each image's patch (the first of four with
    /// [`Decoy::FourCorners`]).
    pub corners: Vec<u8>,
    /// Where the squares are.
    pub decoy: Decoy,
}

impl DecoyData {
    /// Adds one-corner decoys to a split: grey `255 - 25 * label` when
    /// `honest` (training), else `255 - 25 * (uniform random class)` (test).
    pub fn new(split: &Split, honest: bool, seed: u64) -> Self {
        Self::with_decoy(split, Decoy::OneCorner, honest, seed)
    }

    /// Adds decoys of either variant to a split (see [`DecoyData::new`]).
    pub fn with_decoy(split: &Split, decoy: Decoy, honest: bool, seed: u64) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut pixels = split.images.pixels.clone();
        let mut corners = Vec::with_capacity(split.len());
        for (image, &label) in pixels.chunks_exact_mut(PIXELS).zip(&split.labels) {
            let corner = match decoy {
                Decoy::OneCorner => uniform_below(&mut rng, 4) as u8,
                Decoy::FourCorners => 0,
            };
            let class = if honest { label } else { uniform_below(&mut rng, CLASSES as u32) as u8 };
            for pixel in decoy_pixels(decoy, corner) {
                image[pixel] = 255 - 25 * class;
            }
            corners.push(corner);
        }
        Self { pixels, labels: split.labels.clone(), corners, decoy }
    }

    /// The decoy pixels of image `index`.
    pub fn decoy_pixels(&self, index: usize) -> Vec<usize> {
        decoy_pixels(self.decoy, self.corners.get(index).copied().unwrap_or(0))
    }

    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// The first `count` images (all when there are fewer).
    pub fn first(&self, count: usize) -> Self {
        let count = count.min(self.len());
        Self {
            pixels: self.pixels.get(..count * PIXELS).unwrap_or(&self.pixels).to_vec(),
            labels: self.labels[..count].to_vec(),
            corners: self.corners.get(..count).unwrap_or(&self.corners).to_vec(),
            decoy: self.decoy,
        }
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The pixels of image `index`.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * PIXELS..(index + 1) * PIXELS]
    }

    /// Image `index` as network input: each byte times `scale` (1 for raw
    /// 0–255 values, `1 / 255` for `[0, 1]`).
    pub fn input_scaled(&self, index: usize, scale: f32, into: &mut [f32]) {
        for (x, &p) in into.iter_mut().zip(self.image(index)) {
            *x = f32::from(p) * scale;
        }
    }

    /// These images followed by `copies` counterexamples of each: the image
    /// with its decoy pixels replaced by uniform noise in 0–255, same label.
    pub fn with_counterexamples(&self, copies: usize, seed: u64) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut augmented = self.clone();
        for _ in 0..copies {
            for index in 0..self.len() {
                let start = augmented.pixels.len();
                augmented.pixels.extend_from_slice(self.image(index));
                for pixel in self.decoy_pixels(index) {
                    augmented.pixels[start + pixel] = uniform_below(&mut rng, 256) as u8;
                }
                augmented.labels.push(self.labels[index]);
                augmented.corners.push(self.corners[index]);
            }
        }
        augmented
    }
}
