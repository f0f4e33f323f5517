//! The e-mails as a learning problem: bags of words over a vocabulary, labels
//! (spam = 1), and the gold explanation.
//!
//! Gold words, as in CAIPI's text experiment: the words whose weight has
//! magnitude at least 1 in an L1-regularised logistic regression fit on all
//! documents. Here that model sees only *body* words: header tokens (servers,
//! dates, list names) separate ham from spam in this corpus but are not why
//! a message is spam, so they are never gold, and a model that explains with
//! them is right for the wrong reasons.

use crate::data::spam::corpus::{LoadStats, Mail};
use crate::error::Result;
use crate::protocols::caipi_text::gold_cache;
use crate::protocols::caipi_text::logistic::{LogisticSettings, Penalty, fit};
use crate::protocols::caipi_text::tfidf::{Bag, HEADER_PREFIX, Limits, SparseRow, Vocabulary, tokens};
use rayon::prelude::*;
use std::path::PathBuf;

/// Whether the model sees the headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Headers {
    /// Header tokens are features (prefixed `h:`).
    Keep,
    /// Only the body.
    Strip,
}

/// The tokens of one e-mail.
pub fn mail_tokens(mail: &Mail, headers: Headers) -> Vec<String> {
    let mut found: Vec<String> = tokens(&mail.message.body).collect();
    if headers == Headers::Keep {
        for (name, value) in &mail.message.headers {
            found.extend(tokens(name).chain(tokens(value)).map(|t| format!("{HEADER_PREFIX}{t}")));
        }
    }
    found
}

/// Documents, labels and gold words.
#[derive(Debug, Clone)]
pub struct TextData {
    /// The vocabulary (header words prefixed `h:`).
    pub vocabulary: Vocabulary,
    /// One bag per document.
    pub bags: Vec<Bag>,
    /// 1 for spam.
    pub labels: Vec<u8>,
    /// `group/file` of each document.
    pub names: Vec<String>,
    /// Whether each word is gold.
    pub gold: Vec<bool>,
    /// The gold model's weight of each word.
    pub gold_weights: Vec<f32>,
    /// The gold model's C.
    pub gold_c: f32,
    /// Every C tried for the gold model, with its share (one point for a
    /// fixed C).
    pub gold_curve: Vec<GoldPoint>,
    /// What loading found.
    pub stats: LoadStats,
}

/// The C of the gold model before the paper's share was matched (the
/// paper does not give its C).
pub const GOLD_C: f32 = 10.0;

/// The gold share the paper reports: about a fifth of the vocabulary.
pub const PAPER_GOLD_SHARE: f32 = 0.2;

/// The values of C tried when the gold model's C is chosen by its share.
pub const GOLD_C_GRID: [f32; 7] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0];

/// How the gold model's C is set.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GoldC {
    /// This C.
    Fixed(f32),
    /// The C of [`GOLD_C_GRID`] whose gold words make the share of the
    /// vocabulary closest to this (the smaller C on a tie).
    Share(f32),
}

/// One fit of the gold model: its C and the share of the vocabulary its
/// gold words make.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GoldPoint {
    /// The C of the L1 logistic regression.
    pub c: f32,
    /// Gold words / vocabulary.
    pub share: f32,
}

impl TextData {
    /// Reads the corpus in `dir` (see [`corpus::locate`](crate::data::spam::corpus::locate)
    /// for where it is looked for) and prepares it with the default limits.
    ///
    /// # Errors
    /// A one-line message when the corpus cannot be read.
    pub fn load(dir: Option<&std::path::Path>, headers: Headers, gold: GoldC) -> Result<(Vec<Mail>, Self)> {
        let (mails, stats) = crate::data::spam::corpus::load(&crate::data::spam::corpus::locate(dir))?;
        let data = Self::prepare(&mails, stats, headers, gold, Limits::default());
        Ok((mails, data))
    }

