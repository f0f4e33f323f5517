//! Linear support vector machines: the sparse L1-regularised squared-hinge SVM
//! and the classic L2-regularised hinge SVM.
//!
//! - [`L1Svm`] solves `min |w|_1 + C sum_i weight_i max(0, 1 - y_i f(x_i))^2`
//!   by primal coordinate descent, the problem and method of liblinear's
//!   `L1R_L2LOSS_SVC` (scikit-learn's `LinearSVC(penalty="l1",
//!   loss="squared_hinge", dual=False)`). Its weights are sparse, which suits
//!   concepts that depend on a few features, such as the colors rules.
//! - [`L2Svm`] solves `min |w|^2/2 + C sum_i weight_i max(0, 1 - y_i f(x_i))`
//!   by dual coordinate descent (Hsieh et al. 2008, liblinear's
//!   `L2R_L1LOSS_SVC_DUAL`): for each example in turn, the dual variable
//!   `alpha_i in [0, C weight_i]` takes its exact one-dimensional optimum and
//!   `w = sum_i alpha_i y_i x_i` is updated in place; it stops when the spread
//!   of projected gradients falls below the tolerance.
//!
//! Both default to liblinear's intercept convention (a regularised constant
//! feature, see [`Intercept`]) so that their optima match the standard
//! solvers'.

use crate::data::features::{Design, check_binary};
use crate::error::Error;
use crate::linear::LinearModel;
use crate::linear::coordinate_descent::{
    Loss, Penalty, Problem, Stopping, check_solver_settings, problem_setters, regularized_objective,
};
use crate::linear::intercept::Intercept;
use crate::traits::Fit;
use nalgebra::SVector;

/// Hyper-parameters of the L1-regularised squared-hinge linear SVM.
///
/// # Examples
/// ```
/// use nalgebra::{SVector, vector};
/// use xil_core::{Decision, Example, Featurized, Fit, Identity, L1Svm};
///
/// let examples = [
///     Example::labelled(vector![1.0, 0.0], 1),
///     Example::labelled(vector![0.9, 1.0], 1),
///     Example::labelled(vector![-1.0, 0.0], 0),
///     Example::labelled(vector![-1.1, 1.0], 0),
/// ];
/// let model = Fit::<2, 8>::fit(&L1Svm::new(), &Featurized::new(&examples, &Identity))?;
/// assert_eq!(model.predict(&vector![2.0, 0.5]), 1);
/// // The second feature carries no information: L1 keeps its weight at zero.
/// assert_eq!(model.weights[1], 0.0);
/// # Ok::<(), xil_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct L1Svm {
    problem: Problem,
}

impl Default for L1Svm {
    fn default() -> Self {
        Self::new()
    }
}

impl L1Svm {
    /// `C = 1`, liblinear's intercept (scaling 1), tolerance 0.01 (relative to
    /// the initial violation, as liblinear), at most 1,000 sweeps.
    pub const fn new() -> Self {
        Self {
            problem: Problem {
                loss: Loss::SquaredHinge,
                penalty: Penalty::L1,
                c: 1.0,
                intercept: Intercept::Penalized { scaling: 1.0 },
                tolerance: 0.01,
                max_iterations: 1000,
                stopping: Stopping::MaxViolation,
                warm_start: true,
            },
        }
    }

    problem_setters!();
}

impl<const D: usize, const N: usize> Fit<D, N> for L1Svm {
    type Model = LinearModel<D>;

    fn fit<T: Design<D> + ?Sized>(&self, data: &T) -> Result<LinearModel<D>, Error> {
        self.problem.solve::<T, D, N>(data, None)
    }

    fn fit_from<T: Design<D> + ?Sized>(&self, data: &T, start: &LinearModel<D>) -> Result<LinearModel<D>, Error> {
        self.problem.solve::<T, D, N>(data, Some(start))
    }
}

/// Hyper-parameters of the L2-regularised hinge-loss linear SVM.
///
/// # Examples
/// ```
/// use nalgebra::vector;
/// use xil_core::{Decision, Example, Featurized, Fit, Identity, L2Svm};
///
/// let examples = [
///     Example::labelled(vector![2.0, 1.0], 1),
///     Example::labelled(vector![-2.0, 1.0], 0),
/// ];
/// let model = Fit::<2, 2>::fit(&L2Svm::new().c(10.0), &Featurized::new(&examples, &Identity))?;
/// assert_eq!(model.predict(&vector![1.0, 0.0]), 1);
/// assert_eq!(model.predict(&vector![-1.0, 0.0]), 0);
/// # Ok::<(), xil_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct L2Svm {
    c: f32,
    intercept: Intercept,
    tolerance: f32,
    max_iterations: u32,
}

