//! What a model is measured by on e-mails: its explanations (the `k`
//! largest contributions), their F1 against gold words, and the spam F1.

use crate::protocols::caipi_text::data::TextData;
use crate::protocols::caipi_text::tfidf::SparseRow;
use xil_core::metrics::explanation_scores;

/// The `k` words of `row` with the largest `|θ_w x_w|` (the constant
/// excluded), as sorted word ids; with their signed contributions.
pub fn explain(theta: &[f32], row: &SparseRow, words: usize, k: usize) -> Vec<(u32, f32)> {
    let mut contributions: Vec<(u32, f32)> = row
        .indices
        .iter()
        .zip(&row.values)
        .filter(|(i, _)| (**i as usize) < words)
        .map(|(&i, &v)| (i, theta[i as usize] * v))
        .collect();
    // Largest magnitude first; ties by word id, so the order is total.
    contributions.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    contributions.truncate(k);
    contributions
}

/// The explanation F1 of named words against gold words.
pub(crate) fn f1(named: &[u32], gold: &[u32]) -> f32 {
    let as_usize = |v: &[u32]| v.iter().map(|&w| w as usize).collect::<Vec<_>>();
    explanation_scores(&as_usize(named), &as_usize(gold)).f1
}

/// F1 of class 1.
pub fn positive_f1(predicted: &[u8], truth: &[u8]) -> f32 {
    let true_positives = predicted.iter().zip(truth).filter(|&(&p, &t)| p == 1 && t == 1).count();
    let denominator = predicted.iter().filter(|&&p| p == 1).count() + truth.iter().filter(|&&t| t == 1).count();
    if denominator == 0 { 1.0 } else { 2.0 * true_positives as f32 / denominator as f32 }
}

/// Test-set measurements of a model: (explanation F1, F1, header share);
/// `test_gold` holds the gold words of each test message.
pub fn evaluate(
    data: &TextData,
    rows: &[SparseRow],
    theta: &[f32],
    test: &[usize],
    test_gold: &[Vec<u32>],
) -> (f32, f32, f32) {
    let words = data.vocabulary.len();
    let (mut f1_sum, mut explained, mut named, mut header) = (0.0f32, 0usize, 0usize, 0usize);
    let mut predicted = Vec::with_capacity(test.len());
    let mut truth = Vec::with_capacity(test.len());
    for (&i, gold) in test.iter().zip(test_gold) {
        predicted.push(u8::from(rows[i].dot(theta) > 0.0));
        truth.push(data.labels[i]);
        if gold.is_empty() {
            continue;
        }
        let chosen: Vec<u32> = explain(theta, &rows[i], words, gold.len()).iter().map(|&(w, _)| w).collect();
        f1_sum += f1(&chosen, gold);
        explained += 1;
        named += chosen.len();
        header += chosen.iter().filter(|&&w| data.vocabulary.is_header(w)).count();
    }
    (f1_sum / explained.max(1) as f32, positive_f1(&predicted, &truth), header as f32 / named.max(1) as f32)
}
