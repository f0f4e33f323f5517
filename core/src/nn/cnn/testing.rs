//! Finite-difference checks shared by the layer tests.

use super::layer::{Layer, Values};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// A smooth, sign-changing input without ties.
pub(crate) fn input<T: Values>() -> T {
    let mut x = T::zeros();
    for (i, value) in x.as_mut_slice().iter_mut().enumerate() {
        *value = libm::sinf(i as f32 * 0.7 + 0.3) + 0.05 * i as f32 / 7.0;
    }
    x
}

/// A fixed upstream gradient `r`; the checked loss is `Σ r ⊙ layer(x)`.
fn upstream<T: Values>() -> T {
    let mut r = T::zeros();
    for (i, value) in r.as_mut_slice().iter_mut().enumerate() {
        *value = libm::cosf(i as f32 * 1.3) + 0.2;
    }
    r
}

fn loss<L: Layer>(layer: &L, x: &L::Input, r: &L::Output) -> f64 {
    let mut y = L::Output::zeros();
    layer.forward(x, &mut y);
    y.as_slice().iter().zip(r.as_slice()).map(|(&y, &r)| f64::from(y) * f64::from(r)).sum()
}

/// Checks a layer's input and parameter gradients against central
/// differences of `Σ r ⊙ layer(x)`.
pub(crate) fn check_layer_gradients<L: Layer>(seed: u64, x: L::Input) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut layer = L::zeros();
    layer.initialize(&mut rng);
    check_gradients_at(&layer, x);
}

/// [`check_layer_gradients`] for a layer as given.
pub(crate) fn check_gradients_at<L: Layer>(layer: &L, x: L::Input) {
    let layer = layer.clone();
    let r = upstream::<L::Output>();
    let mut y = L::Output::zeros();
    layer.forward(&x, &mut y);
    let mut dx = L::Input::zeros();
    let mut gradient = L::zeros();
    layer.backward(&x, &y, &r, &mut dx, Some(&mut gradient));
    let h = 1e-3f32;
    let numeric = |f: &dyn Fn(f32) -> f64| ((f(h) - f(-h)) / (2.0 * f64::from(h))) as f32;
    for (i, &exact) in dx.as_slice().iter().enumerate() {
        let moved = |delta: f32| {
            let mut x = x.clone();
            x.as_mut_slice()[i] += delta;
            loss(&layer, &x, &r)
        };
        let estimate = numeric(&moved);
        assert!(
            (estimate - exact).abs() < 2e-3 * (1.0 + exact.abs()),
            "input {i}: analytic {exact}, numeric {estimate}"
        );
    }
    let blocks: usize = gradient.parameters().count();
    for block in 0..blocks {
        let exact_block: &[f32] = gradient.parameters().nth(block).unwrap();
        for (index, &exact) in exact_block.iter().enumerate() {
            let moved = |delta: f32| {
                let mut moved = layer.clone();
                moved.parameters_mut().nth(block).unwrap()[index] += delta;
                loss(&moved, &x, &r)
            };
            let estimate = numeric(&moved);
            assert!(
                (estimate - exact).abs() < 2e-3 * (1.0 + exact.abs()),
                "block {block}, parameter {index}: analytic {exact}, numeric {estimate}"
            );
        }
    }
}

/// A layer's forward pass into a fresh output.
pub(crate) trait TraceOf: Layer {
    fn trace_of(&self, x: &Self::Input) -> Self::Output {
        let mut y = Self::Output::zeros();
        self.forward(x, &mut y);
        y
    }
}

impl<L: Layer> TraceOf for L {}
