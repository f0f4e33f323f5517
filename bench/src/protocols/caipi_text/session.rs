//! CAIPI's loop on e-mails, one step at a time: pick the query, explain it,
//! take the user's label and removed words, refit.
//!
//! The simulated user of [`caipi`](crate::protocols::caipi_text) and the person at the
//! desktop app drive the same session. A correction ("these words do not make
//! it spam") becomes a counterexample: the message without those words
//! (TF-IDF row renormalised to the original norm) with the user's label. The
//! learner is an L2 logistic regression, warm-started at every refit; queries
//! are the pool messages with probability closest to 1/2.

use crate::protocols::caipi_text::data::TextData;
use crate::protocols::caipi_text::kernel_shap::TextKernelShap;
use crate::protocols::caipi_text::lime::TextLime;
use crate::protocols::caipi_text::logistic::{LogisticSettings, Penalty, fit, sigmoid};
use crate::protocols::caipi_text::tfidf::SparseRow;
use crate::protocols::caipi_text::{QueryExplainer, explain};
use rand_core::Rng;

/// A CAIPI session over messages of a [`TextData`].
#[derive(Debug, Clone)]
pub struct TextSession<'d> {
    data: &'d TextData,
    rows: &'d [SparseRow],
    pool: Vec<usize>,
    train_rows: Vec<SparseRow>,
    train_labels: Vec<u8>,
    learner: LogisticSettings,
    theta: Vec<f32>,
    counterexamples: usize,
}

/// The message a session asks about, and its prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextQuery {
    /// The message's index in the data.
    pub message: usize,
    /// The predicted class (1 = spam).
    pub prediction: u8,
}

impl<'d> TextSession<'d> {
    /// Labels the first `initial_per_class` messages of each class in `pool`
    /// (in its order), keeps the rest as the pool and fits with weight `c`
    /// on the data term. `rows` are the TF-IDF rows of all messages.
    pub fn start(
        data: &'d TextData,
        rows: &'d [SparseRow],
        mut pool: Vec<usize>,
        initial_per_class: usize,
        c: f32,
    ) -> Self {
        let mut labelled: Vec<usize> = Vec::new();
        for class in [0u8, 1] {
            let chosen: Vec<usize> =
                pool.iter().copied().filter(|&i| data.labels[i] == class).take(initial_per_class).collect();
            labelled.extend(chosen);
        }
        pool.retain(|i| !labelled.contains(i));
        let train_rows: Vec<SparseRow> = labelled.iter().map(|&i| rows[i].clone()).collect();
        let train_labels: Vec<u8> = labelled.iter().map(|&i| data.labels[i]).collect();
        let learner = LogisticSettings { c, ..LogisticSettings::new(Penalty::L2) };
        let features = data.vocabulary.features();
        let theta = fit(&learner, &train_rows, &train_labels, &vec![1.0; train_rows.len()], features, None);
        Self { data, rows, pool, train_rows, train_labels, learner, theta, counterexamples: 0 }
    }

    /// Takes the pool message whose probability is closest to 1/2 (ties: the
    /// lowest index) out of the pool; `None` when the pool is empty.
    pub fn next_query(&mut self) -> Option<TextQuery> {
        let margins: Vec<f32> =
            self.pool.iter().map(|&i| (sigmoid(self.rows[i].dot(&self.theta)) - 0.5).abs()).collect();
        let position = (0..self.pool.len())
            .min_by(|&a, &b| margins[a].total_cmp(&margins[b]).then(self.pool[a].cmp(&self.pool[b])))?;
        let message = self.pool.swap_remove(position);
        Some(TextQuery { message, prediction: self.predict(message) })
    }

    /// The predicted class of a message.
    pub fn predict(&self, message: usize) -> u8 {
        u8::from(self.rows[message].dot(&self.theta) > 0.0)
    }

    /// The `k` words that explain the prediction for `message`, with their
    /// signed contributions (exact, or LIME's weights).
    pub fn explain<R: Rng + ?Sized>(
        &self,
        message: usize,
        k: usize,
        explainer: QueryExplainer,
        rng: &mut R,
    ) -> Vec<(u32, f32)> {
        match explainer {
            QueryExplainer::Exact => explain(&self.theta, &self.rows[message], self.data.vocabulary.len(), k),
            QueryExplainer::Lime => TextLime::default().explain(self.data, &self.theta, message, k, rng),
            QueryExplainer::KernelShap => TextKernelShap::default().explain(self.data, &self.theta, message, k, rng),
        }
    }

    /// The user's answer for `message`: its `label`, and the words that do
    /// not matter (each correction adds one counterexample, the message
    /// without them, with the same label); then refits from the current
    /// weights. Returns whether a counterexample was added.
    pub fn answer(&mut self, message: usize, label: u8, removed: &[u32]) -> bool {
        let corrected = !removed.is_empty();
        if corrected {
            self.train_rows.push(self.data.vocabulary.row(&self.data.bags[message].without(removed)));
            self.train_labels.push(label);
            self.counterexamples += 1;
        }
        self.train_rows.push(self.rows[message].clone());
        self.train_labels.push(label);
        let features = self.data.vocabulary.features();
        let weights = vec![1.0; self.train_rows.len()];
        self.theta = fit(&self.learner, &self.train_rows, &self.train_labels, &weights, features, Some(&self.theta));
        corrected
    }

    /// The model's weights (one per word, then the constant).
    pub fn theta(&self) -> &[f32] {
        &self.theta
    }

    /// Counterexamples added so far.
    pub fn counterexamples(&self) -> usize {
        self.counterexamples
    }

    /// Messages left to query.
    pub fn pool_len(&self) -> usize {
        self.pool.len()
    }
}
