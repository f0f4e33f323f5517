//! The perceptron as the attribution methods see it: its class logits, their
//! input gradients, and `DeepLIFT`'s rescale multipliers (see
//! [`crate::explain::attribution`]).

use super::Mlp;
use crate::error::Error;
use crate::explain::attribution::{Differentiable, Rescaled};
use nalgebra::SVector;

/// Below this pre-activation difference a unit's rescale multiplier is its
/// gradient (`DeepLIFT`'s rule for `Δpre → 0`).
const SMALLEST_DIFFERENCE: f32 = 1e-6;

/// `DeepLIFT`'s rescale multipliers of a ReLU layer: `Δpost / Δpre`, or the
/// gradient where the pre-activation does not move.
fn rescale<const N: usize>(pre: &SVector<f32, N>, reference: &SVector<f32, N>) -> SVector<f32, N> {
    pre.zip_map(reference, |a, b| {
        let change = a - b;
        if change.abs() > SMALLEST_DIFFERENCE {
            (a.max(0.0) - b.max(0.0)) / change
        } else if a > 0.0 {
            1.0
        } else {
            0.0
        }
    })
}

impl<const I: usize, const H1: usize, const H2: usize, const O: usize> Mlp<I, H1, H2, O> {
    /// `e_class`, or an error for a class the network does not have.
    fn unit(class: usize) -> Result<SVector<f32, O>, Error> {
        let mut r = SVector::<f32, O>::zeros();
        *r.get_mut(class).ok_or(Error::OutOfRange { index: class, len: O })? = 1.0;
        Ok(r)
    }
}

impl<const I: usize, const H1: usize, const H2: usize, const O: usize> Differentiable<I> for Mlp<I, H1, H2, O> {
    fn logit(&self, x: &SVector<f32, I>, class: usize) -> Result<f32, Error> {
        self.logits(x).get(class).copied().ok_or(Error::OutOfRange { index: class, len: O })
    }

    fn logit_gradient(&self, x: &SVector<f32, I>, class: usize) -> Result<SVector<f32, I>, Error> {
        let r = Self::unit(class)?;
        let trace = self.trace(x);
        Ok(self.hidden1.transpose_product(&self.pull_back(&trace, &r).pre1))
    }
}

impl<const I: usize, const H1: usize, const H2: usize, const O: usize> Rescaled<I> for Mlp<I, H1, H2, O> {
    fn multipliers(
        &self,
        x: &SVector<f32, I>,
        reference: &SVector<f32, I>,
        class: usize,
    ) -> Result<SVector<f32, I>, Error> {
        let r = Self::unit(class)?;
        let (at, from) = (self.trace(x), self.trace(reference));
        let m2 = rescale(&at.pre2, &from.pre2);
        let m1 = rescale(&at.pre1, &from.pre1);
        let g2 = self.output.transpose_product(&r).component_mul(&m2);
        let g1 = self.hidden2.transpose_product(&g2).component_mul(&m1);
        Ok(self.hidden1.transpose_product(&g1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::attribution::{Attribution, DeepLift, InputTimesGradient, Occlusion, Saliency};
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    type Net = Mlp<9, 7, 5, 3>;

    fn network() -> (Net, SVector<f32, 9>) {
        // Seed 8: at this input 4 of 7 and 4 of 5 hidden units are active,
        // so every class's gradient is far from zero (with seed 11 the second
        // layer was dead and every check below held vacuously).
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        let model = Net::new(0.5, &mut rng).unwrap();
        let x = SVector::from_fn(|i, _| (i as f32 * 0.37).sin() + 0.2);
        (model, x)
    }

    #[test]
    fn logit_gradients_match_finite_differences() {
        let (model, x) = network();
        for class in 0..3 {
            let gradient = model.logit_gradient(&x, class).unwrap();
            assert!(gradient.norm() > 0.2, "class {class}: a dead network checks nothing");
            for i in 0..9 {
                let h = 1e-3;
                let mut up = x;
                up[i] += h;
                let mut down = x;
                down[i] -= h;
                let numeric = (model.logit(&up, class).unwrap() - model.logit(&down, class).unwrap()) / (2.0 * h);
                assert!(approx::abs_diff_eq!(numeric, gradient[i], epsilon = 2e-3), "class {class}, input {i}");
            }
        }
        let saliency = Saliency.attribute(&model, &x, 1).unwrap();
        assert_eq!(saliency, model.logit_gradient(&x, 1).unwrap().abs());
        let input_times = InputTimesGradient.attribute(&model, &x, 1).unwrap();
        assert_eq!(input_times, x.component_mul(&model.logit_gradient(&x, 1).unwrap()));
        assert_eq!(model.logit(&x, 3), Err(Error::OutOfRange { index: 3, len: 3 }));
    }

    #[test]
    fn deeplift_is_complete_and_is_input_times_gradient_when_no_unit_switches() {
        let (model, x) = network();
        let zero = SVector::zeros();
        for class in 0..3 {
            let attribution = DeepLift { reference: zero }.attribute(&model, &x, class).unwrap();
            let change = model.logit(&x, class).unwrap() - model.logit(&zero, class).unwrap();
            approx::assert_abs_diff_eq!(attribution.sum(), change, epsilon = 1e-4);
        }
        // A reference from which no ReLU changes state: the multipliers are
        // the gradient.
        let same = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(a, b)| (*a > 0.0) == (*b > 0.0));
        let near = [1e-2f32, 3e-3, 1e-3, 3e-4]
            .into_iter()
            .map(|step| x.map(|v| v - step))
            .find(|near| {
                let (at, from) = (model.trace(&x), model.trace(near));
                same(at.pre1.as_slice(), from.pre1.as_slice()) && same(at.pre2.as_slice(), from.pre2.as_slice())
            })
            .unwrap();
        let deeplift = DeepLift { reference: near }.attribute(&model, &x, 0).unwrap();
        let gradient = (x - near).component_mul(&model.logit_gradient(&x, 0).unwrap());
        approx::assert_relative_eq!(deeplift, gradient, max_relative = 1e-2, epsilon = 1e-6);
    }

    #[test]
    fn occlusion_of_single_pixels_is_the_logit_drop_and_bad_windows_are_errors() {
        let (model, x) = network();
        let occlusion = Occlusion { width: 3, window: 1, stride: 1, baseline: 0.0 };
        let map = occlusion.attribute(&model, &x, 2).unwrap();
        for i in 0..9 {
            let mut occluded = x;
            occluded[i] = 0.0;
            let drop = model.logit(&x, 2).unwrap() - model.logit(&occluded, 2).unwrap();
            approx::assert_abs_diff_eq!(map[i], drop, epsilon = 1e-6);
        }
        // A 2x2 window with stride 1 covers the centre pixel four times.
        let covering = Occlusion { window: 2, ..occlusion }.attribute(&model, &x, 2).unwrap();
        let mut drops = 0.0;
        for (top, left) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let mut occluded = x;
            for (r, c) in [(top, left), (top, left + 1), (top + 1, left), (top + 1, left + 1)] {
                occluded[r * 3 + c] = 0.0;
            }
            drops += model.logit(&x, 2).unwrap() - model.logit(&occluded, 2).unwrap();
        }
        approx::assert_abs_diff_eq!(covering[4], drops / 4.0, epsilon = 1e-5);
        for bad in [
            Occlusion { width: 4, ..occlusion },
            Occlusion { window: 4, ..occlusion },
            Occlusion { stride: 0, ..occlusion },
        ] {
            assert!(matches!(bad.attribute(&model, &x, 0), Err(Error::InvalidParameter { .. })), "{bad:?}");
        }
    }
}
