//! Words, a vocabulary with document-frequency limits, and TF-IDF rows.
//!
//! Tokens are maximal runs of letters and digits, lower-cased, 2 to 30
//! characters, with at least one letter. Header tokens are kept apart from
//! body tokens by an `h:` prefix (`h:received` is not `received`), so a
//! model's reliance on headers can be measured and corrected. A document is a
//! bag of word ids with counts; its TF-IDF row is `count * idf` with
//! `idf = ln((1 + n) / (1 + df)) + 1` (scikit-learn's smooth idf),
//! L2-normalised, followed by a constant feature 1.

use std::collections::HashMap;

/// The prefix of header tokens.
pub const HEADER_PREFIX: &str = "h:";

/// The tokens of `text`.
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| (2..=30).contains(&t.chars().count()) && t.chars().any(char::is_alphabetic))
        .map(str::to_lowercase)
}

/// `text` cut into runs of letters and digits (`true`: a word candidate,
/// which [`tokens`] keeps when it is 2 to 30 characters with a letter) and
/// the single characters between them (`false`), in order; concatenated
/// they give `text` back.
pub fn words_and_gaps(text: &str) -> Vec<(&str, bool)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (at, c) in text.char_indices() {
        if !c.is_alphanumeric() {
            if start < at {
                pieces.push((&text[start..at], true));
            }
            let end = at + c.len_utf8();
            pieces.push((&text[at..end], false));
            start = end;
        }
    }
    if start < text.len() {
        pieces.push((&text[start..], true));
    }
    pieces
}

/// A sparse vector: sorted indices and their values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SparseRow {
    /// Strictly increasing feature indices.
    pub indices: Vec<u32>,
    /// One value per index.
    pub values: Vec<f32>,
}

impl SparseRow {
    /// `w · x`.
    pub fn dot(&self, w: &[f32]) -> f32 {
        self.indices.iter().zip(&self.values).map(|(&i, &v)| w[i as usize] * v).sum()
    }

    /// `w += a x`.
    pub fn add_to(&self, w: &mut [f32], a: f32) {
        for (&i, &v) in self.indices.iter().zip(&self.values) {
            w[i as usize] += a * v;
        }
    }

    /// `w · x` in double precision.
    pub fn dot64(&self, w: &[f64]) -> f64 {
        self.indices.iter().zip(&self.values).map(|(&i, &v)| w[i as usize] * f64::from(v)).sum()
    }

    /// `w += a x` in double precision.
    pub fn add_to64(&self, w: &mut [f64], a: f64) {
        for (&i, &v) in self.indices.iter().zip(&self.values) {
            w[i as usize] += a * f64::from(v);
        }
    }

    /// `|x|^2`.
    pub fn squared_norm(&self) -> f32 {
        self.values.iter().map(|v| v * v).sum()
    }
}

/// A document as word ids with their counts, sorted by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bag {
    /// `(word id, count)`, strictly increasing ids.
    pub words: Vec<(u32, u32)>,
}

impl Bag {
    /// The bag without the given words (sorted ids).
    pub fn without(&self, removed: &[u32]) -> Bag {
        Bag { words: self.words.iter().copied().filter(|(w, _)| removed.binary_search(w).is_err()).collect() }
    }

    /// The distinct word ids.
    pub fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().map(|&(w, _)| w)
    }
}

/// Document-frequency limits of a vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Limits {
    /// A word must occur in at least this many documents.
    pub min_df: usize,
    /// A word must occur in at most this share of documents.
    pub max_df: f32,
}

impl Default for Limits {
    /// At least 5 documents, at most half of them.
    fn default() -> Self {
        Self { min_df: 5, max_df: 0.5 }
    }
}

/// Words with their inverse document frequencies.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    words: Vec<String>,
    index: HashMap<String, u32>,
    idf: Vec<f32>,
}

