//! Training a SENN from labels and corrected explanations: the loss, its
//! exact gradient, and Adam.
//!
//! Per example the loss is
//!
//! ```text
//! lambda * l_Y + (1 - lambda) * l_Z + alpha * Omega
//! ```
//!
//! - `l_Y = log(1 + e^s) - y s`, the log-loss of `sigmoid(s)`, `s = w(x)·x`;
//! - `l_Z`, only for examples with a [`Correction`] of the explanation `ẑ`
//!   shown to the user into `z`: the paper's ranking loss `<w(x), ẑ - z>`
//!   ([`ExplanationLoss::Ranking`]) or the CALIMOCHO authors' squared form
//!   `|t - w(x)|^2` with `t = -sign(ẑ - z)` on the corrected entries and 0
//!   elsewhere ([`ExplanationLoss::Squared`]), or that squared form on the
//!   corrected entries only ([`ExplanationLoss::SquaredCorrected`]). The
//!   ranking loss is linear in `w(x)`: a constant push on the corrected
//!   entries, none on the others. The authors' squared form also pulls every
//!   *uncorrected* entry to 0 on each corrected example, a sparsity prior;
//!   the third form keeps the corrections' pull and drops that prior, so the
//!   three side by side separate what the corrections do from what the prior
//!   does;
//! - `Omega = |∇_x s - w(x)|^2`, SENN's robustness penalty for the identity
//!   concept map (so `∇_x s - w(x) = J_w(x)^T x`), on the logit `s`.
//!
//! Gradients are exact: `l_Y` and `l_Z` by backpropagation; `Omega` by double
//! backpropagation (the vector–Jacobian product `J_w^T x` is itself a
//! backward pass, differentiated once more). Tests compare every gradient with
//! finite differences. Adam (Kingma & Ba) updates the weights from minibatches
//! drawn with replacement by the caller's RNG; keeping the model and trainer
//! between fits is a warm start.

use super::{Senn, activation};
use crate::error::Error;
use crate::maths::softplus;
use crate::names::named;
use crate::nn::adam::{Adam, AdamState};
use crate::random::uniform_index;
use nalgebra::SVector;
use rand_core::Rng;

/// The form of the explanation loss `l_Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "kebab-case"))]
pub enum ExplanationLoss {
    /// `<w(x), ẑ - z>` (the paper's ranking loss).
    #[default]
    Ranking,
    /// `|t - w(x)|^2`, `t = -sign(ẑ - z)` on corrected entries, else 0 (the
    /// authors' code).
    Squared,
    /// `Σ_{j corrected} (t_j - w_j(x))^2`: the squared form without its pull
    /// of the uncorrected entries to 0.
    SquaredCorrected,
}

named!(
    ExplanationLoss,
    "explanation loss",
    [Ranking => "ranking", Squared => "squared", SquaredCorrected => "squared-corrected"]
);

/// The weights of the loss terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SennLoss {
    /// Weight of the label loss; `1 - lambda` weighs the explanation loss.
    pub lambda: f32,
    /// Weight of the robustness penalty.
    pub alpha: f32,
    /// The form of the explanation loss.
    pub explanation: ExplanationLoss,
}

impl Default for SennLoss {
    /// CALIMOCHO's final runs: `lambda = 0.9`, `alpha = 0`, ranking loss.
    fn default() -> Self {
        Self { lambda: 0.9, alpha: 0.0, explanation: ExplanationLoss::Ranking }
    }
}

/// A user's correction of the explanation shown for an example.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correction<const D: usize> {
    /// The explanation `ẑ` the model showed.
    pub shown: SVector<f32, D>,
    /// The corrected explanation `z` (equal to `shown` where not corrected).
    pub corrected: SVector<f32, D>,
}

/// A training example: input, label (0 or 1), optional correction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SennExample<const D: usize> {
    /// The input (for colors: one-hot pixels and a constant).
    pub x: SVector<f32, D>,
    /// The class, 0 or 1.
    pub label: u8,
    /// The corrected explanation, if the user gave one.
    pub correction: Option<Correction<D>>,
}

