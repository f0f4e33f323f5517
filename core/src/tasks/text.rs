//! Text over a fixed vocabulary, without a heap: word counts and TF-IDF
//! features, so a small text model runs on a device.
//!
//! A desktop run (xil-bench's text experiment) chooses the vocabulary and its
//! inverse document frequencies; a device keeps them as two `'static` arrays,
//! turns a message into `[u16; V]` word counts (the compact instance: one
//! count per vocabulary word) and computes the same TF-IDF features as the
//! desktop: `count * idf`, L2-normalised, plus a constant feature, so any
//! linear learner of xil-core fits it and its contributions name words.
//!
//! Tokens are maximal runs of ASCII letters and digits with at least one
//! letter, 2 to 30 bytes long, matched case-insensitively (non-ASCII bytes
//! separate tokens; the desktop tokeniser agrees on ASCII text).

use crate::data::features::FeatureMap;
use crate::error::Error;
use core::cmp::Ordering;
use nalgebra::SVector;

/// Compares a token with a lower-case vocabulary word, ignoring ASCII case.
fn compare(word: &str, token: &[u8]) -> Ordering {
    word.bytes().cmp(token.iter().map(u8::to_ascii_lowercase))
}

/// The tokens of `text` as byte slices (see the module docs).
pub fn tokens(text: &str) -> impl Iterator<Item = &[u8]> {
    text.as_bytes()
        .split(|b| !b.is_ascii_alphanumeric())
        .filter(|t| (2..=30).contains(&t.len()) && t.iter().any(u8::is_ascii_alphabetic))
}

/// A sorted vocabulary of `V` lower-case words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vocabulary<'a, const V: usize> {
    words: &'a [&'a str; V],
}

impl<'a, const V: usize> Vocabulary<'a, V> {
    /// A vocabulary; the words must be lower-case ASCII and strictly
    /// increasing.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`"vocabulary"`) otherwise.
    pub fn new(words: &'a [&'a str; V]) -> Result<Self, Error> {
        let lower = words.iter().all(|w| w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        let sorted = words.windows(2).all(|pair| matches!(pair, [a, b] if a < b));
        if !(lower && sorted) {
            return Err(Error::InvalidParameter { name: "vocabulary" });
        }
        Ok(Self { words })
    }

    /// The index of a token, if it is a vocabulary word.
    pub fn index(&self, token: &[u8]) -> Option<usize> {
        self.words.binary_search_by(|word| compare(word, token)).ok()
    }

    /// Word `index`.
    pub fn word(&self, index: usize) -> Option<&'a str> {
        self.words.get(index).copied()
    }

    /// The count of every vocabulary word in `text` (saturating at
    /// `u16::MAX`).
    pub fn count(&self, text: &str) -> [u16; V] {
        let mut counts = [0u16; V];
        for token in tokens(text) {
            if let Some(count) = self.index(token).and_then(|i| counts.get_mut(i)) {
                *count = count.saturating_add(1);
            }
        }
        counts
    }
}

/// TF-IDF features of word counts: `D = V + 1` features, the last constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TfIdf<'a, const V: usize> {
    idf: &'a [f32; V],
}

impl<'a, const V: usize> TfIdf<'a, V> {
    /// The map with these inverse document frequencies.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`"idf"`) for a negative or non-finite
    /// weight.
    pub fn new(idf: &'a [f32; V]) -> Result<Self, Error> {
        if !idf.iter().all(|w| w.is_finite() && *w >= 0.0) {
            return Err(Error::InvalidParameter { name: "idf" });
        }
        Ok(Self { idf })
    }

    fn norm(&self, counts: &[u16; V]) -> f32 {
        let squares: f32 = counts.iter().zip(self.idf).map(|(&c, w)| (f32::from(c) * w) * (f32::from(c) * w)).sum();
        libm::sqrtf(squares)
    }
}

impl<const V: usize, const D: usize> FeatureMap<[u16; V], D> for TfIdf<'_, V> {
    /// `count_j * idf_j / |count * idf|` for `j < V`, 1 for `j = V`, 0 beyond.
    fn feature(&self, counts: &[u16; V], j: usize) -> f32 {
        if j == V {
            return 1.0;
        }
        let norm = self.norm(counts);
        match (counts.get(j), self.idf.get(j)) {
            (Some(&c), Some(w)) if norm > 0.0 => f32::from(c) * w / norm,
            _ => 0.0,
        }
    }

    fn features(&self, counts: &[u16; V]) -> SVector<f32, D> {
        let norm = self.norm(counts);
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        let mut features = SVector::<f32, D>::zeros();
        for (feature, (&c, w)) in features.iter_mut().zip(counts.iter().zip(self.idf)) {
            *feature = f32::from(c) * w * scale;
        }
        if let Some(constant) = features.get_mut(V) {
            *constant = 1.0;
        }
        features
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: [&str; 4] = ["cheap", "meeting", "offer", "project"];
    const IDF: [f32; 4] = [1.5, 2.0, 1.2, 1.0];

    #[test]
    fn counting_is_case_insensitive_and_ignores_unknown_and_short_tokens() {
        let vocabulary = Vocabulary::new(&WORDS).unwrap();
        let counts = vocabulary.count("CHEAP cheap offer! a 2002 Cheapest project-meeting café");
        assert_eq!(counts, [2, 1, 1, 1]);
        assert_eq!(vocabulary.index(b"Offer"), Some(2));
        assert_eq!(vocabulary.word(3), Some("project"));
        assert_eq!(Vocabulary::new(&["b", "a"]).err(), Some(Error::InvalidParameter { name: "vocabulary" }));
        assert_eq!(Vocabulary::new(&["Upper"]).err(), Some(Error::InvalidParameter { name: "vocabulary" }));
    }

    #[test]
    fn tf_idf_rows_are_unit_length_plus_a_constant() {
        let map = TfIdf::new(&IDF).unwrap();
        let counts = [2u16, 0, 1, 0];
        let x: SVector<f32, 5> = map.features(&counts);
        let expected = [3.0f32, 0.0, 1.2, 0.0];
        let norm = (9.0f32 + 1.44).sqrt();
        for j in 0..4 {
            assert!(approx::abs_diff_eq!(x[j], expected[j] / norm, epsilon = 1e-6));
            assert!(approx::abs_diff_eq!(FeatureMap::<[u16; 4], 5>::feature(&map, &counts, j), x[j], epsilon = 1e-6));
        }
        assert_eq!(x[4], 1.0);
        let empty: SVector<f32, 5> = map.features(&[0; 4]);
        assert_eq!(empty, SVector::from([0.0, 0.0, 0.0, 0.0, 1.0]));
        assert!(TfIdf::new(&[f32::NAN]).is_err());
    }
}
