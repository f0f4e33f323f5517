//! Adam (Kingma & Ba 2015), the optimiser of every neural model in xil.
//!
//! [`Adam`] holds the settings; [`AdamState`] the bias-correction powers of a
//! run; models keep their first and second moments in buffers of their own
//! shape and hand them to [`AdamStep::update`] one flat parameter slice at a
//! time. That keeps the optimiser independent of any model layout and free of
//! heap allocations.

use crate::error::Error;

/// Adam's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adam {
    /// Step size (CALIMOCHO: 0.01; decoy Fashion-MNIST: 0.001).
    pub learning_rate: f32,
    /// Decay of the first moment.
    pub beta1: f32,
    /// Decay of the second moment.
    pub beta2: f32,
    /// Added to the root of the second moment.
    pub epsilon: f32,
}

impl Default for Adam {
    /// Learning rate 0.01, betas 0.9 and 0.999, epsilon 1e-7.
    fn default() -> Self {
        Self { learning_rate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }
    }
}

impl Adam {
    /// These settings with another learning rate.
    pub fn learning_rate(self, learning_rate: f32) -> Self {
        Self { learning_rate, ..self }
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a learning rate or epsilon that is not
    /// finite and positive, or a beta outside `[0, 1)`.
    pub fn check(&self) -> Result<(), Error> {
        let positive = |v: f32| v.is_finite() && v > 0.0;
        if !positive(self.learning_rate) {
            return Err(Error::InvalidParameter { name: "learning_rate" });
        }
        if !((0.0..1.0).contains(&self.beta1) && (0.0..1.0).contains(&self.beta2)) {
            return Err(Error::InvalidParameter { name: "beta" });
        }
        if !positive(self.epsilon) {
            return Err(Error::InvalidParameter { name: "epsilon" });
        }
        Ok(())
    }
}

/// The powers `beta1^t`, `beta2^t` of a run after `t` steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamState {
    beta1_power: f32,
    beta2_power: f32,
}

impl Default for AdamState {
    /// A run before its first step.
    fn default() -> Self {
        Self { beta1_power: 1.0, beta2_power: 1.0 }
    }
}

impl AdamState {
    /// Starts step `t + 1`: the returned [`AdamStep`] updates every parameter
    /// slice of the model once.
    pub fn begin_step(&mut self, adam: Adam) -> AdamStep {
        self.beta1_power *= adam.beta1;
        self.beta2_power *= adam.beta2;
        AdamStep { adam, correction1: 1.0 - self.beta1_power, correction2: 1.0 - self.beta2_power }
    }
}

/// One Adam step, with its bias corrections fixed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamStep {
    adam: Adam,
    correction1: f32,
    correction2: f32,
}

impl AdamStep {
    /// Updates parameters `theta` from their gradient `g` (plus `decay *
    /// theta`, the gradient of an L2 penalty `decay / 2 |theta|^2`) and their
    /// moments `m`, `v`; the four slices run in lockstep (the shortest bounds
    /// the update).
    pub fn update(&self, theta: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], decay: f32) {
        let Adam { learning_rate, beta1, beta2, epsilon } = self.adam;
        for ((theta, &g), (m, v)) in theta.iter_mut().zip(g).zip(m.iter_mut().zip(v.iter_mut())) {
            let g = g + decay * *theta;
            *m = beta1 * *m + (1.0 - beta1) * g;
            *v = beta2 * *v + (1.0 - beta2) * g * g;
            *theta -= learning_rate * (*m / self.correction1) / (libm::sqrtf(*v / self.correction2) + epsilon);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_step_moves_every_parameter_by_the_learning_rate() {
        // After one step m/(1-b1) = g and v/(1-b2) = g^2: the step is lr * sign(g).
        let adam = Adam::default().learning_rate(0.1);
        let mut state = AdamState::default();
        let (mut theta, mut m, mut v) = ([1.0f32, -2.0, 0.5], [0.0; 3], [0.0; 3]);
        state.begin_step(adam).update(&mut theta, &[3.0, -0.01, 0.0], &mut m, &mut v, 0.0);
        assert!(
            approx::abs_diff_eq!(theta[0], 0.9, epsilon = 1e-5)
                && approx::abs_diff_eq!(theta[1], -1.9, epsilon = 1e-4)
                && theta[2] == 0.5,
            "{theta:?}"
        );
    }

    #[test]
    fn adam_minimises_a_quadratic() {
        let adam = Adam::default().learning_rate(0.05);
        let mut state = AdamState::default();
        let (mut theta, mut m, mut v) = ([4.0f32, -3.0], [0.0; 2], [0.0; 2]);
        for _ in 0..2000 {
            // f = (theta0 - 1)^2 + 0.1 |theta|^2 / 2 * 2: minimum at theta0 = 1/1.1, theta1 = 0.
            let g = [2.0 * (theta[0] - 1.0), 0.0];
            state.begin_step(adam).update(&mut theta, &g, &mut m, &mut v, 0.2);
        }
        assert!(
            approx::abs_diff_eq!(theta[0], 1.0 / 1.1, epsilon = 1e-2)
                && approx::abs_diff_eq!(theta[1], 0.0, epsilon = 1e-2),
            "{theta:?}"
        );
    }

    #[test]
    fn invalid_settings_are_named() {
        assert_eq!(Adam::default().learning_rate(-1.0).check(), Err(Error::InvalidParameter { name: "learning_rate" }));
        assert_eq!(Adam { beta1: 1.0, ..Adam::default() }.check(), Err(Error::InvalidParameter { name: "beta" }));
        assert_eq!(Adam { epsilon: 0.0, ..Adam::default() }.check(), Err(Error::InvalidParameter { name: "epsilon" }));
        assert_eq!(Adam::default().check(), Ok(()));
    }
}
