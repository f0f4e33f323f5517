//! Training an [`Mlp`]: summed cross-entropy, the "right for the right
//! reasons" input-gradient penalty with its exact gradient, L2 and Adam.
//!
//! Per example with label `y` and a set `A` of inputs the user marked as
//! irrelevant (the decoy patch), the loss is
//!
//! ```text
//! -log p_y(x)  +  lambda * sum_{d in A} (∂s/∂x_d)^2,   s = sum_k log p_k(x)
//! ```
//!
//! (Ross et al. 2017, the baseline of CAIPI's Table 1, `lambda = 1000`). A
//! minibatch sums the example losses; the trainer adds `l2 |theta|^2` through
//! the optimiser.
//!
//! The penalty's gradient is second order: `∂s/∂x = W1^T u1` with
//! `u1 = relu'(a1) ⊙ W2^T (relu'(a2) ⊙ W3^T (1 - O p))`, so the weights enter
//! both directly and through `p`. Differentiating that backward pass once more
//! (`relu` masks are piecewise constant) gives, with `r_x = 2 lambda ∂s/∂x` on
//! `A`:
//!
//! ```text
//! ∂/∂W1[:,d] += r_x[d] u1        r1 = relu'(a1) ⊙ W1 r_x
//! ∂/∂W2      += u2 r1^T          r2 = relu'(a2) ⊙ W2 r1
//! ∂/∂W3      += (1 - O p) r2^T   ∂/∂z += -O p ⊙ (W3 r2 - <p, W3 r2>)
//! ```
//!
//! and the last term joins the cross-entropy's `p - e_y` in one ordinary
//! backward pass. Tests check every gradient against finite differences.

use super::{Mlp, axpy, dot, through_relu};
use crate::error::Error;
use crate::nn::adam::{Adam, AdamState};
use nalgebra::SVector;

/// One training example for an [`Mlp`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MlpExample<'a, const I: usize> {
    /// The input.
    pub x: &'a SVector<f32, I>,
    /// The class, `< O`.
    pub label: u8,
    /// Inputs that must not matter (the decoy's pixels): their input
    /// gradients are penalised. Empty for no explanation feedback.
    pub irrelevant: &'a [usize],
}

/// The per-example loss: cross-entropy plus the weighted input-gradient
/// penalty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MlpLoss {
    input_gradient_weight: f32,
}

impl MlpLoss {
    /// Cross-entropy alone (explanation feedback, if any, is ignored).
    pub fn cross_entropy() -> Self {
        Self { input_gradient_weight: 0.0 }
    }

