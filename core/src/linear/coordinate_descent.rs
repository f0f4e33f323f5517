//! Primal coordinate descent with one-dimensional Newton steps, for L1- or
//! L2-regularised linear classifiers with a twice-differentiable loss.
//!
//! The problem is
//!
//! ```text
//! min_w  R(w) + sum_i C_i loss(y_i (w·x_i + b)),   C_i = C * weight_i
//! ```
//!
//! with `R(w) = |w|_1` or `|w|^2 / 2` and the squared hinge or logistic loss.
//! This is the method of liblinear's `L1R_L2LOSS_SVC` and its older `L1R_LR`
//! solver (Chang, Hsieh & Lin 2008; Yuan et al. 2010):
//! 1. keep every example's decision value `z_i`;
//! 2. for each coordinate `j`, form the loss gradient `g` and (generalised)
//!    second derivative `h` along column `j`;
//! 3. take the Newton step of the quadratic model plus the exact regulariser
//!    (for L1 a soft-thresholded step that can land exactly on zero);
//! 4. halve the step until the objective decreases by at least
//!    `sigma * step * (g d + R(w_j + d) - R(w_j))` (Armijo rule, Tseng & Yun);
//! 5. stop by the chosen [`Stopping`] rule, or when a whole sweep moved no
//!    weight by more than `f32` can resolve (then `f32` arithmetic has
//!    reached its optimum and further sweeps would repeat themselves).
//!
//! Two stopping rules: [`Stopping::Liblinear`] is liblinear's own (random
//! coordinate order, shrinking, the summed violation relative to the first
//! sweep's, the tolerance scaled by the minority class's share), so that a
//! tolerance means what it means to scikit-learn's `LinearSVC`;
//! [`Stopping::MaxViolation`] is xil's first rule (cyclic order, the largest
//! violation relative to its value at `w = 0`), kept for comparison and for
//! the device, whose measured runs use it.
//!
//! A solve may start from a previous model (warm start, the default): the
//! interactive loop refits after every query on nearly the same data, and a
//! warm start then needs a few sweeps instead of dozens. With
//! `warm_start(false)` every fit starts from zero, as scikit-learn's does.
//!
//! Only the decision values are stored (one `f32` triple per example, on the
//! stack); features are read column by column through [`Design`].

use crate::data::features::{Design, check_binary};
use crate::error::Error;
use crate::linear::LinearModel;
use crate::linear::intercept::Intercept;
use crate::linear::order::CoordinateOrder;
use crate::maths::{sigmoid, softplus};
use nalgebra::SVector;

/// The regulariser of a linear learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Penalty {
    /// `|w|_1`: sparse weights.
    L1,
    /// `|w|^2 / 2`.
    L2,
}

/// When the coordinate-descent solver stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopping {
    /// xil's first rule: every coordinate in its order each sweep; stop
    /// when the largest violation of optimality is at most `tolerance`
    /// times its value at `w = 0`.
    MaxViolation,
    /// liblinear's rule (`L1R_L2LOSS_SVC`, `L1R_LR`): each sweep visits the
    /// active coordinates in a fresh random order; a coordinate at zero whose
    /// gradient lies inside its dead zone by more than the last sweep's
    /// largest violation over `n` is set aside; the solver stops when the
    /// sum of the active coordinates' violations is at most `tolerance ·
    /// max(min(positives, negatives), 1) / n` times that sum in the first
    /// sweep and, if some were set aside, after one more sweep over all of
    /// them passes the same test.
    Liblinear,
}

/// The loss of a linear classifier as a function of the margin `m = y f(x)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loss {
    /// `log(1 + exp(-m))`.
    Logistic,
    /// `max(0, 1 - m)^2`.
    SquaredHinge,
}

impl Loss {
    #[inline(always)]
    pub(crate) fn value(self, m: f32) -> f32 {
        match self {
            Loss::Logistic => softplus(-m),
            Loss::SquaredHinge => {
                let slack = (1.0 - m).max(0.0);
                slack * slack
            }
        }
    }

    #[inline(always)]
    fn derivative(self, m: f32) -> f32 {
        match self {
            Loss::Logistic => -sigmoid(-m),
            Loss::SquaredHinge => -2.0 * (1.0 - m).max(0.0),
        }
    }

    #[inline(always)]
    fn curvature(self, m: f32) -> f32 {
        match self {
            Loss::Logistic => sigmoid(m) * sigmoid(-m),
            Loss::SquaredHinge => {
                if m < 1.0 {
                    2.0
                } else {
                    0.0
                }
            }
        }
    }
}

/// A regulariser on one coordinate; the intercept may be unregularised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CoordinatePenalty {
    L1,
    L2,
    None,
}