impl Default for L2Svm {
    fn default() -> Self {
        Self::new()
    }
}

impl L2Svm {
    /// `C = 1`, liblinear's intercept (scaling 1), tolerance 0.01 on the
    /// projected-gradient spread, at most 1,000 sweeps.
    pub const fn new() -> Self {
        Self { c: 1.0, intercept: Intercept::Penalized { scaling: 1.0 }, tolerance: 0.01, max_iterations: 1000 }
    }

    /// The cost of margin violations `C` (finite, positive).
    pub const fn c(mut self, c: f32) -> Self {
        self.c = c;
        self
    }

    /// The treatment of the intercept: [`Intercept::None`] or
    /// [`Intercept::Penalized`] ([`Intercept::Unpenalized`] would add an
    /// equality constraint to the dual and is rejected by `fit`).
    pub const fn intercept(mut self, intercept: Intercept) -> Self {
        self.intercept = intercept;
        self
    }

    /// Stop when the projected gradients of a sweep lie within this spread
    /// (finite, positive).
    pub const fn tolerance(mut self, tolerance: f32) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The most sweeps over all examples (positive).
    pub const fn max_iterations(mut self, max_iterations: u32) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    fn check(&self) -> Result<(), Error> {
        check_solver_settings(self.c, self.intercept, self.tolerance, self.max_iterations)?;
        if self.intercept == Intercept::Unpenalized {
            return Err(Error::InvalidParameter { name: "intercept" });
        }
        Ok(())
    }

    /// The value of the training objective for `model` on `data`.
    pub fn objective<T: Design<D> + ?Sized, const D: usize>(&self, data: &T, model: &LinearModel<D>) -> f32 {
        regularized_objective(data, model, self.c, Penalty::L2, self.intercept, |m| (1.0 - m).max(0.0))
    }
}

/// Per-example state of the dual solver.
#[derive(Debug, Clone, Copy, Default)]
struct DualEntry {
    y: f32,
    upper: f32,
    diagonal: f32,
    alpha: f32,
}

impl<const D: usize, const N: usize> Fit<D, N> for L2Svm {
    type Model = LinearModel<D>;

    fn fit<T: Design<D> + ?Sized>(&self, data: &T) -> Result<LinearModel<D>, Error> {
        self.check()?;
        check_binary(data, N)?;
        let scaling = self.intercept.column_value().unwrap_or(0.0);
        let mut storage = [DualEntry::default(); N];
        let entries = storage.get_mut(..data.len()).ok_or(Error::CapacityExceeded)?;
        for (i, entry) in entries.iter_mut().enumerate() {
            entry.y = if data.label(i) == 1 { 1.0 } else { -1.0 };
            entry.upper = self.c * data.weight(i);
            entry.diagonal = data.row(i).norm_squared() + scaling * scaling;
        }
        let mut weights = SVector::<f32, D>::zeros();
        let mut intercept_weight = 0.0f32;
        for _ in 0..self.max_iterations {
            let (mut highest, mut lowest) = (f32::NEG_INFINITY, f32::INFINITY);
            for (i, entry) in entries.iter_mut().enumerate() {
                if entry.diagonal <= 0.0 {
                    // An all-zero example cannot move w; its alpha is irrelevant.
                    continue;
                }
                let gradient = entry.y * (data.dot(i, &weights) + intercept_weight * scaling) - 1.0;
                let projected = if entry.alpha <= 0.0 {
                    gradient.min(0.0)
                } else if entry.alpha >= entry.upper {
                    gradient.max(0.0)
                } else {
                    gradient
                };
                highest = highest.max(projected);
                lowest = lowest.min(projected);
                if projected.abs() > 1e-12 {
                    let alpha = (entry.alpha - gradient / entry.diagonal).clamp(0.0, entry.upper);
                    let change = (alpha - entry.alpha) * entry.y;
                    entry.alpha = alpha;
                    weights.axpy(change, &data.row(i), 1.0);
                    intercept_weight += change * scaling;
                }
            }
            if highest - lowest <= self.tolerance {
                break;
            }
        }
        Ok(LinearModel::new(weights, intercept_weight * scaling))
    }
}
