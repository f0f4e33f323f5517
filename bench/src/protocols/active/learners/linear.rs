//! Linear models: core's hinge-loss SVM or L2 logistic regression, one fit
//! for two classes and one per class (one-vs-rest) for more, on up to
//! [`CAPACITY`] labelled instances.
//!
//! Class probabilities: the logistic model's `σ(d_c)`, normalised over the
//! classes for one-vs-rest (scikit-learn's `OneVsRestClassifier`); the SVM's
//! softmax of its decision values (a linear SVM has no probabilities of its
//! own; for two classes this is `σ(d)` as well). The cost `C` is chosen per
//! run on the seed set by stratified 3-fold cross-validation over
//! `{0.01, 0.1, 1, 10, 100}` (seed 004 grid-searches it), macro-F1, the
//! smallest of equals.
//!
//! Explanations of class `c` at `x`: `saliency` is `|w_c|`, `input-x-gradient`
//! `w_c ⊙ x` (the exact Shapley values of the decision with absent features
//! at 0), and `kernel-shap` the Shapley values of `P(c)` over the features
//! that are not 0 (absent: 0, a word not in the message, a black pixel, a
//! cell without colour), from the explainer's evaluation budget.

use super::Learner;
use crate::error::{Error, Result};
use crate::explain::shapley::shapley_values;
use crate::harness::folds::stratified_folds;
use crate::harness::seeds::Stream;
use crate::protocols::active::pool::Pool;
use crate::protocols::active::settings::ActiveSettings;
use crate::protocols::attributions::methods::Method;
use nalgebra::SVector;
use xil_core::metrics::macro_f1;
use xil_core::{Decision, Design, Fit, L2Svm, LinearModel, LogisticRegression};

/// The most labelled instances a fit takes.
pub const CAPACITY: usize = 8192;

/// The costs the cross-validation tries.
pub const COSTS: [f32; 5] = [0.01, 0.1, 1.0, 10.0, 100.0];

/// Folds of the cost's cross-validation.
const COST_FOLDS: usize = 3;

/// Which linear model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinearKind {
    /// Hinge loss, L2 penalty (core's dual coordinate descent).
    Svm,
    /// Logistic loss, L2 penalty.
    Logistic,
}

/// A linear model as the settings say, with its cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linear {
    kind: LinearKind,
    /// The cost of the data term.
    pub cost: f32,
    explainer: Method,
    samples: usize,
}

/// One model per class (one for two classes).
#[derive(Debug, Clone, PartialEq)]
pub struct OneVsRest<const D: usize> {
    models: Vec<LinearModel<D>>,
}

/// The labelled instances seen as binary data: class `positive` against the
/// rest.
struct Binary<'a, const D: usize> {
    rows: &'a [SVector<f32, D>],
    labels: &'a [u8],
    chosen: &'a [u32],
    positive: u8,
}

impl<const D: usize> Design<D> for Binary<'_, D> {
    fn len(&self) -> usize {
        self.chosen.len()
    }
    fn label(&self, i: usize) -> u8 {
        self.chosen.get(i).map_or(0, |&k| u8::from(self.labels.get(k as usize) == Some(&self.positive)))
    }
    fn weight(&self, i: usize) -> f32 {
        if i < self.chosen.len() { 1.0 } else { 0.0 }
    }
    fn feature(&self, i: usize, j: usize) -> f32 {
        self.chosen.get(i).and_then(|&k| self.rows.get(k as usize)).and_then(|r| r.get(j)).copied().unwrap_or(0.0)
    }
    fn row(&self, i: usize) -> SVector<f32, D> {
        self.chosen.get(i).and_then(|&k| self.rows.get(k as usize)).copied().unwrap_or_else(SVector::zeros)
    }
    fn dot(&self, i: usize, w: &SVector<f32, D>) -> f32 {
        self.chosen.get(i).and_then(|&k| self.rows.get(k as usize)).map_or(0.0, |r| r.dot(w))
    }
}

