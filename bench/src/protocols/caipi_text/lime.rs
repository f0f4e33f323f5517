//! LIME for text (Ribeiro et al. 2016, as `LimeTextExplainer` in bag-of-words
//! mode): explain a prediction by removing random words.
//!
//! For a message with `m` distinct known words, each of `samples` perturbed
//! copies (the first is the message itself) removes a uniformly drawn number
//! `1..m` of distinct words, chosen at random. The model's `P(spam)` on each
//! copy is regressed on the binary keep/remove vector by weighted ridge
//! regression (penalty 1, intercept unpenalised) with LIME's kernel
//! `sqrt(exp(-d^2 / 25^2))` over the cosine distance `d = 100 (1 - cos)` to the
//! original. The coefficients of `repeats` independent runs are averaged (the
//! paper uses 10–25 repeats) and the `k` words of largest magnitude form the
//! explanation (LIME's "highest weights" selection).
//!
//! The ridge problem has as many unknowns as the message has words but only
//! `samples` equations, so it is solved in its dual form (a `samples x
//! samples` Cholesky factorisation).

use crate::protocols::caipi_text::data::TextData;
use crate::protocols::caipi_text::logistic::sigmoid;
use nalgebra::{DMatrix, DVector};
use rand_core::Rng;
use xil_core::random::uniform_index;

/// LIME's settings for text.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TextLime {
    /// Perturbed copies per run (the protocol: 200).
    pub samples: usize,
    /// Independent runs whose coefficients are averaged (the protocol: 10–25).
    pub repeats: usize,
    /// Width of the exponential kernel over `100 * cosine distance`.
    pub kernel_width: f64,
    /// Ridge penalty.
    pub ridge: f64,
}

impl Default for TextLime {
    /// 200 samples, 10 repeats, kernel width 25, ridge 1 (LIME's defaults).
    fn default() -> Self {
        Self { samples: 200, repeats: 10, kernel_width: 25.0, ridge: 1.0 }
    }
}

impl TextLime {
    /// The `k` words of message `index` with the largest mean LIME coefficient
    /// magnitude under the model `theta`, with those coefficients (towards spam).
    pub fn explain<R: Rng + ?Sized>(
        &self,
        data: &TextData,
        theta: &[f32],
        index: usize,
        k: usize,
        rng: &mut R,
    ) -> Vec<(u32, f32)> {
        let bag = &data.bags[index];
        let words: Vec<u32> = bag.ids().collect();
        let m = words.len();
        if m == 0 || self.samples < 2 {
            return Vec::new();
        }
        let mut total = DVector::<f64>::zeros(m);
        for _ in 0..self.repeats.max(1) {
            let mut keep = DMatrix::<f64>::from_element(self.samples, m, 1.0);
            let mut target = DVector::<f64>::zeros(self.samples);
            let mut weight = DVector::<f64>::zeros(self.samples);
            let mut order: Vec<usize> = (0..m).collect();
            for s in 0..self.samples {
                let removed_count = if s == 0 { 0 } else { 1 + uniform_index(rng, m.saturating_sub(1).max(1)) };
                // A partial Fisher–Yates shuffle picks the removed words.
                for i in 0..removed_count.min(m) {
                    order.swap(i, i + uniform_index(rng, m - i));
                }
                let mut removed: Vec<u32> = order[..removed_count.min(m)].iter().map(|&i| words[i]).collect();
                for &i in &order[..removed_count.min(m)] {
                    keep[(s, i)] = 0.0;
                }
                removed.sort_unstable();
                let row = data.vocabulary.row(&bag.without(&removed));
                target[s] = f64::from(sigmoid(row.dot(theta)));
                let kept = (m - removed_count.min(m)) as f64;
                let cosine = if kept > 0.0 { (kept / m as f64).sqrt() } else { 0.0 };
                let distance = 100.0 * (1.0 - cosine);
                weight[s] = (-(distance * distance) / (self.kernel_width * self.kernel_width)).exp().sqrt();
            }
            if let Some(coefficients) = self.weighted_ridge(&keep, &target, &weight) {
                total += coefficients;
            }
        }
        let mut ranked: Vec<(u32, f32)> =
            words.iter().zip(total.iter()).map(|(&w, &c)| (w, (c / self.repeats.max(1) as f64) as f32)).collect();
        ranked.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        ranked.truncate(k);
        ranked
    }

