//! Draws from a caller's random number generator, the same on every platform.
//!
//! xil-core never owns a generator: every function that samples takes
//! `rng: &mut R` with `R: rand_core::Rng + ?Sized`. The helpers here turn raw
//! `u32`s into the few distributions the crate needs, with integer arithmetic
//! and f32 only, so a seeded run gives bit-identical numbers on a desktop and
//! on a Cortex-M4F.

use rand_core::Rng;

/// A uniform `f32` in `[0, 1)`, with the 24 bits an `f32` mantissa can hold.
pub fn uniform_f32<R: Rng + ?Sized>(rng: &mut R) -> f32 {
    const SCALE: f32 = 1.0 / (1u32 << 24) as f32;
    (rng.next_u32() >> 8) as f32 * SCALE
}

/// A uniform integer in `0..n` without modulo bias (Lemire's method);
/// `0` when `n == 0`.
pub fn uniform_below<R: Rng + ?Sized>(rng: &mut R, n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    let mut product = u64::from(rng.next_u32()) * u64::from(n);
    // The low half decides whether this draw falls in the biased zone; the
    // (slow) remainder is needed only when the low half is small.
    if (product as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (product as u32) < threshold {
            product = u64::from(rng.next_u32()) * u64::from(n);
        }
    }
    (product >> 32) as u32
}

/// A uniform index in `0..len` (`0` when `len == 0`).
pub fn uniform_index<R: Rng + ?Sized>(rng: &mut R, len: usize) -> usize {
    uniform_below(rng, u32::try_from(len).unwrap_or(u32::MAX)) as usize
}

/// A standard normal `f32` by the Box–Muller transform (one of the pair; two
/// `u32` draws per call).
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f32 {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    let radius = libm::sqrtf(-2.0 * libm::logf(1.0 - uniform_f32(rng)));
    radius * libm::cosf(core::f32::consts::TAU * uniform_f32(rng))
}

/// `true` with probability `p` (clamped to `[0, 1]`).
pub fn bernoulli<R: Rng + ?Sized>(rng: &mut R, p: f32) -> bool {
    Bernoulli::new(p).sample(rng)
}

/// A coin with a fixed probability, drawn by one integer comparison (for
/// loops that flip the same coin many times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bernoulli {
    /// `p * 2^32`: a draw `u < threshold` has probability `p`.
    threshold: u64,
}

impl Bernoulli {
    /// A coin that shows `true` with probability `p` (clamped to `[0, 1]`;
    /// NaN counts as 0).
    pub fn new(p: f32) -> Self {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        Self { threshold: (p * 4_294_967_296.0) as u64 }
    }

    /// One flip.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> bool {
        u64::from(rng.next_u32()) < self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn uniform_f32_stays_in_the_unit_interval() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..10_000 {
            let u = uniform_f32(&mut rng);
            assert!((0.0..1.0).contains(&u), "{u} outside [0, 1)");
        }
    }

    #[test]
    fn uniform_below_is_unbiased_on_a_small_range() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            let i = uniform_below(&mut rng, 3) as usize;
            counts[i] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "counts {counts:?} far from uniform");
        }
        assert_eq!(uniform_below(&mut rng, 0), 0, "an empty range yields 0");
    }

    #[test]
    fn certain_and_impossible_coins_never_err() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        assert!((0..1000).all(|_| bernoulli(&mut rng, 1.0)));
        assert!((0..1000).all(|_| !bernoulli(&mut rng, 0.0)));
        assert!((0..1000).all(|_| !bernoulli(&mut rng, f32::NAN)));
        let heads = (0..10_000).filter(|_| bernoulli(&mut rng, 0.3)).count();
        assert!((2_850..3_150).contains(&heads), "{heads} heads of 10,000 at p = 0.3");
    }

    #[test]
    fn standard_normal_draws_have_zero_mean_and_unit_variance() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 100_000;
        let (mut sum, mut squares, mut beyond_two) = (0.0f64, 0.0f64, 0);
        for _ in 0..n {
            let z = standard_normal(&mut rng);
            assert!(z.is_finite());
            sum += f64::from(z);
            squares += f64::from(z) * f64::from(z);
            beyond_two += usize::from(z.abs() > 2.0);
        }
        let mean = sum / f64::from(n);
        assert!(approx::abs_diff_eq!(mean, 0.0, epsilon = 0.01), "mean {mean}");
        assert!(
            approx::abs_diff_eq!(squares / f64::from(n), 1.0, epsilon = 0.02),
            "variance {}",
            squares / f64::from(n)
        );
        // P(|Z| > 2) = 0.0455.
        assert!((4_250..4_850).contains(&beyond_two), "{beyond_two} draws beyond 2 sigma");
    }

    #[test]
    fn a_seed_pins_the_sequence() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
        let draws: [u32; 3] = core::array::from_fn(|_| uniform_below(&mut rng, 1000));
        let mut again = Xoshiro256PlusPlus::seed_from_u64(42);
        let repeat: [u32; 3] = core::array::from_fn(|_| uniform_below(&mut again, 1000));
        assert_eq!(draws, repeat, "same seed, same numbers");
    }
}