impl Vocabulary {
    /// The vocabulary of `documents` (token lists) within `limits`, words in
    /// alphabetical order.
    pub fn build(documents: &[Vec<String>], limits: Limits) -> Self {
        let mut df: HashMap<&str, usize> = HashMap::new();
        for document in documents {
            let mut distinct: Vec<&str> = document.iter().map(String::as_str).collect();
            distinct.sort_unstable();
            distinct.dedup();
            for word in distinct {
                *df.entry(word).or_default() += 1;
            }
        }
        let n = documents.len();
        let max = (limits.max_df * n as f32).floor() as usize;
        let mut kept: Vec<(&str, usize)> =
            df.into_iter().filter(|&(_, count)| count >= limits.min_df && count <= max).collect();
        kept.sort_unstable();
        let idf = kept.iter().map(|&(_, count)| ((1.0 + n as f32) / (1.0 + count as f32)).ln() + 1.0).collect();
        let words: Vec<String> = kept.into_iter().map(|(w, _)| w.to_string()).collect();
        let index = words.iter().enumerate().map(|(i, w)| (w.clone(), i as u32)).collect();
        Self { words, index, idf }
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The number of features of a row: the words and the constant.
    pub fn features(&self) -> usize {
        self.words.len() + 1
    }

    /// Word `id`.
    pub fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    /// The inverse document frequency of word `id`.
    pub fn idf(&self, id: u32) -> f32 {
        self.idf[id as usize]
    }

    /// Whether word `id` comes from a header.
    pub fn is_header(&self, id: u32) -> bool {
        self.word(id).starts_with(HEADER_PREFIX)
    }

    /// The id of `word`, if in the vocabulary.
    pub fn id(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// The bag of the vocabulary's words in `tokens`.
    pub fn bag(&self, tokens: &[String]) -> Bag {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for token in tokens {
            if let Some(id) = self.id(token) {
                *counts.entry(id).or_default() += 1;
            }
        }
        let mut words: Vec<(u32, u32)> = counts.into_iter().collect();
        words.sort_unstable();
        Bag { words }
    }

    /// The TF-IDF row of a bag, L2-normalised, plus the constant feature.
    pub fn row(&self, bag: &Bag) -> SparseRow {
        let mut indices: Vec<u32> = bag.ids().collect();
        let mut values: Vec<f32> = bag.words.iter().map(|&(w, c)| c as f32 * self.idf[w as usize]).collect();
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            values.iter_mut().for_each(|v| *v /= norm);
        }
        indices.push(self.words.len() as u32);
        values.push(1.0);
        SparseRow { indices, values }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_gaps_give_the_text_back_and_find_the_tokens() {
        let text = "Buy NOW: 50% off, café!\n";
        let pieces = words_and_gaps(text);
        assert_eq!(pieces.iter().map(|p| p.0).collect::<String>(), text);
        let words: Vec<String> = pieces.iter().filter(|p| p.1).flat_map(|p| tokens(p.0)).collect();
        assert_eq!(words, tokens(text).collect::<Vec<_>>());
        assert_eq!(pieces[0], ("Buy", true));
        assert_eq!(pieces[1], (" ", false));
    }

    fn docs(texts: &[&str]) -> Vec<Vec<String>> {
        texts.iter().map(|t| tokens(t).collect()).collect()
    }

    #[test]
    fn tokens_are_lowercase_words_with_a_letter() {
        let found: Vec<String> = tokens("Buy NOW!! 100% free-viagra a 2002 x86_64 café").collect();
        assert_eq!(found, ["buy", "now", "free", "viagra", "x86", "café"]);
    }

    #[test]
    fn document_frequency_limits_and_idf_follow_scikit_learn() {
        let documents = docs(&["apple banana", "apple cherry", "apple banana cherry", "date"]);
        let vocabulary = Vocabulary::build(&documents, Limits { min_df: 2, max_df: 0.5 });
        // apple is in 3 of 4 documents (> 0.5), date in 1 (< 2).
        assert_eq!((0..vocabulary.len() as u32).map(|i| vocabulary.word(i)).collect::<Vec<_>>(), ["banana", "cherry"]);
        let row = vocabulary.row(&vocabulary.bag(&documents[2]));
        // banana and cherry share df = 2: equal weights 1/sqrt(2), then the constant.
        assert_eq!(row.indices, [0, 1, 2]);
        approx::assert_abs_diff_eq!(row.values[0], 0.5f32.sqrt(), epsilon = 1e-6);
        assert_eq!(row.values[2], 1.0);
        // idf = ln(5/3) + 1 (scikit-learn: TfidfVectorizer(smooth_idf=True)).
        assert!(approx::abs_diff_eq!(vocabulary.idf[0], ((5.0f32 / 3.0).ln() + 1.0), epsilon = 1e-6));
    }

    #[test]
    fn removing_words_and_sparse_algebra() {
        let bag = Bag { words: vec![(1, 2), (4, 1), (7, 3)] };
        assert_eq!(bag.without(&[4, 9]).words, [(1, 2), (7, 3)]);
        let row = SparseRow { indices: vec![0, 2], values: vec![3.0, 4.0] };
        assert_eq!(row.dot(&[1.0, 5.0, 0.5]), 5.0);
        assert_eq!(row.squared_norm(), 25.0);
        let mut w = vec![0.0; 3];
        row.add_to(&mut w, 2.0);
        assert_eq!(w, [6.0, 0.0, 8.0]);
    }
}
