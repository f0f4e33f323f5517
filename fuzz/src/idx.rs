//! The IDX reader (Fashion-MNIST's format) on arbitrary bytes, both as the
//! gzip files it reads from disk and uncompressed: every input is either
//! images and labels that match their header or a `Problem`, never a panic,
//! and never more decompressed than the header promises.

use xil_bench::data::idx::{MAX_DATA_BYTES, images_from, labels_from};

/// Runs one input; panics on a broken promise.
pub fn check(data: &[u8]) {
    // Small images reach the data path; 28 x 28 is what the loader asks for.
    for (rows, columns) in [(2, 2), (28, 28)] {
        let plain = images_from(data, rows, columns);
        let gzip = images_from(flate2::read::GzDecoder::new(data), rows, columns);
        for images in [plain, gzip].into_iter().flatten() {
            assert!(images.pixels.len() <= MAX_DATA_BYTES);
            assert_eq!(images.pixels.len() % (rows * columns) as usize, 0);
            for index in 0..images.len() {
                assert_eq!(images.image(index).len(), (rows * columns) as usize);
            }
        }
    }
    let plain = labels_from(data, 10);
    let gzip = labels_from(flate2::read::GzDecoder::new(data), 10);
    for labels in [plain, gzip].into_iter().flatten() {
        assert!(labels.iter().all(|&label| label < 10));
    }
}