impl CoordinatePenalty {
    fn value(self, w: f32) -> f32 {
        match self {
            CoordinatePenalty::L1 => w.abs(),
            CoordinatePenalty::L2 => 0.5 * w * w,
            CoordinatePenalty::None => 0.0,
        }
    }

    /// The Newton direction for loss gradient `g` and curvature `h` at `w`,
    /// and how far `w` is from satisfying its optimality condition.
    fn direction(self, w: f32, g: f32, h: f32) -> (f32, f32) {
        match self {
            CoordinatePenalty::L1 => {
                let h = h + 1e-12;
                let violation = if w > 0.0 {
                    (g + 1.0).abs()
                } else if w < 0.0 {
                    (g - 1.0).abs()
                } else {
                    (g - 1.0).max(-1.0 - g).max(0.0)
                };
                let direction = if g + 1.0 <= h * w {
                    -(g + 1.0) / h
                } else if g - 1.0 >= h * w {
                    -(g - 1.0) / h
                } else {
                    -w
                };
                (direction, violation)
            }
            CoordinatePenalty::L2 => {
                let gradient = g + w;
                (-gradient / (h + 1.0), gradient.abs())
            }
            CoordinatePenalty::None => {
                if h > 0.0 {
                    (-g / h, g.abs())
                } else {
                    (0.0, g.abs())
                }
            }
        }
    }
}

/// A regularised linear classification problem and the solver's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Problem {
    pub loss: Loss,
    pub penalty: Penalty,
    pub c: f32,
    pub intercept: Intercept,
    pub tolerance: f32,
    pub max_iterations: u32,
    pub stopping: Stopping,
    pub warm_start: bool,
}

/// The builder setters and the objective shared by the learners that wrap a
/// [`Problem`] in a field `problem`.
macro_rules! problem_setters {
    () => {
        /// The weight `C` of the data term against the regulariser (finite,
        /// positive).
        pub const fn c(mut self, c: f32) -> Self {
            self.problem.c = c;
            self
        }

        /// The treatment of the intercept.
        pub const fn intercept(mut self, intercept: Intercept) -> Self {
            self.problem.intercept = intercept;
            self
        }

        /// The stopping tolerance of the [`Stopping`](crate::linear::coordinate_descent::Stopping)
        /// rule (finite, positive).
        pub const fn tolerance(mut self, tolerance: f32) -> Self {
            self.problem.tolerance = tolerance;
            self
        }

        /// The stopping rule.
        pub const fn stopping(mut self, stopping: crate::linear::coordinate_descent::Stopping) -> Self {
            self.problem.stopping = stopping;
            self
        }

        /// Whether `fit_from` starts from the given model (`true`) or, as
        /// `fit`, from zero.
        pub const fn warm_start(mut self, warm_start: bool) -> Self {
            self.problem.warm_start = warm_start;
            self
        }

        /// The most sweeps over all coordinates (positive).
        pub const fn max_iterations(mut self, max_iterations: u32) -> Self {
            self.problem.max_iterations = max_iterations;
            self
        }

        /// The value of the training objective for `model` on `data`.
        pub fn objective<T: Design<D> + ?Sized, const D: usize>(&self, data: &T, model: &LinearModel<D>) -> f32 {
            self.problem.objective(data, model)
        }
    };
}
pub(crate) use problem_setters;

/// Per-example state of the solver.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    /// The label as +1 / -1.
    y: f32,
    /// `C * weight`.
    cost: f32,
    /// The current decision value `w·x + b`.
    z: f32,
}

const ARMIJO_SIGMA: f32 = 0.01;
const MAX_LINE_SEARCH_STEPS: u32 = 24;
/// A relative weight change below a few ulps of `f32` is no progress.
const RESOLVABLE_STEP: f32 = 4.0 * f32::EPSILON;

impl Problem {
    /// Checks the hyper-parameters.
    pub(crate) fn check(&self) -> Result<(), Error> {
        check_solver_settings(self.c, self.intercept, self.tolerance, self.max_iterations)
    }

    fn coordinate_penalty(&self, j: usize, d: usize) -> CoordinatePenalty {
        let penalized = j < d || matches!(self.intercept, Intercept::Penalized { .. });
        match (penalized, self.penalty) {
            (false, _) => CoordinatePenalty::None,
            (true, Penalty::L1) => CoordinatePenalty::L1,
            (true, Penalty::L2) => CoordinatePenalty::L2,
        }
    }