impl SennLoss {
    fn check(&self) -> Result<(), Error> {
        if !(self.lambda.is_finite() && (0.0..=1.0).contains(&self.lambda)) {
            return Err(Error::InvalidParameter { name: "lambda" });
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::InvalidParameter { name: "alpha" });
        }
        Ok(())
    }

    /// The explanation loss of relevance `w` under a correction, and its
    /// gradient with respect to `w`.
    fn explanation_term<const D: usize>(
        &self,
        w: &SVector<f32, D>,
        correction: &Correction<D>,
    ) -> (f32, SVector<f32, D>) {
        let difference = correction.shown - correction.corrected;
        match self.explanation {
            ExplanationLoss::Ranking => (w.dot(&difference), difference),
            ExplanationLoss::Squared | ExplanationLoss::SquaredCorrected => {
                let target = difference.map(|d| {
                    if d > 0.0 {
                        -1.0
                    } else if d < 0.0 {
                        1.0
                    } else {
                        0.0
                    }
                });
                let mut residual = w - target;
                if self.explanation == ExplanationLoss::SquaredCorrected {
                    residual.zip_apply(&difference, |r, d| {
                        if d == 0.0 {
                            *r = 0.0;
                        }
                    });
                }
                (residual.norm_squared(), 2.0 * residual)
            }
        }
    }

    /// The loss of one example; with `gradient`, also adds `scale` times its
    /// gradient to it.
    pub(crate) fn evaluate<const D: usize, const L: usize>(
        &self,
        model: &Senn<D, L>,
        example: &SennExample<D>,
        gradient: Option<(&mut Senn<D, L>, f32)>,
    ) -> f32 {
        let x = &example.x;
        let trace = model.trace(x);
        let w = trace.post.last().copied().unwrap_or_else(SVector::zeros);
        let s = w.dot(x);
        let y = if example.label == 1 { 1.0 } else { 0.0 };
        let label_loss = softplus(s) - y * s;
        // d/dw of the label and explanation terms.
        let mut top = *x * (self.lambda * (crate::maths::sigmoid(s) - y));
        let mut total = self.lambda * label_loss;
        if let Some(correction) = &example.correction {
            let (value, grad) = self.explanation_term(&w, correction);
            total += (1.0 - self.lambda) * value;
            top += grad * (1.0 - self.lambda);
        }
        // Omega: r = J_w^T x by a backward pass with v_L = x.
        let mut after = [SVector::<f32, D>::zeros(); L]; // u_l = g'(a_l) ⊙ v_l
        let mut before = [SVector::<f32, D>::zeros(); L]; // v_l, the input of step l
        let mut v = *x;
        for l in (0..L).rev() {
            let (Some(pre), Some(layer)) = (trace.pre.get(l), model.layers.get(l)) else { continue };
            let u = pre.map(|a| activation(a).1).component_mul(&v);
            if let (Some(slot_u), Some(slot_v)) = (after.get_mut(l), before.get_mut(l)) {
                *slot_u = u;
                *slot_v = v;
            }
            v = layer.weights.tr_mul(&u);
        }
        let robustness = v.norm_squared();
        total += self.alpha * robustness;

        let Some((gradient, scale)) = gradient else { return total };
        // Adjoints of the pre-activations from the Omega graph.
        let mut direct = [SVector::<f32, D>::zeros(); L];
        if self.alpha > 0.0 {
            let mut v_bar = v * (2.0 * self.alpha * scale);
            for l in 0..L {
                let (Some(pre), Some(layer), Some(u), Some(v_l)) =
                    (trace.pre.get(l), model.layers.get(l), after.get(l), before.get(l))
                else {
                    continue;
                };
                let u_bar = layer.weights * v_bar;
                if let Some(g) = gradient.layers.get_mut(l) {
                    g.weights.ger(1.0, u, &v_bar, 1.0);
                }
                if let Some(d) = direct.get_mut(l) {
                    *d = pre.map(|a| activation(a).2).component_mul(v_l).component_mul(&u_bar);
                }
                v_bar = pre.map(|a| activation(a).1).component_mul(&u_bar);
            }
        }
        // Ordinary backpropagation through the forward pass.
        let mut h_bar = top * scale;
        for l in (0..L).rev() {
            let (Some(pre), Some(layer), Some(d)) = (trace.pre.get(l), model.layers.get(l), direct.get(l)) else {
                continue;
            };
            let a_bar = pre.map(|a| activation(a).1).component_mul(&h_bar) + d;
            let input = if l == 0 { *x } else { trace.post.get(l - 1).copied().unwrap_or_else(SVector::zeros) };
            if let Some(g) = gradient.layers.get_mut(l) {
                g.weights.ger(1.0, &a_bar, &input, 1.0);
                g.bias += a_bar;
            }
            h_bar = layer.weights.tr_mul(&a_bar);
        }
        total
    }

    /// The mean loss over `examples` (0 for none).
    pub fn mean<const D: usize, const L: usize>(&self, model: &Senn<D, L>, examples: &[SennExample<D>]) -> f32 {
        let total: f32 = examples.iter().map(|e| self.evaluate(model, e, None)).sum();
        total / examples.len().max(1) as f32
    }
}

