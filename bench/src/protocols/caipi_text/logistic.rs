//! Logistic regression on sparse rows, L1 or L2 regularised, by accelerated
//! proximal gradient (FISTA with backtracking and adaptive restart).
//!
//! Minimises liblinear's objective `C sum_i w_i log(1 + exp(-y_i θ·x_i)) +
//! R(θ)` with `y_i = ±1`, example weights `w_i` and `R = |θ|_1` or
//! `|θ|^2 / 2` (scikit-learn's `LogisticRegression(penalty, C)` with the
//! liblinear solver and the constant feature regularised like any other).
//! Tests check the optimality (KKT) conditions at the solution. Warm starts
//! from a previous `θ` make the many refits of an active learning run cheap.
//!
//! Each pass over the data runs in parallel and gives the sequential pass's
//! numbers to the last bit: the margins row by row, the loss summed in row
//! order, and the gradient summed feature by feature over a column copy of
//! the rows, each feature's terms in row order as the row-by-row scatter
//! adds them.

use crate::protocols::caipi_text::tfidf::SparseRow;
use rayon::prelude::*;

/// Rows (or features) a parallel task takes at least: small problems, such
/// as an active learner's refits, stay on one thread.
const MIN_PER_TASK: usize = 512;

/// The rows again, feature by feature: for each feature, the rows that
/// hold it (increasing) and its values there.
struct Columns {
    starts: Vec<usize>,
    rows: Vec<u32>,
    values: Vec<f32>,
}

impl Columns {
    fn new(rows: &[SparseRow], features: usize) -> Self {
        let mut starts = vec![0usize; features + 1];
        for row in rows {
            for &j in &row.indices {
                starts[j as usize + 1] += 1;
            }
        }
        for j in 0..features {
            starts[j + 1] += starts[j];
        }
        let mut next = starts.clone();
        let mut row_of = vec![0u32; starts[features]];
        let mut values = vec![0.0f32; starts[features]];
        for (i, row) in rows.iter().enumerate() {
            for (&j, &v) in row.indices.iter().zip(&row.values) {
                let slot = &mut next[j as usize];
                row_of[*slot] = i as u32;
                values[*slot] = v;
                *slot += 1;
            }
        }
        Self { starts, rows: row_of, values }
    }

    /// `sum_i a_i x_ij` for every feature `j`, each sum over `i` in
    /// increasing order.
    fn weighted_sums(&self, a: &[f64]) -> Vec<f64> {
        (0..self.starts.len() - 1)
            .into_par_iter()
            .with_min_len(MIN_PER_TASK)
            .map(|j| {
                let mut sum = 0.0;
                for k in self.starts[j]..self.starts[j + 1] {
                    sum += a[self.rows[k] as usize] * f64::from(self.values[k]);
                }
                sum
            })
            .collect()
    }
}

/// The regulariser.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Penalty {
    /// `|θ|_1`: sparse weights (the gold model).
    L1,
    /// `|θ|^2 / 2`.
    L2,
}

/// Settings of a fit.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LogisticSettings {
    /// The regulariser.
    pub penalty: Penalty,
    /// Weight of the data term.
    pub c: f32,
    /// Maximum iterations.
    pub max_iterations: usize,
    /// Stop when the proximal gradient mapping (the KKT residual) is at most
    /// `tolerance * C` in every coordinate.
    pub tolerance: f32,
}

impl LogisticSettings {
    /// `C = 1`, at most 5,000 iterations, tolerance 1e-5.
    pub fn new(penalty: Penalty) -> Self {
        Self { penalty, c: 1.0, max_iterations: 5000, tolerance: 1e-5 }
    }
}

/// `P(y = 1)` for a score.
pub fn sigmoid(score: f32) -> f32 {
    1.0 / (1.0 + (-score).exp())
}

/// `log(1 + e^s)` without overflow.
fn softplus(s: f64) -> f64 {
    if s > 0.0 { s + (-s).exp().ln_1p() } else { s.exp().ln_1p() }
}