    /// Minimises the objective over `data` (at most `N` examples), starting
    /// from `start` or from zero.
    pub(crate) fn solve<T: Design<D> + ?Sized, const D: usize, const N: usize>(
        &self,
        data: &T,
        start: Option<&LinearModel<D>>,
    ) -> Result<LinearModel<D>, Error> {
        self.check()?;
        check_binary(data, N)?;
        let mut storage = [Entry::default(); N];
        let entries = storage.get_mut(..data.len()).ok_or(Error::CapacityExceeded)?;
        // One column's non-zero entries (example, value).
        let mut column_storage = [(0usize, 0.0f32); N];
        for (i, entry) in entries.iter_mut().enumerate() {
            entry.y = if data.label(i) == 1 { 1.0 } else { -1.0 };
            entry.cost = self.c * data.weight(i);
        }
        let intercept_column = self.intercept.column_value();
        let coordinates = D + usize::from(intercept_column.is_some());
        let column_of = |i: usize, j: usize| if j < D { data.feature(i, j) } else { intercept_column.unwrap_or(0.0) };
        // The optimality violation at w = 0, where every margin is 0 (the
        // first rule's reference).
        let mut reference_violation = 0.0f32;
        if self.stopping == Stopping::MaxViolation {
            for j in 0..coordinates {
                let g: f32 = entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| e.cost * e.y * self.loss.derivative(0.0) * column_of(i, j))
                    .sum();
                reference_violation = reference_violation.max(self.coordinate_penalty(j, D).direction(0.0, g, 0.0).1);
            }
        }
        // liblinear's tolerance on the summed violation, scaled by the
        // minority class's share.
        let positives = entries.iter().filter(|e| e.y > 0.0).count();
        let minority = positives.min(entries.len() - positives).max(1);
        let summed_tolerance = self.tolerance * minority as f32 / entries.len().max(1) as f32;
        let mut weights = SVector::<f32, D>::zeros();
        let mut intercept_weight = 0.0f32;
        let start = start.filter(|s| self.warm_start && s.weights.iter().all(|w| w.is_finite()) && s.bias.is_finite());
        if let Some(start) = start {
            weights = start.weights;
            intercept_weight = match intercept_column {
                Some(value) => start.bias / value,
                None => 0.0,
            };
            for (i, entry) in entries.iter_mut().enumerate() {
                entry.z = data.dot(i, &weights) + intercept_weight * intercept_column.unwrap_or(0.0);
            }
        }

        let liblinear = self.stopping == Stopping::Liblinear;
        let mut order = CoordinateOrder::<D>::new(intercept_column.is_some());
        let mut first_sum = None;
        let mut last_worst = f32::INFINITY;
        for _ in 0..self.max_iterations {
            let mut worst_violation = 0.0f32;
            let mut summed_violation = 0.0f32;
            let mut largest_relative_step = 0.0f32;
            if liblinear {
                order.shuffle();
            }
            let shrink_margin = last_worst / entries.len().max(1) as f32;
            let mut s = 0;
            while s < order.active() {
                let j = order.get(s);
                // The column's non-zero entries, gathered once per visit and
                // reused by the gradient, the line search and the update.
                let column = &mut column_storage;
                let mut nonzeros = 0;
                let (mut g, mut h) = (0.0f32, 0.0f32);
                for (i, entry) in entries.iter().enumerate() {
                    let x = column_of(i, j);
                    if x != 0.0 {
                        let m = entry.y * entry.z;
                        g += entry.cost * entry.y * self.loss.derivative(m) * x;
                        h += entry.cost * self.loss.curvature(m) * x * x;
                        if let Some(slot) = column.get_mut(nonzeros) {
                            *slot = (i, x);
                            nonzeros += 1;
                        }
                    }
                }
                let column = column.get(..nonzeros).unwrap_or(&[]);
                let w = if j < D { weights.get(j).copied().unwrap_or(0.0) } else { intercept_weight };
                let penalty = self.coordinate_penalty(j, D);
                let inside_dead_zone = g + 1.0 > shrink_margin && g - 1.0 < -shrink_margin;
                if liblinear && penalty == CoordinatePenalty::L1 && w == 0.0 && inside_dead_zone {
                    order.deactivate(s);
                    continue;
                }
                s += 1;
                let (direction, violation) = penalty.direction(w, g, h);
                worst_violation = worst_violation.max(violation);
                summed_violation += violation;
                if direction == 0.0 || !direction.is_finite() {
                    continue;
                }
                let predicted_decrease = g * direction + penalty.value(w + direction) - penalty.value(w);
                let mut step = 1.0f32;
                for _ in 0..MAX_LINE_SEARCH_STEPS {
                    let delta = step * direction;
                    let mut change = penalty.value(w + delta) - penalty.value(w);
                    for &(i, x) in column {
                        if let Some(entry) = entries.get(i) {
                            let m = entry.y * entry.z;
                            change += entry.cost * (self.loss.value(m + entry.y * delta * x) - self.loss.value(m));
                        }
                    }
                    if change <= ARMIJO_SIGMA * step * predicted_decrease {
                        largest_relative_step = largest_relative_step.max(delta.abs() / (1.0 + w.abs()));
                        for &(i, x) in column {
                            if let Some(entry) = entries.get_mut(i) {
                                entry.z += delta * x;
                            }
                        }
                        if let Some(weight) = weights.get_mut(j) {
                            *weight = w + delta;
                        } else {
                            intercept_weight = w + delta;
                        }
                        break;
                    }
                    step *= 0.5;
                }
            }
            let first_sum = *first_sum.get_or_insert(summed_violation);
            let converged = largest_relative_step <= RESOLVABLE_STEP
                || match self.stopping {
                    Stopping::MaxViolation => worst_violation <= self.tolerance * reference_violation,
                    Stopping::Liblinear => summed_violation <= summed_tolerance * first_sum,
                };
            if converged {
                if order.all_active() {
                    break;
                }
                order.activate_all();
                last_worst = f32::INFINITY;
            } else {
                last_worst = worst_violation;
            }
        }
        Ok(LinearModel::new(weights, intercept_weight * intercept_column.unwrap_or(0.0)))
    }

    /// The objective value of `model` on `data`.
    pub(crate) fn objective<T: Design<D> + ?Sized, const D: usize>(&self, data: &T, model: &LinearModel<D>) -> f32 {
        regularized_objective(data, model, self.c, self.penalty, self.intercept, |m| self.loss.value(m))
    }
}

