//! Regularised logistic regression, `P(y = 1 | x) = sigmoid(w·x + b)`.
//!
//! Solves `min R(w) + C sum_i weight_i log(1 + exp(-y_i f(x_i)))` with
//! `R = |w|^2 / 2` (default) or `|w|_1` by the primal coordinate descent of
//! [`coordinate_descent`](crate::linear::coordinate_descent) — the same objective as
//! scikit-learn's `LogisticRegression(C=...)`, whose default intercept is
//! unpenalised.

use crate::data::features::Design;
use crate::error::Error;
use crate::linear::LinearModel;
use crate::linear::coordinate_descent::{Loss, Penalty, Problem, Stopping, problem_setters};
use crate::linear::intercept::Intercept;
use crate::maths::sigmoid;
use crate::traits::Fit;
use nalgebra::SVector;

/// Hyper-parameters of logistic regression.
///
/// # Examples
/// ```
/// use nalgebra::vector;
/// use xil_core::{Example, Featurized, Fit, Identity, Intercept, LogisticRegression, Penalty};
///
/// let examples = [
///     Example::labelled(vector![1.0], 1),
///     Example::labelled(vector![2.0], 1),
///     Example::labelled(vector![-1.0], 0),
///     Example::labelled(vector![0.5], 0),
/// ];
/// let learner = LogisticRegression::new().c(10.0).penalty(Penalty::L2).intercept(Intercept::Unpenalized);
/// let model = Fit::<1, 4>::fit(&learner, &Featurized::new(&examples, &Identity))?;
/// let p = LogisticRegression::probability(&model, &vector![3.0]);
/// assert!(p > 0.9);
/// # Ok::<(), xil_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogisticRegression {
    problem: Problem,
}

impl Default for LogisticRegression {
    fn default() -> Self {
        Self::new()
    }
}

impl LogisticRegression {
    /// `C = 1`, L2 penalty, unpenalised intercept, tolerance 0.001 relative to
    /// the initial violation, at most 1,000 sweeps.
    pub const fn new() -> Self {
        Self {
            problem: Problem {
                loss: Loss::Logistic,
                penalty: Penalty::L2,
                c: 1.0,
                intercept: Intercept::Unpenalized,
                tolerance: 0.001,
                max_iterations: 1000,
                stopping: Stopping::MaxViolation,
                warm_start: true,
            },
        }
    }

    problem_setters!();

    /// The regulariser.
    pub const fn penalty(mut self, penalty: Penalty) -> Self {
        self.problem.penalty = penalty;
        self
    }

    /// The probability of class 1 under a fitted model.
    pub fn probability<const D: usize>(model: &LinearModel<D>, x: &SVector<f32, D>) -> f32 {
        sigmoid(model.weights.dot(x) + model.bias)
    }
}

impl<const D: usize, const N: usize> Fit<D, N> for LogisticRegression {
    type Model = LinearModel<D>;

    fn fit<T: Design<D> + ?Sized>(&self, data: &T) -> Result<LinearModel<D>, Error> {
        self.problem.solve::<T, D, N>(data, None)
    }

    fn fit_from<T: Design<D> + ?Sized>(&self, data: &T, start: &LinearModel<D>) -> Result<LinearModel<D>, Error> {
        self.problem.solve::<T, D, N>(data, Some(start))
    }
}