/// Trains a SENN by minibatch Adam; its moments persist between calls (a warm
/// start when the same trainer keeps training the same model).
#[derive(Debug, Clone)]
pub struct SennTrainer<const D: usize, const L: usize> {
    loss: SennLoss,
    adam: Adam,
    gradient: Senn<D, L>,
    first: Senn<D, L>,
    second: Senn<D, L>,
    state: AdamState,
}

impl<const D: usize, const L: usize> SennTrainer<D, L> {
    /// A trainer for a loss with Adam's settings.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `lambda` outside `[0, 1]`, a negative
    /// `alpha`, or invalid Adam settings.
    pub fn new(loss: SennLoss, adam: Adam) -> Result<Self, Error> {
        loss.check()?;
        adam.check()?;
        Ok(Self {
            loss,
            adam,
            gradient: Senn::zeros(),
            first: Senn::zeros(),
            second: Senn::zeros(),
            state: AdamState::default(),
        })
    }

    /// The loss being minimised.
    pub fn loss(&self) -> &SennLoss {
        &self.loss
    }

    /// The gradient of the mean loss over `examples` (for checks and
    /// diagnostics; [`step`](Self::step) uses minibatches).
    pub fn gradient(&mut self, model: &Senn<D, L>, examples: &[SennExample<D>]) -> &Senn<D, L> {
        self.gradient = Senn::zeros();
        let scale = 1.0 / examples.len().max(1) as f32;
        for example in examples {
            self.loss.evaluate(model, example, Some((&mut self.gradient, scale)));
        }
        &self.gradient
    }

    /// One Adam step on a minibatch of `batch` examples drawn with
    /// replacement; returns the minibatch's mean loss.
    ///
    /// # Errors
    /// [`Error::EmptyData`] without examples, [`Error::InvalidParameter`]
    /// (`"batch"`) for a zero batch, [`Error::InvalidLabel`] or
    /// [`Error::NonFinite`] for a bad example (checked in the minibatch).
    pub fn step<R: Rng + ?Sized>(
        &mut self,
        model: &mut Senn<D, L>,
        examples: &[SennExample<D>],
        batch: usize,
        rng: &mut R,
    ) -> Result<f32, Error> {
        if examples.is_empty() {
            return Err(Error::EmptyData);
        }
        if batch == 0 {
            return Err(Error::InvalidParameter { name: "batch" });
        }
        self.gradient = Senn::zeros();
        let scale = 1.0 / batch as f32;
        let mut total = 0.0;
        for _ in 0..batch {
            let index = uniform_index(rng, examples.len());
            let example = examples.get(index).ok_or(Error::EmptyData)?;
            if example.label > 1 {
                return Err(Error::InvalidLabel { label: example.label });
            }
            let finite = example.x.iter().all(|v| v.is_finite())
                && example.correction.is_none_or(|c| c.shown.iter().chain(c.corrected.iter()).all(|v| v.is_finite()));
            if !finite {
                return Err(Error::NonFinite { example: index });
            }
            total += self.loss.evaluate(model, example, Some((&mut self.gradient, scale)));
        }
        self.apply(model);
        Ok(total * scale)
    }