    /// Tokenises `mails`, builds the vocabulary within `limits` and fits the
    /// gold model (along [`GOLD_C_GRID`], each fit warm-started from the
    /// last, when its C is chosen by share).
    pub fn prepare(mails: &[Mail], stats: LoadStats, headers: Headers, gold: GoldC, limits: Limits) -> Self {
        let documents: Vec<Vec<String>> = mails.par_iter().map(|m| mail_tokens(m, headers)).collect();
        let vocabulary = Vocabulary::build(&documents, limits);
        let bags: Vec<Bag> = documents.par_iter().map(|d| vocabulary.bag(d)).collect();
        let labels: Vec<u8> = mails.iter().map(|m| m.label).collect();
        let body_rows: Vec<SparseRow> = bags
            .iter()
            .map(|bag| {
                let body =
                    Bag { words: bag.words.iter().copied().filter(|&(w, _)| !vocabulary.is_header(w)).collect() };
                vocabulary.row(&body)
            })
            .collect();
        let weights = vec![1.0; body_rows.len()];
        let candidates = match gold {
            GoldC::Fixed(c) => vec![c],
            GoldC::Share(_) => GOLD_C_GRID.to_vec(),
        };
        let base = LogisticSettings::new(Penalty::L1);
        let features = vocabulary.features();
        let key = gold_cache::key(&body_rows, &labels, features, &candidates, &base);
        let folder = gold_cache::folder();
        let cached = folder.as_deref().and_then(|folder| gold_cache::read(folder, key, candidates.len(), features));
        let mut fits: Vec<Vec<f32>> = cached.unwrap_or_else(|| {
            let mut fits: Vec<Vec<f32>> = Vec::with_capacity(candidates.len());
            for &c in &candidates {
                let start = fits.last().map(Vec::as_slice);
                fits.push(fit(&LogisticSettings { c, ..base }, &body_rows, &labels, &weights, features, start));
            }
            if let Some(folder) = &folder {
                gold_cache::write(folder, key, &fits);
            }
            fits
        });
        let share = |weights: &[f32]| {
            let words = (0..vocabulary.len()).filter(|&w| weights[w].abs() >= 1.0).count();
            words as f32 / vocabulary.len().max(1) as f32
        };
        let gold_curve: Vec<GoldPoint> =
            candidates.iter().zip(&fits).map(|(&c, weights)| GoldPoint { c, share: share(weights) }).collect();
        let chosen = match gold {
            GoldC::Fixed(_) => 0,
            GoldC::Share(target) => (0..gold_curve.len())
                .min_by(|&a, &b| (gold_curve[a].share - target).abs().total_cmp(&(gold_curve[b].share - target).abs()))
                .unwrap_or(0),
        };
        let gold_weights = fits.swap_remove(chosen);
        let gold = (0..vocabulary.len()).map(|w| gold_weights[w].abs() >= 1.0).collect();
        Self {
            vocabulary,
            bags,
            labels,
            names: mails.iter().map(|m| m.name.clone()).collect(),
            gold,
            gold_weights,
            gold_c: candidates[chosen],
            gold_curve,
            stats,
        }
    }

    /// The gold words of document `index` (sorted ids).
    pub fn gold_words(&self, index: usize) -> Vec<u32> {
        self.bags[index].ids().filter(|&w| self.gold[w as usize]).collect()
    }

    /// The number of gold words in the vocabulary.
    pub fn gold_count(&self) -> usize {
        self.gold.iter().filter(|g| **g).count()
    }

    /// Gold words / vocabulary.
    pub fn gold_share(&self) -> f32 {
        self.gold_count() as f32 / self.vocabulary.len().max(1) as f32
    }
}

/// Where the e-mails come from and how they are read.
#[derive(Debug, Clone, PartialEq)]
pub struct TextSource {
    /// The corpus folder (else `$XIL_SPAM_ASSASSIN`, else where
    /// `scripts/fetch_spam_assassin` unpacks it).
    pub corpus: Option<PathBuf>,
    /// Whether header words are features.
    pub headers: Headers,
    /// How the gold model's C is set.
    pub gold: GoldC,
}

/// The e-mails, their words and gold explanations, and how they were read.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The parsed messages.
    pub mails: Vec<Mail>,
    /// Words, labels and gold explanations.
    pub data: TextData,
    /// Whether header words are features.
    pub headers: Headers,
}

impl Corpus {
    /// What reading found: e-mails read, skipped as malformed, and charset
    /// errors replaced.
    pub fn found(&self) -> String {
        let stats = &self.data.stats;
        format!(
            "read {} e-mails ({} skipped as malformed, {} charset errors replaced)",
            self.mails.len(),
            stats.skipped,
            stats.charset_errors
        )
    }

    /// Reads and prepares the e-mails of `source`.
    ///
    /// # Errors
    /// A gold C that is not positive; a missing or unreadable corpus, named.
    pub fn load(source: &TextSource) -> Result<Self> {
        if let GoldC::Fixed(c) = source.gold
            && !(c.is_finite() && c > 0.0)
        {
            return Err(crate::error::Error::Settings(format!("--gold-c must be positive, not {c}")));
        }
        let (mails, data) = TextData::load(source.corpus.as_deref(), source.headers, source.gold)?;
        Ok(Self { mails, data, headers: source.headers })
    }
}