fn sigmoid64(score: f64) -> f64 {
    1.0 / (1.0 + (-score).exp())
}

/// `+1` for label 1, `-1` otherwise.
fn sign(label: u8) -> f64 {
    if label == 1 { 1.0 } else { -1.0 }
}

/// The data term and its gradient at `theta` (in f64: the solver's
/// stopping test looks at differences far below f32 resolution).
fn loss_and_gradient(
    rows: &[SparseRow],
    columns: &Columns,
    labels: &[u8],
    weights: &[f32],
    c: f64,
    theta: &[f64],
) -> (f64, Vec<f64>) {
    let terms: Vec<(f64, f64)> = rows
        .par_iter()
        .with_min_len(MIN_PER_TASK)
        .zip(labels)
        .zip(weights)
        .map(|((row, &label), &weight)| {
            let margin = sign(label) * row.dot64(theta);
            let scale = c * f64::from(weight);
            // d/ds log(1 + e^{-y s}) = -y sigmoid(-y s).
            (scale * softplus(-margin), -scale * sign(label) * sigmoid64(-margin))
        })
        .collect();
    let mut loss = 0.0;
    for (term, _) in &terms {
        loss += term;
    }
    let slopes: Vec<f64> = terms.iter().map(|&(_, slope)| slope).collect();
    (loss, columns.weighted_sums(&slopes))
}

fn data_loss(rows: &[SparseRow], labels: &[u8], weights: &[f32], c: f64, theta: &[f64]) -> f64 {
    let terms: Vec<f64> = rows
        .par_iter()
        .with_min_len(MIN_PER_TASK)
        .zip(labels)
        .zip(weights)
        .map(|((row, &label), &weight)| c * f64::from(weight) * softplus(-sign(label) * row.dot64(theta)))
        .collect();
    terms.iter().sum()
}

fn regulariser(penalty: Penalty, theta: &[f64]) -> f64 {
    match penalty {
        Penalty::L1 => theta.iter().map(|t| t.abs()).sum(),
        Penalty::L2 => 0.5 * theta.iter().map(|t| t * t).sum::<f64>(),
    }
}

/// The proximal step `argmin_θ R(θ) + |θ - v|^2 / (2 step)`.
fn proximal(penalty: Penalty, v: &[f64], step: f64) -> Vec<f64> {
    match penalty {
        Penalty::L1 => v.iter().map(|&x| x.signum() * (x.abs() - step).max(0.0)).collect(),
        Penalty::L2 => v.iter().map(|&x| x / (1.0 + step)).collect(),
    }
}

/// The objective `C sum w_i loss_i + R(θ)`.
pub fn objective(
    settings: &LogisticSettings,
    rows: &[SparseRow],
    labels: &[u8],
    weights: &[f32],
    theta: &[f32],
) -> f64 {
    let theta: Vec<f64> = theta.iter().map(|&t| f64::from(t)).collect();
    data_loss(rows, labels, weights, f64::from(settings.c), &theta) + regulariser(settings.penalty, &theta)
}