    /// `argmin_β sum_s w_s (y_s - b - z_s·β)^2 + ridge |β|^2` (intercept `b`
    /// free), by the dual `β = A^T (A A^T + ridge I)^{-1} sqrt(w) ⊙ y_c` with
    /// `A = diag(sqrt(w)) Z_c` and weighted centring.
    fn weighted_ridge(&self, z: &DMatrix<f64>, y: &DVector<f64>, w: &DVector<f64>) -> Option<DVector<f64>> {
        let total: f64 = w.sum();
        if total <= 0.0 {
            return None;
        }
        let z_mean = z.tr_mul(w) / total;
        let y_mean = y.dot(w) / total;
        let root = w.map(f64::sqrt);
        let mut a = z.clone();
        for (s, mut row) in a.row_iter_mut().enumerate() {
            for (j, value) in row.iter_mut().enumerate() {
                *value = (*value - z_mean[j]) * root[s];
            }
        }
        let b = y.map(|v| v - y_mean).component_mul(&root);
        let gram = &a * a.transpose() + DMatrix::identity(a.nrows(), a.nrows()) * self.ridge;
        let dual = gram.cholesky()?.solve(&b);
        Some(a.tr_mul(&dual))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dual_ridge_solution_matches_the_primal_normal_equations() {
        let lime = TextLime { ridge: 0.5, ..TextLime::default() };
        let z = DMatrix::from_row_slice(5, 3, &[1., 0., 1., 1., 1., 0., 0., 1., 1., 1., 1., 1., 0., 0., 1.]);
        let y = DVector::from_column_slice(&[0.9, 0.4, 0.2, 0.8, 0.1]);
        let w = DVector::from_column_slice(&[1.0, 0.5, 0.8, 1.0, 0.3]);
        let dual = lime.weighted_ridge(&z, &y, &w).unwrap();
        // Primal: (Z_c^T W Z_c + ridge I) β = Z_c^T W y_c.
        let total = w.sum();
        let z_mean = z.tr_mul(&w) / total;
        let y_mean = y.dot(&w) / total;
        let zc = DMatrix::from_fn(5, 3, |s, j| z[(s, j)] - z_mean[j]);
        let yc = y.map(|v| v - y_mean);
        let weights = DMatrix::from_diagonal(&w);
        let lhs = zc.transpose() * &weights * &zc + DMatrix::identity(3, 3) * 0.5;
        let primal = lhs.cholesky().unwrap().solve(&(zc.transpose() * &weights * yc));
        assert!((dual - primal).norm() < 1e-9);
    }
}

#[cfg(test)]
mod faithfulness {
    use super::*;
    use crate::data::spam::corpus::LoadStats;
    use crate::protocols::caipi_text::explain;
    use crate::protocols::caipi_text::tfidf::{Bag, Limits, Vocabulary};
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn lime_finds_the_words_a_linear_model_weighs_most() {
        let documents: Vec<Vec<String>> =
            (0..4).map(|_| (0..10).map(|w| format!("word{w}")).collect()).chain([vec![]]).collect();
        let vocabulary = Vocabulary::build(&documents, Limits { min_df: 1, max_df: 1.0 });
        let bags = vec![Bag { words: (0..10).map(|w| (w, 1 + w % 3)).collect() }];
        let data = TextData {
            vocabulary,
            bags,
            labels: vec![1],
            names: vec!["m".into()],
            gold: vec![false; 10],
            gold_weights: vec![0.0; 11],
            gold_c: 1.0,
            gold_curve: Vec::new(),
            stats: LoadStats::default(),
        };
        let theta = [3.0, -0.2, 0.1, -2.5, 0.3, 0.05, 2.0, -0.1, 0.2, 0.0, 0.0];
        let row = data.vocabulary.row(&data.bags[0]);
        let exact: Vec<u32> = explain(&theta, &row, 10, 3).iter().map(|&(w, _)| w).collect();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let lime = TextLime::default().explain(&data, &theta, 0, 3, &mut rng);
        let found: Vec<u32> = lime.iter().map(|&(w, _)| w).collect();
        assert_eq!(found.iter().filter(|w| exact.contains(w)).count(), 3, "LIME {found:?} vs exact {exact:?}");
        // Signs agree: word 3 pushes towards ham.
        assert!(lime.iter().all(|&(w, c)| (c > 0.0) == (theta[w as usize] > 0.0)), "{lime:?}");
    }
}
