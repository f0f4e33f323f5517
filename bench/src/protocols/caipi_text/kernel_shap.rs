//! Kernel SHAP over the words of a message: the Shapley values of its
//! distinct known words for the model's `P(spam)`, a removed word being
//! absent from the bag (as LIME for text removes it).
//!
//! Core's [`KernelShap`](xil_core::KernelShap) has a fixed number of
//! components; a message has as many words as it has, so this one works on
//! the heap (like [`TextLime`](super::lime::TextLime)) with the same method:
//! exact enumeration when the budget covers all `2^m` coalitions, otherwise
//! coalitions drawn with probability proportional to the Shapley kernel
//! (a size `s` with probability proportional to `(m - 1) / (s (m - s))`, then
//! `s` words uniformly), each with its complement, fitted by least squares
//! with the efficiency constraint `Σ φ = v(all) - v(none)` imposed exactly
//! (Lundberg & Lee 2017, Theorem 2; SHAP's `KernelExplainer`).

use crate::protocols::caipi_text::data::TextData;
use crate::protocols::caipi_text::logistic::sigmoid;
use nalgebra::{DMatrix, DVector};
use rand_core::Rng;
use xil_core::random::{uniform_f32, uniform_index};

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

/// The Shapley weight `s! (m - s - 1)! / m!` of a coalition of size `s`
/// that leaves out the word being valued.
fn shapley_weight(m: usize, size: usize) -> f64 {
    let mut binomial = 1.0f64;
    for j in 0..size {
        binomial = binomial * (m - 1 - j) as f64 / (j + 1) as f64;
    }
    1.0 / (m as f64 * binomial)
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
        let phi = self.values(words.len(), &value, rng);
        let mut ranked: Vec<(u32, f32)> = words.iter().zip(&phi).map(|(&w, &v)| (w, v as f32)).collect();
        ranked.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        ranked.truncate(k);
        ranked
    }

    /// The Shapley values of `m` players under the value function `value`
    /// (`value(kept)` with one flag per player).
    fn values<R: Rng + ?Sized>(&self, m: usize, value: &dyn Fn(&[bool]) -> f64, rng: &mut R) -> Vec<f64> {
        if m == 0 {
            return Vec::new();
        }
        let exact = m < 30 && (1usize << m) <= self.samples.max(2);
        if exact || m == 1 { Self::exact(m, value) } else { self.sampled(m, value, rng) }
    }

    fn exact(m: usize, value: &dyn Fn(&[bool]) -> f64) -> Vec<f64> {
        let weights: Vec<f64> = (0..m).map(|size| shapley_weight(m, size)).collect();
        let mut phi = vec![0.0; m];
        let mut kept = vec![false; m];
        for mask in 0..(1usize << m) {
            for (i, k) in kept.iter_mut().enumerate() {
                *k = mask >> i & 1 == 1;
            }
            let size = kept.iter().filter(|&&k| k).count();
            let v = value(&kept);
            for (phi, &k) in phi.iter_mut().zip(&kept) {
                if k {
                    *phi += weights[size - 1] * v;
                } else if size < m {
                    *phi -= weights[size] * v;
                }
            }
        }
        phi
    }

    fn sampled<R: Rng + ?Sized>(&self, m: usize, value: &dyn Fn(&[bool]) -> f64, rng: &mut R) -> Vec<f64> {
        let empty = value(&vec![false; m]);
        let delta = value(&vec![true; m]) - empty;
        let last = m - 1;
        // φ_last = Δ - Σ_{i<last} φ_i: normal equations over the others.
        let mut gram = DMatrix::<f64>::zeros(last, last);
        let mut moment = DVector::<f64>::zeros(last);
        let size_weight = |s: usize| 1.0 / (s * (m - s)) as f32;
        let total: f32 = (1..m).map(size_weight).sum();
        let mut order: Vec<usize> = (0..m).collect();
        let mut row = DVector::<f64>::zeros(last);
        for _ in 0..self.samples.saturating_sub(2) / 2 {
            let mut u = uniform_f32(rng) * total;
            let mut size = m - 1;
            for s in 1..m {
                u -= size_weight(s);
                if u <= 0.0 {
                    size = s;
                    break;
                }
            }
            let mut drawn = vec![false; m];
            for i in 0..size {
                order.swap(i, i + uniform_index(rng, m - i));
                drawn[order[i]] = true;
            }
            let complement: Vec<bool> = drawn.iter().map(|k| !k).collect();
            for kept in [drawn, complement] {
                let pivot = f64::from(u8::from(kept[last]));
                let target = value(&kept) - empty - pivot * delta;
                for (i, r) in row.iter_mut().enumerate() {
                    *r = f64::from(u8::from(kept[i])) - pivot;
                }
                gram.ger(1.0, &row, &row, 1.0);
                moment.axpy(target, &row, 1.0);
            }
        }
        for i in 0..last {
            gram[(i, i)] += 1e-9;
        }
        let mut phi: Vec<f64> = match gram.cholesky() {
            Some(factor) => factor.solve(&moment).iter().copied().collect(),
            None => vec![0.0; last],
        };
        let others: f64 = phi.iter().sum();
        phi.push(delta - others);
        phi
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// `v(S) = Σ_{i∈S} w_i + a · [0 and 1 both in S]`: additive plus one
    /// interaction, whose Shapley values are `w_i` plus `a / 2` for players 0
    /// and 1.
    fn game(weights: &[f64], interaction: f64) -> impl Fn(&[bool]) -> f64 + '_ {
        move |kept: &[bool]| {
            let additive: f64 = kept.iter().zip(weights).filter(|(k, _)| **k).map(|(_, w)| w).sum();
            additive + if kept[0] && kept[1] { interaction } else { 0.0 }
        }
    }

    #[test]
    fn exact_and_sampled_values_are_the_shapley_values() {
        let weights: Vec<f64> = (0..14).map(|i| (i as f64 - 6.0) / 5.0).collect();
        let value = game(&weights, 0.8);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        // 6 players: enumerated, exact; 14 players: 16,384 coalitions, 3,000
        // sampled.
        for (players, samples, tolerance) in [(6, 2048, 1e-9), (14, 3000, 0.02)] {
            let phi = TextKernelShap { samples }.values(players, &value, &mut rng);
            for (i, &p) in phi.iter().enumerate() {
                let expected = weights[i] + if i < 2 { 0.4 } else { 0.0 };
                assert!((p - expected).abs() < tolerance, "{players} players, player {i}: {p} vs {expected}");
            }
            let all = value(&vec![true; players]) - value(&vec![false; players]);
            assert!((phi.iter().sum::<f64>() - all).abs() < 1e-9, "efficiency");
        }
    }
}