/// Fits `features` weights from `start` (zeros when `None`); returns them.
/// `weights` are per-example weights (all 1 for plain data).
pub fn fit(
    settings: &LogisticSettings,
    rows: &[SparseRow],
    labels: &[u8],
    weights: &[f32],
    features: usize,
    start: Option<&[f32]>,
) -> Vec<f32> {
    let c = f64::from(settings.c);
    let mut theta: Vec<f64> = start.map_or_else(Vec::new, |s| s.iter().map(|&t| f64::from(t)).collect());
    theta.resize(features, 0.0);
    let mut momentum_point = theta.clone();
    let columns = Columns::new(rows, features);
    let mut t = 1.0f64;
    // Lipschitz bound of the data term's gradient: C/4 sum w_i |x_i|^2.
    let lipschitz: f64 =
        rows.iter().zip(weights).map(|(row, &w)| f64::from(w * row.squared_norm())).sum::<f64>() * c / 4.0;
    let mut step = 1.0 / lipschitz.max(1e-6);
    let mut previous_objective = regulariser(settings.penalty, &theta) + data_loss(rows, labels, weights, c, &theta);
    for _ in 0..settings.max_iterations {
        // Try a longer step first: the worst-case bound is loose where the
        // sigmoid is flat; backtracking shortens it again where needed.
        step *= 1.25;
        let (loss, gradient) = loss_and_gradient(rows, &columns, labels, weights, c, &momentum_point);
        // Backtracking: the quadratic model must bound the loss at the new point.
        let (next, next_loss) = loop {
            let candidate: Vec<f64> = momentum_point.iter().zip(&gradient).map(|(p, g)| p - step * g).collect();
            let candidate = proximal(settings.penalty, &candidate, step);
            let difference: Vec<f64> = candidate.iter().zip(&momentum_point).map(|(a, b)| a - b).collect();
            let linear: f64 = gradient.iter().zip(&difference).map(|(g, d)| g * d).sum();
            let quadratic: f64 = difference.iter().map(|d| d * d).sum::<f64>() / (2.0 * step);
            let bound = loss + linear + quadratic;
            let candidate_loss = data_loss(rows, labels, weights, c, &candidate);
            if candidate_loss <= bound + 1e-12 * (bound.abs() + 1.0) || step < 1e-15 {
                break (candidate, candidate_loss);
            }
            step *= 0.5;
        };
        let current = next_loss + regulariser(settings.penalty, &next);
        // The gradient mapping (y - next) / step is zero exactly at the optimum.
        let residual = next.iter().zip(&momentum_point).fold(0.0f64, |m, (a, b)| m.max((a - b).abs())) / step;
        // Adaptive restart (O'Donoghue & Candès): drop momentum when the objective rises.
        if current > previous_objective {
            momentum_point = theta.clone();
            t = 1.0;
        } else {
            let t_next = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
            momentum_point = next.iter().zip(&theta).map(|(n, o)| n + (t - 1.0) / t_next * (n - o)).collect();
            theta = next;
            previous_objective = current;
            t = t_next;
        }
        if residual <= f64::from(settings.tolerance) * c {
            break;
        }
    }
    theta.iter().map(|&t| t as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;
    use xil_core::random::{uniform_below, uniform_f32};

    /// Sparse rows whose label depends on features 0..3.
    fn problem(n: usize, features: usize, seed: u64) -> (Vec<SparseRow>, Vec<u8>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..n {
            let mut indices: Vec<u32> = (0..6).map(|_| uniform_below(&mut rng, features as u32)).collect();
            indices.sort_unstable();
            indices.dedup();
            let values: Vec<f32> = indices.iter().map(|_| uniform_f32(&mut rng)).collect();
            let row = SparseRow { indices, values };
            let truth = [2.0, -2.0, 1.5, -1.0];
            let score: f32 =
                row.indices.iter().zip(&row.values).filter(|(i, _)| **i < 4).map(|(&i, v)| truth[i as usize] * v).sum();
            labels.push(u8::from(score + 0.3 * (uniform_f32(&mut rng) - 0.5) > 0.0));
            rows.push(row);
        }
        (rows, labels)
    }

    fn gradient_of_loss(settings: &LogisticSettings, rows: &[SparseRow], labels: &[u8], theta: &[f32]) -> Vec<f32> {
        let theta: Vec<f64> = theta.iter().map(|&t| f64::from(t)).collect();
        let columns = Columns::new(rows, theta.len());
        let gradient =
            loss_and_gradient(rows, &columns, labels, &vec![1.0; rows.len()], f64::from(settings.c), &theta).1;
        gradient.iter().map(|&g| g as f32).collect()
    }

    #[test]
    fn the_column_sums_equal_the_row_by_row_scatter_bit_for_bit() {
        // Enough rows for several parallel tasks.
        let (rows, _) = problem(3 * MIN_PER_TASK, 700, 9);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(10);
        let a: Vec<f64> = (0..rows.len()).map(|_| f64::from(uniform_f32(&mut rng)) - 0.5).collect();
        let mut scattered = vec![0.0f64; 700];
        for (row, &a) in rows.iter().zip(&a) {
            row.add_to64(&mut scattered, a);
        }
        let summed = Columns::new(&rows, 700).weighted_sums(&a);
        assert!(scattered.iter().any(|&g| g != 0.0));
        for (j, (s, c)) in scattered.iter().zip(&summed).enumerate() {
            assert_eq!(s.to_bits(), c.to_bits(), "feature {j}: {s} vs {c}");
        }
    }

    #[test]
    fn l2_solutions_zero_the_gradient() {
        let (rows, labels) = problem(300, 40, 1);
        let settings = LogisticSettings { c: 4.0, ..LogisticSettings::new(Penalty::L2) };
        let theta = fit(&settings, &rows, &labels, &vec![1.0; 300], 40, None);
        let gradient = gradient_of_loss(&settings, &rows, &labels, &theta);
        let worst = gradient.iter().zip(&theta).map(|(g, t)| (g + t).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-3, "KKT residual {worst}");
        assert!(theta[0] > 0.5 && theta[1] < -0.5, "{:?}", &theta[..4]);
    }

    #[test]
    fn l1_solutions_satisfy_the_subgradient_conditions_and_are_sparse() {
        let (rows, labels) = problem(400, 60, 2);
        let settings = LogisticSettings { c: 1.0, ..LogisticSettings::new(Penalty::L1) };
        let theta = fit(&settings, &rows, &labels, &vec![1.0; 400], 60, None);
        let gradient = gradient_of_loss(&settings, &rows, &labels, &theta);
        for (j, (&g, &t)) in gradient.iter().zip(&theta).enumerate() {
            if t == 0.0 {
                assert!(g.abs() <= 1.0 + 1e-3, "feature {j}: |gradient| {g} > 1 at zero");
            } else {
                assert!(
                    approx::abs_diff_eq!(g, -t.signum(), epsilon = 1e-3),
                    "feature {j}: gradient {g} for weight {t}"
                );
            }
        }
        let zeros = theta.iter().filter(|t| **t == 0.0).count();
        assert!(zeros > 20, "{zeros} zero weights of 60");
        assert!(theta[0] > 0.0 && theta[1] < 0.0);
    }

    #[test]
    fn warm_starts_reach_the_same_optimum_and_weights_count_as_copies() {
        let (rows, labels) = problem(200, 30, 3);
        let settings = LogisticSettings::new(Penalty::L2);
        let ones = vec![1.0; 200];
        let cold = fit(&settings, &rows, &labels, &ones, 30, None);
        let warm = fit(&settings, &rows, &labels, &ones, 30, Some(&[0.5; 30]));
        approx::assert_abs_diff_eq!(cold.as_slice(), warm.as_slice(), epsilon = 1e-3);
        // Weight 2 on every example = every example twice.
        let doubled_rows: Vec<SparseRow> = rows.iter().chain(&rows).cloned().collect();
        let doubled_labels: Vec<u8> = labels.iter().chain(&labels).copied().collect();
        let twice = fit(&settings, &doubled_rows, &doubled_labels, &vec![1.0; 400], 30, None);
        let weighted = fit(&settings, &rows, &labels, &vec![2.0; 200], 30, None);
        approx::assert_abs_diff_eq!(twice.as_slice(), weighted.as_slice(), epsilon = 1e-3);
        let objective_at = |theta: &[f32]| objective(&settings, &rows, &labels, &ones, theta);
        assert!(objective_at(&cold) <= objective_at(&[0.0; 30]));
    }
}