    /// Cross-entropy plus `weight` times the squared input gradients on each
    /// example's irrelevant inputs ("right for the right reasons").
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`"input_gradient_weight"`) unless `weight`
    /// is finite and non-negative.
    pub fn right_reasons(weight: f32) -> Result<Self, Error> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Error::InvalidParameter { name: "input_gradient_weight" });
        }
        Ok(Self { input_gradient_weight: weight })
    }

    /// The weight of the input-gradient penalty.
    pub fn input_gradient_weight(&self) -> f32 {
        self.input_gradient_weight
    }

    /// The summed loss of `examples`.
    ///
    /// # Errors
    /// As [`accumulate`](Self::accumulate).
    pub fn evaluate<const I: usize, const H1: usize, const H2: usize, const O: usize>(
        &self,
        model: &Mlp<I, H1, H2, O>,
        examples: &[MlpExample<'_, I>],
    ) -> Result<f32, Error> {
        let mut total = 0.0;
        for (index, example) in examples.iter().enumerate() {
            check(example, index, O)?;
            total += self.example(model, example, None);
        }
        Ok(total)
    }

    /// Adds the gradient of the summed loss of `examples` to `gradient` and
    /// returns that loss. Nothing is added when an example is invalid.
    ///
    /// # Errors
    /// [`Error::InvalidLabel`] for a label `>= O`, [`Error::OutOfRange`] for
    /// an irrelevant input `>= I`, [`Error::NonFinite`] (with the example's
    /// index) for a NaN or infinite input.
    pub fn accumulate<const I: usize, const H1: usize, const H2: usize, const O: usize>(
        &self,
        model: &Mlp<I, H1, H2, O>,
        examples: &[MlpExample<'_, I>],
        gradient: &mut Mlp<I, H1, H2, O>,
    ) -> Result<f32, Error> {
        for (index, example) in examples.iter().enumerate() {
            check(example, index, O)?;
        }
        Ok(examples.iter().map(|example| self.example(model, example, Some(gradient))).sum())
    }

    /// One example's loss, and its gradient added to `gradient` if given.
    fn example<const I: usize, const H1: usize, const H2: usize, const O: usize>(
        &self,
        model: &Mlp<I, H1, H2, O>,
        example: &MlpExample<'_, I>,
        mut gradient: Option<&mut Mlp<I, H1, H2, O>>,
    ) -> f32 {
        let trace = model.trace(example.x);
        let p = trace.probabilities();
        let label = usize::from(example.label);
        let mut loss = -trace.log_probabilities.get(label).copied().unwrap_or(0.0);
        // ∂(-log p_y)/∂z = p - e_y.
        let mut dz = p;
        if let Some(d) = dz.get_mut(label) {
            *d -= 1.0;
        }
        let weight = self.input_gradient_weight;
        if weight > 0.0 && !example.irrelevant.is_empty() {
            // ∂s/∂z for s = sum_k log p_k, pulled back to u1 = ∂s/∂a1, u2 = ∂s/∂a2.
            let to_logits = SVector::<f32, O>::repeat(1.0) - p * O as f32;
            let pulled = model.pull_back(&trace, &to_logits);
            let mut r1 = SVector::<f32, H1>::zeros();
            for &input in example.irrelevant {
                let column = model.hidden1.column(input);
                let slope = dot(column, pulled.pre1.as_slice());
                loss += weight * slope * slope;
                let r = 2.0 * weight * slope;
                if let Some(gradient) = gradient.as_deref_mut() {
                    gradient.hidden1.add_to_column(input, r, &pulled.pre1);
                }
                axpy(r1.as_mut_slice(), r, column);
            }
            if let Some(gradient) = gradient.as_deref_mut() {
                let r1 = through_relu(&trace.pre1, r1);
                gradient.hidden2.add_outer(&pulled.pre2, &r1);
                let r2 = through_relu(&trace.pre2, model.hidden2.product(&r1));
                gradient.output.add_outer(&to_logits, &r2);
                let r_logits = model.output.product(&r2);
                let centred = r_logits.add_scalar(-p.dot(&r_logits));
                dz -= p.component_mul(&centred) * O as f32;
            }
        }
        if let Some(gradient) = gradient {
            let pulled = model.pull_back(&trace, &dz);
            gradient.output.add_outer(&dz, &trace.post2);
            gradient.output.bias += dz;
            gradient.hidden2.add_outer(&pulled.pre2, &trace.post1);
            gradient.hidden2.bias += pulled.pre2;
            gradient.hidden1.add_outer(&pulled.pre1, example.x);
            gradient.hidden1.bias += pulled.pre1;
        }
        loss
    }
}

fn check<const I: usize>(example: &MlpExample<'_, I>, index: usize, classes: usize) -> Result<(), Error> {
    if usize::from(example.label) >= classes {
        return Err(Error::InvalidLabel { label: example.label });
    }
    if let Some(&input) = example.irrelevant.iter().find(|&&input| input >= I) {
        return Err(Error::OutOfRange { index: input, len: I });
    }
    if !example.x.iter().all(|v| v.is_finite()) {
        return Err(Error::NonFinite { example: index });
    }
    Ok(())
}

/// Adam with an L2 penalty `l2 |theta|^2` on every parameter; its moments
/// persist between steps.
///
/// The caller computes a minibatch gradient with [`MlpLoss::accumulate`]
/// (possibly in parts on several threads, then summed) and hands it to
/// [`apply`](Self::apply); [`step`](Self::step) does both on one thread.
#[derive(Debug, Clone)]
pub struct MlpTrainer<const I: usize, const H1: usize, const H2: usize, const O: usize> {
    adam: Adam,
    l2: f32,
    state: AdamState,
    first: Mlp<I, H1, H2, O>,
    second: Mlp<I, H1, H2, O>,
}

impl<const I: usize, const H1: usize, const H2: usize, const O: usize> MlpTrainer<I, H1, H2, O> {
    /// A trainer with Adam's settings and the L2 weight (decoy experiment:
    /// learning rate 1e-3, `l2 = 1e-4`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for invalid Adam settings or an `l2` that
    /// is not finite and non-negative.
    pub fn new(adam: Adam, l2: f32) -> Result<Self, Error> {
        adam.check()?;
        if !(l2.is_finite() && l2 >= 0.0) {
            return Err(Error::InvalidParameter { name: "l2" });
        }
        Ok(Self { adam, l2, state: AdamState::default(), first: Mlp::zeros(), second: Mlp::zeros() })
    }

    /// One Adam step from the gradient of the data loss (the L2 term is
    /// added here).
    pub fn apply(&mut self, model: &mut Mlp<I, H1, H2, O>, gradient: &Mlp<I, H1, H2, O>) {
        let step = self.state.begin_step(self.adam);
        let moments = self.first.parameters_mut().into_iter().zip(self.second.parameters_mut());
        for ((theta, g), (m, v)) in model.parameters_mut().into_iter().zip(gradient.parameters()).zip(moments) {
            step.update(theta, g, m, v, 2.0 * self.l2);
        }
    }

    /// Computes the gradient of `examples` into `gradient` (overwriting it)
    /// and takes one step; returns the summed data loss.
    ///
    /// # Errors
    /// As [`MlpLoss::accumulate`]; the model is unchanged on error.
    pub fn step(
        &mut self,
        model: &mut Mlp<I, H1, H2, O>,
        loss: &MlpLoss,
        examples: &[MlpExample<'_, I>],
        gradient: &mut Mlp<I, H1, H2, O>,
    ) -> Result<f32, Error> {
        gradient.set_zero();
        let value = loss.accumulate(model, examples, gradient)?;
        self.apply(model, gradient);
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    type Small = Mlp<5, 6, 4, 3>;

    fn inputs() -> [SVector<f32, 5>; 3] {
        [
            SVector::from([0.8, 0.0, -1.2, 2.0, 0.5]),
            SVector::from([-0.3, 1.5, 0.4, 0.0, -1.0]),
            SVector::from([1.1, -0.7, 0.9, -0.4, 0.2]),
        ]
    }

    /// Every parameter's analytic gradient against a central difference.
    fn check_gradient(loss: MlpLoss, seed: u64) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let model = Small::new(0.6, &mut rng).unwrap();
        let xs = inputs();
        let decoy = [1usize, 3];
        let examples: [MlpExample<5>; 3] =
            core::array::from_fn(|i| MlpExample { x: &xs[i], label: i as u8, irrelevant: &decoy[..i.min(2)] });
        let mut analytic = Small::zeros();
        loss.accumulate(&model, &examples, &mut analytic).unwrap();
        // Small steps keep clear of ReLU kinks.
        let eps = 1e-3f32;
        for block in 0..6 {
            for index in 0..model.parameters()[block].len() {
                let nudge = |delta: f32| {
                    let mut moved = model.clone();
                    moved.parameters_mut()[block][index] += delta;
                    f64::from(loss.evaluate(&moved, &examples).unwrap())
                };
                let numeric = ((nudge(eps) - nudge(-eps)) / (2.0 * f64::from(eps))) as f32;
                let exact = analytic.parameters()[block][index];
                let error = (numeric - exact).abs() / (1e-2 + exact.abs());
                assert!(
                    error < 0.03,
                    "{loss:?}, block {block}, parameter {index}: analytic {exact}, numeric {numeric}"
                );
            }
        }
    }

    #[test]
    fn cross_entropy_gradients_match_finite_differences() {
        check_gradient(MlpLoss::cross_entropy(), 1);
    }

    #[test]
    fn input_gradient_penalty_gradients_match_finite_differences() {
        check_gradient(MlpLoss::right_reasons(0.5).unwrap(), 2);
        check_gradient(MlpLoss::right_reasons(3.0).unwrap(), 3);
    }

    #[test]
    fn the_penalty_is_the_squared_input_gradient_of_the_summed_log_probabilities() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let model = Small::new(0.6, &mut rng).unwrap();
        let x = inputs()[0];
        let summed = |x: &SVector<f32, 5>| model.log_probabilities(x).sum();
        let slope = |d: usize| {
            let mut e = SVector::<f32, 5>::zeros();
            e[d] = 1e-2;
            (summed(&(x + e)) - summed(&(x - e))) / 2e-2
        };
        let expected = 2.0 * (slope(1).powi(2) + slope(4).powi(2));
        let with = MlpExample { x: &x, label: 2, irrelevant: &[1, 4] };
        let without = MlpExample { irrelevant: &[], ..with };
        let loss = MlpLoss::right_reasons(2.0).unwrap();
        let penalty = loss.evaluate(&model, &[with]).unwrap() - loss.evaluate(&model, &[without]).unwrap();
        assert!(approx::abs_diff_eq!(penalty, expected, epsilon = 1e-3 * (1.0 + expected)), "{penalty} vs {expected}");
    }

    #[test]
    fn adam_fits_a_separable_three_class_problem_and_the_penalty_silences_a_decoy() {
        // Class = argmax of the first three inputs; input 4 copies the class
        // (a decoy) in training only.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut xs = [SVector::<f32, 5>::zeros(); 60];
        let mut labels = [0u8; 60];
        for (i, (x, label)) in xs.iter_mut().zip(labels.iter_mut()).enumerate() {
            let class = i % 3;
            for j in 0..3 {
                x[j] = crate::random::uniform_f32(&mut rng) + if j == class { 1.0 } else { 0.0 };
            }
            x[3] = class as f32;
            x[4] = 1.0;
            *label = class as u8;
        }
        let decoy = [3usize];
        let decoy_weight = |loss: MlpLoss| {
            let examples: [MlpExample<5>; 60] =
                core::array::from_fn(|i| MlpExample { x: &xs[i], label: labels[i], irrelevant: &decoy });
            let mut model = Small::new(0.5, &mut Xoshiro256PlusPlus::seed_from_u64(6)).unwrap();
            let mut trainer = MlpTrainer::new(Adam::default(), 1e-4).unwrap();
            let mut gradient = Small::zeros();
            let before = MlpLoss::cross_entropy().evaluate(&model, &examples).unwrap();
            for _ in 0..400 {
                trainer.step(&mut model, &loss, &examples, &mut gradient).unwrap();
            }
            let after = MlpLoss::cross_entropy().evaluate(&model, &examples).unwrap();
            assert!(after < 0.2 * before, "{loss:?}: loss {before} -> {after}");
            let correct = examples.iter().filter(|e| model.predict(e.x) == usize::from(e.label)).count();
            assert!(correct >= 57, "{loss:?}: {correct}/60 right");
            xs.iter().map(|x| model.input_gradient(x, model.predict(x)).unwrap()[3].abs()).sum::<f32>() / 60.0
        };
        let plain = decoy_weight(MlpLoss::cross_entropy());
        let corrected = decoy_weight(MlpLoss::right_reasons(10.0).unwrap());
        assert!(corrected < 0.1 * plain, "decoy input gradient {plain} -> {corrected}");
    }

    #[test]
    fn invalid_examples_and_settings_are_errors_and_leave_the_model() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut model = Small::new(0.5, &mut rng).unwrap();
        let original = model.clone();
        let x = inputs()[0];
        let mut nan = x;
        nan[2] = f32::NAN;
        let mut trainer = MlpTrainer::new(Adam::default(), 0.0).unwrap();
        let mut gradient = Small::zeros();
        let loss = MlpLoss::right_reasons(1.0).unwrap();
        let good = MlpExample { x: &x, label: 0, irrelevant: &[] };
        let cases = [
            (MlpExample { label: 3, ..good }, Error::InvalidLabel { label: 3 }),
            (MlpExample { irrelevant: &[5], ..good }, Error::OutOfRange { index: 5, len: 5 }),
            (MlpExample { x: &nan, ..good }, Error::NonFinite { example: 1 }),
        ];
        for (bad, error) in cases {
            assert_eq!(trainer.step(&mut model, &loss, &[good, bad], &mut gradient), Err(error));
            assert_eq!(model, original);
        }
        assert_eq!(MlpLoss::right_reasons(-1.0).err(), Some(Error::InvalidParameter { name: "input_gradient_weight" }));
        assert_eq!(Small::zeros().parameters().len(), 6);
        assert!(MlpTrainer::<5, 6, 4, 3>::new(Adam::default(), f32::INFINITY).is_err());
    }
}