/// Checks the settings every linear solver shares: `C` and the tolerance
/// finite and positive, at least one iteration, a valid intercept.
pub(crate) fn check_solver_settings(
    c: f32,
    intercept: Intercept,
    tolerance: f32,
    max_iterations: u32,
) -> Result<(), Error> {
    if !(c.is_finite() && c > 0.0) {
        return Err(Error::InvalidParameter { name: "c" });
    }
    if !(tolerance.is_finite() && tolerance > 0.0) {
        return Err(Error::InvalidParameter { name: "tolerance" });
    }
    if max_iterations == 0 {
        return Err(Error::InvalidParameter { name: "max_iterations" });
    }
    if !intercept.is_valid() {
        return Err(Error::InvalidParameter { name: "intercept" });
    }
    Ok(())
}

/// `R(w) + sum_i C weight_i loss(y_i f(x_i))` for any margin loss, with the
/// intercept regularised only under [`Intercept::Penalized`].
pub(crate) fn regularized_objective<T: Design<D> + ?Sized, const D: usize>(
    data: &T,
    model: &LinearModel<D>,
    c: f32,
    penalty: Penalty,
    intercept: Intercept,
    loss: impl Fn(f32) -> f32,
) -> f32 {
    let regularizer = |w: f32| match penalty {
        Penalty::L1 => w.abs(),
        Penalty::L2 => 0.5 * w * w,
    };
    let mut total: f32 = model.weights.iter().map(|&w| regularizer(w)).sum();
    if let Intercept::Penalized { scaling } = intercept {
        total += regularizer(model.bias / scaling);
    }
    for i in 0..data.len() {
        let y = if data.label(i) == 1 { 1.0 } else { -1.0 };
        total += c * data.weight(i) * loss(y * (data.dot(i, &model.weights) + model.bias));
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_match_their_derivatives() {
        for loss in [Loss::Logistic, Loss::SquaredHinge] {
            for m in [-3.0f32, -0.5, 0.3, 0.9, 2.0] {
                let eps = 1e-2;
                let numeric = (loss.value(m + eps) - loss.value(m - eps)) / (2.0 * eps);
                assert!(approx::abs_diff_eq!(numeric, loss.derivative(m), epsilon = 1e-3), "{loss:?} at {m}");
                let numeric2 = (loss.derivative(m + eps) - loss.derivative(m - eps)) / (2.0 * eps);
                assert!(approx::abs_diff_eq!(numeric2, loss.curvature(m), epsilon = 1e-2), "{loss:?} curvature at {m}");
            }
        }
    }

    #[test]
    fn an_l1_step_lands_exactly_on_zero_inside_the_dead_zone() {
        let (direction, violation) = CoordinatePenalty::L1.direction(0.3, 0.2, 1.0);
        assert_eq!(direction, -0.3);
        assert!(approx::abs_diff_eq!(violation, 1.2, epsilon = 1e-6));
    }
}
