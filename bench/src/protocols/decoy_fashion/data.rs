//! Fashion-MNIST with decoys: a label-revealing patch in a corner, and its counterexamples.

use super::settings::{Input, PATCH};
use crate::data::fashion::{CLASSES, PIXELS, SIDE, Split};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use xil_core::random::uniform_below;

/// The 16 pixel indices of the decoy patch in corner `corner` (bit 0: right,
/// bit 1: bottom).
pub fn patch(corner: u8) -> [usize; PATCH * PATCH] {
    let row0 = if corner & 2 == 0 { 0 } else { SIDE - PATCH };
    let column0 = if corner & 1 == 0 { 0 } else { SIDE - PATCH };
    std::array::from_fn(|i| (row0 + i / PATCH) * SIDE + column0 + i % PATCH)
}

/// Images with decoys: pixels, labels and each image's decoy corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoyData {
    /// `len * 784` pixels.
    pub pixels: Vec<u8>,
    /// The true labels.
    pub labels: Vec<u8>,
    /// The corner of each image's patch.
    pub corners: Vec<u8>,
}

impl DecoyData {
    /// Adds decoys to a split: grey `255 - 25 * label` when `honest` (training),
    /// else `255 - 25 * (uniform random class)` (test).
    pub fn new(split: &Split, honest: bool, seed: u64) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut pixels = split.images.pixels.clone();
        let mut corners = Vec::with_capacity(split.len());
        for (image, &label) in pixels.chunks_exact_mut(PIXELS).zip(&split.labels) {
            let corner = uniform_below(&mut rng, 4) as u8;
            let class = if honest { label } else { uniform_below(&mut rng, CLASSES as u32) as u8 };
            for pixel in patch(corner) {
                image[pixel] = 255 - 25 * class;
            }
            corners.push(corner);
        }
        Self { pixels, labels: split.labels.clone(), corners }
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

    /// Image `index` as network input (raw 0–255 values).
    pub fn input(&self, index: usize, into: &mut Input) {
        for (x, &p) in into.iter_mut().zip(self.image(index)) {
            *x = f32::from(p);
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
                for pixel in patch(self.corners[index]) {
                    augmented.pixels[start + pixel] = uniform_below(&mut rng, 256) as u8;
                }
                augmented.labels.push(self.labels[index]);
                augmented.corners.push(self.corners[index]);
            }
        }
        augmented
    }
}