    /// `steps` Adam steps (CALIMOCHO: 100 per fit, batch `floor(sqrt(n))`);
    /// returns the last minibatch loss.
    ///
    /// # Errors
    /// As [`step`](Self::step).
    pub fn fit<R: Rng + ?Sized>(
        &mut self,
        model: &mut Senn<D, L>,
        examples: &[SennExample<D>],
        steps: usize,
        batch: usize,
        rng: &mut R,
    ) -> Result<f32, Error> {
        let mut last = 0.0;
        for _ in 0..steps {
            last = self.step(model, examples, batch, rng)?;
        }
        Ok(last)
    }

    fn apply(&mut self, model: &mut Senn<D, L>) {
        let step = self.state.begin_step(self.adam);
        let layers = model
            .layers_mut()
            .iter_mut()
            .zip(self.gradient.layers.iter())
            .zip(self.first.layers_mut().iter_mut().zip(self.second.layers_mut().iter_mut()));
        for ((layer, g), (m, v)) in layers {
            step.update(
                layer.weights.as_mut_slice(),
                g.weights.as_slice(),
                m.weights.as_mut_slice(),
                v.weights.as_mut_slice(),
                0.0,
            );
            step.update(
                layer.bias.as_mut_slice(),
                g.bias.as_slice(),
                m.bias.as_mut_slice(),
                v.bias.as_mut_slice(),
                0.0,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    const D: usize = 4;
    const L: usize = 2;

    fn example(correction: bool) -> SennExample<D> {
        let x = SVector::from([1.0, 0.5, -1.0, 1.0]);
        let shown = SVector::from([0.3, -0.2, 0.1, 0.4]);
        let corrected = SVector::from([0.3, 0.5, -0.6, 0.4]);
        SennExample { x, label: 1, correction: correction.then_some(Correction { shown, corrected }) }
    }

    /// Every weight's analytic gradient against a central difference.
    fn check_gradient(loss: SennLoss, seed: u64) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let model: Senn<D, L> = Senn::new(&mut rng);
        let examples = [example(true), SennExample { label: 0, ..example(false) }];
        let mut trainer = SennTrainer::new(loss, Adam::default()).unwrap();
        let analytic = trainer.gradient(&model, &examples).clone();
        let eps = 1e-2f32;
        for l in 0..L {
            for index in 0..(D * D + D) {
                let nudge = |delta: f32| {
                    let mut moved = model.clone();
                    let layer = &mut moved.layers_mut()[l];
                    if index < D * D {
                        layer.weights[index] += delta
                    } else {
                        layer.bias[index - D * D] += delta
                    }
                    loss.mean(&moved, &examples)
                };
                let numeric = (nudge(eps) - nudge(-eps)) / (2.0 * eps);
                let layer = &analytic.layers()[l];
                let exact = if index < D * D { layer.weights[index] } else { layer.bias[index - D * D] };
                assert!(
                    approx::abs_diff_eq!(numeric, exact, epsilon = 2e-3 + 0.02 * exact.abs()),
                    "{loss:?}, layer {l}, parameter {index}: analytic {exact}, numeric {numeric}"
                );
            }
        }
    }

    #[test]
    fn label_loss_gradients_match_finite_differences() {
        check_gradient(SennLoss { lambda: 1.0, alpha: 0.0, explanation: ExplanationLoss::Ranking }, 1);
    }

    #[test]
    fn ranking_explanation_loss_gradients_match_finite_differences() {
        check_gradient(SennLoss { lambda: 0.3, alpha: 0.0, explanation: ExplanationLoss::Ranking }, 2);
    }

    #[test]
    fn squared_explanation_loss_gradients_match_finite_differences() {
        check_gradient(SennLoss { lambda: 0.3, alpha: 0.0, explanation: ExplanationLoss::Squared }, 3);
    }

    #[test]
    fn squared_loss_on_corrected_entries_gradients_match_finite_differences() {
        check_gradient(SennLoss { lambda: 0.3, alpha: 0.0, explanation: ExplanationLoss::SquaredCorrected }, 6);
    }

    #[test]
    fn the_squared_forms_differ_by_the_pull_of_the_uncorrected_entries_to_zero() {
        // Entries 0 and 3 are not corrected: the authors' form adds w_0² + w_3².
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let model: Senn<D, L> = Senn::new(&mut rng);
        let e = example(true);
        let w = model.relevance(&e.x);
        let explanation_only = |explanation| SennLoss { lambda: 0.0, alpha: 0.0, explanation }.mean(&model, &[e]);
        let (all, corrected) =
            (explanation_only(ExplanationLoss::Squared), explanation_only(ExplanationLoss::SquaredCorrected));
        approx::assert_relative_eq!(all - corrected, w[0] * w[0] + w[3] * w[3], max_relative = 1e-4);
        // Corrected entry 1 went up (target +1), entry 2 down (target -1).
        approx::assert_relative_eq!(corrected, (1.0 - w[1]).powi(2) + (-1.0 - w[2]).powi(2), max_relative = 1e-4);
    }

    #[test]
    fn robustness_penalty_gradients_match_finite_differences() {
        check_gradient(SennLoss { lambda: 0.5, alpha: 0.7, explanation: ExplanationLoss::Squared }, 4);
        check_gradient(SennLoss { lambda: 0.0, alpha: 1.0, explanation: ExplanationLoss::Ranking }, 5);
    }

    #[test]
    fn the_robustness_penalty_is_the_squared_jacobian_vector_product() {
        // Omega = |∇_x s - w(x)|^2, with ∇_x s by central differences.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
        let model: Senn<D, L> = Senn::new(&mut rng);
        let x = example(false).x;
        let logit = |x: &SVector<f32, D>| model.relevance(x).dot(x);
        let gradient = SVector::<f32, D>::from_fn(|i, _| {
            let mut e = SVector::<f32, D>::zeros();
            e[i] = 1e-2;
            (logit(&(x + e)) - logit(&(x - e))) / 2e-2
        });
        let expected = (gradient - model.relevance(&x)).norm_squared();
        let loss = SennLoss { lambda: 0.0, alpha: 1.0, explanation: ExplanationLoss::Ranking };
        let omega = loss.mean(&model, &[SennExample { x, label: 0, correction: None }]);
        assert!(approx::abs_diff_eq!(omega, expected, epsilon = 1e-3 * (1.0 + expected)), "{omega} vs {expected}");
    }

    #[test]
    fn adam_lowers_the_loss_of_a_separable_problem() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut model: Senn<D, L> = Senn::new(&mut rng);
        let examples: [SennExample<D>; 4] = core::array::from_fn(|i| {
            let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
            SennExample {
                x: SVector::from([sign, 0.3 * i as f32, 1.0, -sign]),
                label: u8::from(sign > 0.0),
                correction: None,
            }
        });
        let loss = SennLoss { lambda: 1.0, ..SennLoss::default() };
        let mut trainer = SennTrainer::new(loss, Adam::default()).unwrap();
        let before = loss.mean(&model, &examples);
        trainer.fit(&mut model, &examples, 200, 2, &mut rng).unwrap();
        let after = loss.mean(&model, &examples);
        assert!(after < 0.5 * before, "loss {before} -> {after}");
    }

    #[test]
    fn bad_settings_and_examples_are_errors() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        let mut model: Senn<D, L> = Senn::new(&mut rng);
        let bad_lambda = SennLoss { lambda: 1.5, ..SennLoss::default() };
        assert_eq!(
            SennTrainer::<D, L>::new(bad_lambda, Adam::default()).err(),
            Some(Error::InvalidParameter { name: "lambda" })
        );
        let bad_rate = Adam { learning_rate: 0.0, ..Adam::default() };
        assert!(SennTrainer::<D, L>::new(SennLoss::default(), bad_rate).is_err());
        let mut trainer = SennTrainer::new(SennLoss::default(), Adam::default()).unwrap();
        assert_eq!(trainer.step(&mut model, &[], 2, &mut rng), Err(Error::EmptyData));
        assert_eq!(
            trainer.step(&mut model, &[example(false)], 0, &mut rng),
            Err(Error::InvalidParameter { name: "batch" })
        );
        let mut nan = example(false);
        nan.x[0] = f32::NAN;
        assert_eq!(trainer.step(&mut model, &[nan], 1, &mut rng), Err(Error::NonFinite { example: 0 }));
    }
}
