//! Kernel SHAP over the words of a message: the Shapley values of its
//! distinct known words for the model's `P(spam)`, a removed word being
//! absent from the bag (as LIME for text removes it).
//!
//! The values come from [`shapley_values`]: exact when the budget covers all
//! `2^m` coalitions, Kernel SHAP's constrained least squares otherwise.

use crate::explain::shapley::shapley_values;
use crate::protocols::caipi_text::data::TextData;
use crate::protocols::caipi_text::logistic::sigmoid;
use rand_core::Rng;

/// Kernel SHAP's settings for text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TextKernelShap {
    /// Model evaluations at most (SHAP's default budget is `2 m + 2048`).
    pub samples: usize,
}

impl Default for TextKernelShap {
    /// 2,048 evaluations.
    fn default() -> Self {
        Self { samples: 2048 }
    }
}

impl TextKernelShap {
    /// The `k` words of message `index` with the largest Shapley values in
    /// magnitude for `P(spam)` under the model `theta`, with those values.
    pub fn explain<R: Rng + ?Sized>(
        &self,
        data: &TextData,
        theta: &[f32],
        index: usize,
        k: usize,
        rng: &mut R,
    ) -> Vec<(u32, f32)> {
        let Some(bag) = data.bags.get(index) else { return Vec::new() };
        let words: Vec<u32> = bag.ids().collect();
        let value = |kept: &[bool]| -> f64 {
            let removed: Vec<u32> = words.iter().zip(kept).filter(|(_, k)| !**k).map(|(&w, _)| w).collect();
            f64::from(sigmoid(data.vocabulary.row(&bag.without(&removed)).dot(theta)))
        };
        let phi = shapley_values(words.len(), self.samples, &value, rng);
        let mut ranked: Vec<(u32, f32)> = words.iter().zip(&phi).map(|(&w, &v)| (w, v as f32)).collect();
        ranked.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        ranked.truncate(k);
        ranked
    }
}
