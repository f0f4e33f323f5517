//! Kernel SHAP over any number of players, on the heap: the Shapley values
//! of a value function `v(S)` of coalitions `S`, exact by enumeration when
//! the evaluation budget covers all `2^m` coalitions, otherwise estimated
//! as SHAP's `KernelExplainer` does (Lundberg & Lee 2017, Theorem 2):
//! coalitions drawn with probability proportional to the Shapley kernel (a
//! size `s` with probability proportional to `(m - 1) / (s (m - s))`, then
//! `s` players uniformly), each with its complement, fitted by least squares
//! with the efficiency constraint `Σ φ = v(all) - v(none)` imposed exactly.
//!
//! Core's [`KernelShap`](xil_core::KernelShap) has a fixed number of
//! components; a message has as many words as it has and an image as many
//! lit pixels, so the bench's explainers of e-mails and of linear models use
//! this one.

use nalgebra::{DMatrix, DVector};
use rand_core::Rng;
use xil_core::random::{uniform_f32, uniform_index};

/// The Shapley weight `s! (m - s - 1)! / m!` of a coalition of size `s`
/// that leaves out the player being valued.
fn shapley_weight(m: usize, size: usize) -> f64 {
    let mut binomial = 1.0f64;
    for j in 0..size {
        binomial = binomial * (m - 1 - j) as f64 / (j + 1) as f64;
    }
    1.0 / (m as f64 * binomial)
}

/// The Shapley values of `m` players under the value function `value`
/// (`value(kept)` with one flag per player), from at most `samples`
/// evaluations of `value`: exact when they cover all `2^m` coalitions.
pub fn shapley_values<R: Rng + ?Sized>(
    m: usize,
    samples: usize,
    value: &dyn Fn(&[bool]) -> f64,
    rng: &mut R,
) -> Vec<f64> {
    if m == 0 {
        return Vec::new();
    }
    let enumerable = m < 30 && (1usize << m) <= samples.max(2);
    if enumerable || m == 1 { exact(m, value) } else { sampled(m, samples, value, rng) }
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

fn sampled<R: Rng + ?Sized>(m: usize, samples: usize, value: &dyn Fn(&[bool]) -> f64, rng: &mut R) -> Vec<f64> {
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
    for _ in 0..samples.saturating_sub(2) / 2 {
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
            let phi = shapley_values(players, samples, &value, &mut rng);
            for (i, &p) in phi.iter().enumerate() {
                let expected = weights[i] + if i < 2 { 0.4 } else { 0.0 };
                assert!((p - expected).abs() < tolerance, "{players} players, player {i}: {p} vs {expected}");
            }
            let all = value(&vec![true; players]) - value(&vec![false; players]);
            assert!((phi.iter().sum::<f64>() - all).abs() < 1e-9, "efficiency");
        }
    }
}
