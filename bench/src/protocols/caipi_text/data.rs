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
use crate::protocols::caipi_text::logistic::{LogisticSettings, Penalty, fit};
use crate::protocols::caipi_text::tfidf::{Bag, HEADER_PREFIX, Limits, SparseRow, Vocabulary, tokens};
use rayon::prelude::*;
use std::path::PathBuf;

/// Whether the model sees the headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
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
    /// What loading found.
    pub stats: LoadStats,
}

/// The C of the gold model (the paper does not give it).
pub const GOLD_C: f32 = 10.0;

impl TextData {
    /// Reads the corpus in `dir` (see [`corpus::locate`](crate::data::spam::corpus::locate)
    /// for where it is looked for) and prepares it with the default limits.
    ///
    /// # Errors
    /// A one-line message when the corpus cannot be read.
    pub fn load(dir: Option<&std::path::Path>, headers: Headers) -> Result<(Vec<Mail>, Self)> {
        let (mails, stats) = crate::data::spam::corpus::load(&crate::data::spam::corpus::locate(dir))?;
        let data = Self::prepare(&mails, stats, headers, Limits::default());
        Ok((mails, data))
    }

    /// Tokenises `mails`, builds the vocabulary within `limits` and fits the
    /// gold model.
    pub fn prepare(mails: &[Mail], stats: LoadStats, headers: Headers, limits: Limits) -> Self {
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
        let settings = LogisticSettings { c: GOLD_C, ..LogisticSettings::new(Penalty::L1) };
        let weights = vec![1.0; body_rows.len()];
        let gold_weights = fit(&settings, &body_rows, &labels, &weights, vocabulary.features(), None);
        let gold = (0..vocabulary.len()).map(|w| gold_weights[w].abs() >= 1.0).collect();
        Self {
            vocabulary,
            bags,
            labels,
            names: mails.iter().map(|m| m.name.clone()).collect(),
            gold,
            gold_weights,
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
}

/// Where the e-mails come from and how they are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSource {
    /// The corpus folder (else `$XIL_SPAM_ASSASSIN`, else where
    /// `scripts/fetch_spam_assassin` unpacks it).
    pub corpus: Option<PathBuf>,
    /// Whether header words are features.
    pub headers: Headers,
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
    /// A missing or unreadable corpus, named.
    pub fn load(source: &TextSource) -> Result<Self> {
        let (mails, data) = TextData::load(source.corpus.as_deref(), source.headers)?;
        Ok(Self { mails, data, headers: source.headers })
    }
}
