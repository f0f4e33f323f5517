//! How a linear learner treats the intercept `b` of `f(x) = w·x + b`.
//!
//! Solvers differ here and the difference changes the optimum: liblinear (and
//! so scikit-learn's `LinearSVC`) appends a constant feature of value
//! `scaling` and regularises its weight like any other, while a textbook
//! logistic regression leaves the intercept unpenalised. xil offers both, so
//! that its optima can be compared with either convention.

/// The treatment of the intercept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Intercept {
    /// No intercept: `b = 0`.
    None,
    /// An intercept outside the regulariser.
    Unpenalized,
    /// liblinear's convention: a constant feature of value `scaling` whose
    /// weight `v` is regularised like the others; `b = v * scaling`.
    Penalized {
        /// The value of the constant feature (liblinear's `bias`, scikit-learn's
        /// `intercept_scaling`); must be finite and positive.
        scaling: f32,
    },
}

impl Intercept {
    /// The constant feature value of the intercept column, `None` when there
    /// is no intercept.
    pub(crate) fn column_value(self) -> Option<f32> {
        match self {
            Intercept::None => None,
            Intercept::Unpenalized => Some(1.0),
            Intercept::Penalized { scaling } => Some(scaling),
        }
    }

    /// Whether the parameters are valid.
    pub(crate) fn is_valid(self) -> bool {
        match self {
            Intercept::Penalized { scaling } => scaling.is_finite() && scaling > 0.0,
            Intercept::None | Intercept::Unpenalized => true,
        }
    }
}