impl Linear {
    /// The linear model of `settings` with cost 1 (until a run tunes it).
    ///
    /// # Errors
    /// A model that is not linear or an explainer that does not apply to
    /// one, naming the option.
    pub fn new(settings: &ActiveSettings) -> Result<Self> {
        use crate::protocols::active::learners::ActiveModel;
        let kind = match settings.model {
            ActiveModel::LinearSvm => LinearKind::Svm,
            ActiveModel::Logreg => LinearKind::Logistic,
            other => return Err(Error::Settings(format!("--model {} is not a linear model", other.name()))),
        };
        Ok(Self { kind, cost: 1.0, explainer: settings.explainer, samples: settings.explainer_samples })
    }

    /// This model with `samples` evaluations per Kernel SHAP explanation.
    pub fn with_samples(self, samples: usize) -> Self {
        Self { samples, ..self }
    }

    /// Fits the model to `chosen` of `rows` (labels `labels`, `C` classes).
    fn fit_rows<const D: usize>(
        &self,
        rows: &[SVector<f32, D>],
        labels: &[u8],
        chosen: &[u32],
        classes: usize,
    ) -> Result<OneVsRest<D>> {
        let fits = if classes == 2 { 1 } else { classes };
        let models = (0..fits)
            .map(|c| {
                let positive = if classes == 2 { 1 } else { c as u8 };
                let data = Binary { rows, labels, chosen, positive };
                let positives = (0..data.len()).filter(|&i| data.label(i) == 1).count();
                if positives == 0 || positives == data.len() {
                    // One class only (a cross-validation fold can lack one):
                    // the constant decision.
                    let sign = if positives == 0 { -1.0 } else { 1.0 };
                    return Ok(LinearModel::new(SVector::zeros(), sign));
                }
                let fitted = match self.kind {
                    LinearKind::Svm => Fit::<D, CAPACITY>::fit(&L2Svm::new().c(self.cost), &data),
                    LinearKind::Logistic => Fit::<D, CAPACITY>::fit(&LogisticRegression::new().c(self.cost), &data),
                };
                fitted.map_err(|e| Error::core("linear model", e))
            })
            .collect::<Result<_>>()?;
        Ok(OneVsRest { models })
    }

    /// The decision value of each class at `x`.
    fn decisions<const D: usize, const C: usize>(fitted: &OneVsRest<D>, x: &SVector<f32, D>) -> [f32; C] {
        if let ([model], 2) = (fitted.models.as_slice(), C) {
            let d = model.decision(x);
            core::array::from_fn(|c| if c == 1 { d } else { 0.0 })
        } else {
            core::array::from_fn(|c| fitted.models.get(c).map_or(0.0, |m| m.decision(x)))
        }
    }

    /// Class probabilities from decision values.
    fn probabilities_of<const C: usize>(&self, decisions: [f32; C]) -> [f32; C] {
        match self.kind {
            LinearKind::Logistic if C > 2 => {
                let p = decisions.map(|d| 1.0 / (1.0 + (-d).exp()));
                let total: f32 = p.iter().sum();
                p.map(|v| v / total)
            }
            _ => {
                let top = decisions.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let e = decisions.map(|d| (d - top).exp());
                let total: f32 = e.iter().sum();
                e.map(|v| v / total)
            }
        }
    }

    /// The gradient of class `class`'s decision value (constant).
    fn gradient<const D: usize, const C: usize>(fitted: &OneVsRest<D>, class: usize) -> SVector<f32, D> {
        match (fitted.models.as_slice(), C) {
            ([model], 2) if class == 0 => -model.weights,
            ([model], 2) => model.weights,
            (models, _) => models.get(class).map_or_else(SVector::zeros, |m| m.weights),
        }
    }
}

impl<const D: usize, const C: usize> Learner<D, C> for Linear {
    type Fitted = OneVsRest<D>;

