//! The colors generator reproduces the distribution of the reference data set.
//!
//! The reference file (the 40,000 images the papers used) lives beside the
//! project, not in it: `../shared/data/toy_colors.npz`, or the path in
//! `XIL_COLORS_REFERENCE`. Without it the comparison is skipped with a printed
//! reason; the generator's own invariants are checked either way.

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::PathBuf;
use xil_core::tasks::colors::{self, PALETTE, PIXELS, Rule};

/// Statistics that characterise the generator's distribution.
#[derive(Debug)]
struct Statistics {
    positive_rate: f64,
    /// Share of each colour at each pixel.
    colour_share: [[f64; 4]; PIXELS],
    /// Among negatives: P(top-left == bottom-right), P(top-right == bottom-left),
    /// P(all three top-middle equal), P(pixel 1 == pixel 2).
    negative_patterns: [f64; 4],
}

fn statistics(images: &[[u8; PIXELS]], labels: &[u8]) -> Statistics {
    let n = images.len() as f64;
    let mut colour_share = [[0.0; 4]; PIXELS];
    for image in images {
        for (p, &c) in image.iter().enumerate() {
            colour_share[p][usize::from(c)] += 1.0 / n;
        }
    }
    let negatives: Vec<&[u8; PIXELS]> = images.iter().zip(labels).filter(|(_, l)| **l == 0).map(|(i, _)| i).collect();
    let share =
        |f: &dyn Fn(&[u8; PIXELS]) -> bool| negatives.iter().filter(|i| f(i)).count() as f64 / negatives.len() as f64;
    Statistics {
        positive_rate: labels.iter().filter(|&&l| l == 1).count() as f64 / n,
        colour_share,
        negative_patterns: [
            share(&|i| i[0] == i[24]),
            share(&|i| i[4] == i[20]),
            share(&|i| i[1] == i[2] && i[2] == i[3]),
            share(&|i| i[1] == i[2]),
        ],
    }
}

fn generated(count: usize, seed: u64) -> (Vec<[u8; PIXELS]>, Vec<u8>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let example = colors::generate(&mut rng);
            (*example.instance.cells(), example.label)
        })
        .unzip()
}

#[test]
fn generated_statistics_are_those_of_a_fair_coin_and_uniform_colours() {
    let (images, labels) = generated(40_000, 1);
    let stats = statistics(&images, &labels);
    assert!(approx::abs_diff_eq!(stats.positive_rate, 0.5, epsilon = 0.01), "positive rate {}", stats.positive_rate);
    for (p, shares) in stats.colour_share.iter().enumerate() {
        for (c, share) in shares.iter().enumerate() {
            assert!(approx::abs_diff_eq!(*share, 0.25, epsilon = 0.015), "pixel {p} colour {c}: {share}");
        }
    }
    for (image, label) in images.iter().zip(&labels) {
        let image = colors::Image::new(*image).unwrap();
        assert_eq!(Rule::Zero.holds(&image), *label == 1);
        assert_eq!(Rule::One.holds(&image), *label == 1);
    }
}

// ---------------------------------------------------------------------------
// The reference file: a zip of uncompressed .npy arrays.

fn reference_path() -> PathBuf {
    std::env::var_os("XIL_COLORS_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/toy_colors.npz"))
}

/// The members of a zip archive stored without compression, by name.
fn stored_zip_members(bytes: &[u8]) -> Vec<(String, &[u8])> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
    let mut members = Vec::new();
    let mut at = 0;
    while at + 30 <= bytes.len() && bytes[at..at + 4] == *b"PK\x03\x04" {
        assert_eq!(u16_at(at + 8), 0, "the reference file's members are stored uncompressed");
        let size = u32_at(at + 18);
        let (name_len, extra_len) = (u16_at(at + 26), u16_at(at + 28));
        let name = String::from_utf8_lossy(&bytes[at + 30..at + 30 + name_len]).into_owned();
        let start = at + 30 + name_len + extra_len;
        members.push((name, &bytes[start..start + size]));
        at = start + size;
    }
    members
}

/// The raw data of a `.npy` array of `u8`.
fn npy_u8(npy: &[u8]) -> &[u8] {
    assert_eq!(&npy[..6], b"\x93NUMPY");
    let header_len = u16::from_le_bytes([npy[8], npy[9]]) as usize;
    let header = String::from_utf8_lossy(&npy[10..10 + header_len]);
    assert!(header.contains("'|u1'"), "expected u8 data: {header}");
    &npy[10 + header_len..]
}

#[test]
fn generated_statistics_match_the_reference_data_set() {
    let path = reference_path();
    let Ok(bytes) = std::fs::read(&path) else {
        println!("skipped: the reference file {} is absent (set XIL_COLORS_REFERENCE)", path.display());
        return;
    };
    let members = stored_zip_members(&bytes);
    let member = |name: &str| npy_u8(members.iter().find(|(n, _)| n == name).unwrap().1);
    let mut images = Vec::new();
    let mut labels = Vec::new();
    for (pixels, stored) in [("arr_0.npy", "arr_2.npy"), ("arr_1.npy", "arr_3.npy")] {
        for rgb in member(pixels).chunks_exact(3 * PIXELS) {
            let image: [u8; PIXELS] = std::array::from_fn(|p| {
                let colour = [rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]];
                PALETTE.iter().position(|c| *c == colour).expect("a palette colour") as u8
            });
            images.push(image);
        }
        // CAIPI uses y = 1 - stored label (1 = the rules hold).
        labels.extend(member(stored).iter().map(|&l| 1 - l));
    }
    assert_eq!(images.len(), 40_000);
    for (image, label) in images.iter().zip(&labels) {
        let image = colors::Image::new(*image).unwrap();
        assert_eq!(u8::from(Rule::Zero.holds(&image)), *label, "reference labels follow rule 0");
    }

    let theirs = statistics(&images, &labels);
    let (our_images, our_labels) = generated(40_000, 2);
    let ours = statistics(&our_images, &our_labels);
    println!(
        "positive rate: reference {:.4}, ours {:.4}; negative patterns: reference {:.4?}, ours {:.4?}",
        theirs.positive_rate, ours.positive_rate, theirs.negative_patterns, ours.negative_patterns
    );
    assert!(approx::abs_diff_eq!(ours.positive_rate, theirs.positive_rate, epsilon = 0.01));
    for (p, (a, b)) in ours.colour_share.iter().zip(&theirs.colour_share).enumerate() {
        for c in 0..4 {
            assert!(
                approx::abs_diff_eq!(a[c], b[c], epsilon = 0.015),
                "pixel {p} colour {c}: ours {} reference {}",
                a[c],
                b[c]
            );
        }
    }
    for (i, (a, b)) in ours.negative_patterns.iter().zip(&theirs.negative_patterns).enumerate() {
        assert!(approx::abs_diff_eq!(a, b, epsilon = 0.02), "negative pattern {i}: ours {a} reference {b}");
    }
}