    /// The cost that cross-validates best on the seed set.
    fn for_run(&self, pool: &Pool<D, C>, seed_set: &[u32], run: usize) -> Result<Self> {
        let labels: Vec<u8> = seed_set.iter().map(|&i| pool.pool_labels[i as usize]).collect();
        if labels.len() < 2 * COST_FOLDS {
            // Too few to cross-validate: the default cost.
            return Ok(*self);
        }
        let folds = stratified_folds(&labels, COST_FOLDS, Stream::ActiveCostFolds(run).seed(0))?;
        let mut best = (f32::NEG_INFINITY, COSTS[0]);
        for cost in COSTS {
            let model = Self { cost, ..*self };
            let (mut predicted, mut truth) = (Vec::new(), Vec::new());
            for fold in 0..COST_FOLDS {
                let in_fold = |k: &usize| folds[*k] == fold;
                let kept: Vec<u32> = (0..seed_set.len()).filter(|k| !in_fold(k)).map(|k| seed_set[k]).collect();
                let held: Vec<u32> = (0..seed_set.len()).filter(in_fold).map(|k| seed_set[k]).collect();
                let fitted = model.fit_rows(&pool.pool, &pool.pool_labels, &kept, C)?;
                for i in held {
                    predicted.push(Learner::<D, C>::predict(&model, &fitted, &pool.pool[i as usize]) as u8);
                    truth.push(pool.pool_labels[i as usize]);
                }
            }
            let score = macro_f1::<C>(&predicted, &truth);
            if score > best.0 {
                best = (score, cost);
            }
        }
        Ok(Self { cost: best.1, ..*self })
    }

    fn fit(&self, pool: &Pool<D, C>, labelled: &[u32], _: usize, _: usize) -> Result<OneVsRest<D>> {
        self.fit_rows(&pool.pool, &pool.pool_labels, labelled, C)
    }

    fn probabilities(&self, fitted: &OneVsRest<D>, x: &SVector<f32, D>) -> [f32; C] {
        self.probabilities_of(Self::decisions::<D, C>(fitted, x))
    }

    fn explain(
        &self,
        fitted: &OneVsRest<D>,
        x: &SVector<f32, D>,
        class: usize,
        rng: &mut rand_xoshiro::Xoshiro256PlusPlus,
    ) -> Result<SVector<f32, D>> {
        let gradient = Self::gradient::<D, C>(fitted, class);
        match self.explainer {
            Method::Saliency => Ok(gradient.abs()),
            Method::InputXGradient => Ok(gradient.component_mul(x)),
            Method::KernelShap => {
                let players: Vec<usize> = (0..D).filter(|&j| x[j] != 0.0).collect();
                let bias = Self::decisions::<D, C>(fitted, &SVector::zeros());
                // Each player's share of each class's decision.
                let shares: Vec<[f32; C]> = players
                    .iter()
                    .map(|&j| {
                        let mut unit = SVector::<f32, D>::zeros();
                        unit[j] = x[j];
                        let with = Self::decisions::<D, C>(fitted, &unit);
                        core::array::from_fn(|c| with[c] - bias[c])
                    })
                    .collect();
                let value = |kept: &[bool]| {
                    let mut decisions = bias;
                    for (share, _) in shares.iter().zip(kept).filter(|(_, k)| **k) {
                        for (d, s) in decisions.iter_mut().zip(share) {
                            *d += s;
                        }
                    }
                    f64::from(self.probabilities_of(decisions).get(class).copied().unwrap_or(0.0))
                };
                let phi = shapley_values(players.len(), self.samples, &value, rng);
                let mut out = SVector::<f32, D>::zeros();
                for (&j, &v) in players.iter().zip(&phi) {
                    out[j] = v as f32;
                }
                Ok(out)
            }
            other => Err(Error::Settings(format!(
                "--explainer {} does not apply to a linear model ({}, {} or {})",
                other.name(),
                Method::KernelShap.name(),
                Method::Saliency.name(),
                Method::InputXGradient.name()
            ))),
        }
    }
}
