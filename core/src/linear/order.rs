//! [`CoordinateOrder`]: the order in which a coordinate-descent sweep visits
//! the coordinates, and which of them are still active.
//!
//! liblinear visits the coordinates of its primal solvers in a fresh random
//! permutation every sweep and sets aside ("shrinks") those that sit at
//! zero well inside their dead zone, swapping them behind the active ones.
//! This keeps that permutation without heap: the `D` feature coordinates in
//! an array and the intercept's coordinate (number `D`, when there is one)
//! in one more slot. The random numbers come from a `SplitMix64` sequence
//! private to one solve and started from a fixed seed, so a fit depends only
//! on its data and settings, as xil-core's functions without a caller's
//! generator must.

/// A permutation of the coordinates `0..len` (`len` is `D` or `D + 1`), the
/// first `active` of them visited in a sweep.
#[derive(Debug, Clone)]
pub(crate) struct CoordinateOrder<const D: usize> {
    features: [u32; D],
    intercept_slot: u32,
    len: usize,
    active: usize,
    state: u64,
}

/// The `SplitMix64` increment (the golden-ratio gamma).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl<const D: usize> CoordinateOrder<D> {
    /// The identity order over `D` coordinates, or `D + 1` with an
    /// intercept, all active.
    pub(crate) fn new(with_intercept: bool) -> Self {
        let mut features = [0u32; D];
        for (j, slot) in features.iter_mut().enumerate() {
            // D is a feature count held in memory; it fits in u32 on every
            // target xil builds for, and saturating keeps this total.
            *slot = u32::try_from(j).unwrap_or(u32::MAX);
        }
        let intercept_slot = u32::try_from(D).unwrap_or(u32::MAX);
        let len = D + usize::from(with_intercept);
        Self { features, intercept_slot, len, active: len, state: 0 }
    }

    /// How many coordinates a sweep visits.
    pub(crate) fn active(&self) -> usize {
        self.active
    }

    /// Whether every coordinate is active.
    pub(crate) fn all_active(&self) -> bool {
        self.active == self.len
    }

    /// Makes every coordinate active again.
    pub(crate) fn activate_all(&mut self) {
        self.active = self.len;
    }

    /// The coordinate at position `s` of the order.
    pub(crate) fn get(&self, s: usize) -> usize {
        let value = if s < D { self.features.get(s).copied() } else { Some(self.intercept_slot) };
        value.map_or(D, |j| j as usize)
    }

    fn set(&mut self, s: usize, j: u32) {
        match self.features.get_mut(s) {
            Some(slot) => *slot = j,
            None => self.intercept_slot = j,
        }
    }

    fn swap(&mut self, a: usize, b: usize) {
        let (ja, jb) = (self.get(a) as u32, self.get(b) as u32);
        self.set(a, jb);
        self.set(b, ja);
    }

    /// Sets aside the coordinate at position `s`: it moves behind the
    /// active ones (and the one that was last active takes its place).
    pub(crate) fn deactivate(&mut self, s: usize) {
        if s < self.active {
            self.active -= 1;
            self.swap(s, self.active);
        }
    }

    /// Shuffles the active coordinates uniformly (Fisher–Yates, as
    /// liblinear: position `s` takes a uniform pick of positions `s..`).
    pub(crate) fn shuffle(&mut self) {
        for s in 0..self.active {
            let pick = s + self.below(self.active - s);
            self.swap(s, pick);
        }
    }

    /// A uniform integer in `0..n` (n > 0) by Lemire's multiply-shift on a
    /// `SplitMix64` output; the bias is below `n / 2^64`.
    fn below(&mut self, n: usize) -> usize {
        self.state = self.state.wrapping_add(GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((u128::from(z) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visited<const D: usize>(order: &CoordinateOrder<D>) -> [usize; 8] {
        let mut seen = [usize::MAX; 8];
        for (s, slot) in seen.iter_mut().enumerate().take(order.active()) {
            *slot = order.get(s);
        }
        seen
    }

    #[test]
    fn a_shuffle_is_a_permutation_and_orders_differ_between_sweeps() {
        let mut order = CoordinateOrder::<4>::new(true);
        let first = {
            order.shuffle();
            visited(&order)
        };
        let mut sorted = first;
        sorted[..5].sort_unstable();
        assert_eq!(&sorted[..5], &[0, 1, 2, 3, 4]);
        let mut changed = false;
        for _ in 0..10 {
            order.shuffle();
            changed |= visited(&order) != first;
        }
        assert!(changed);
    }

    #[test]
    fn every_position_is_equally_likely() {
        // 24,000 shuffles of 4 coordinates: each lands first ~6,000 times
        // (sd 67; a bound of 5 sd fails with probability below 1e-5).
        let mut order = CoordinateOrder::<4>::new(false);
        let mut first = [0u32; 4];
        for _ in 0..24_000 {
            order.shuffle();
            first[order.get(0)] += 1;
        }
        assert!(first.iter().all(|&n| n.abs_diff(6_000) < 335), "{first:?}");
    }

    #[test]
    fn deactivated_coordinates_leave_the_sweep_until_all_are_active_again() {
        let mut order = CoordinateOrder::<3>::new(true);
        let set_aside = order.get(1);
        order.deactivate(1);
        assert_eq!(order.active(), 3);
        assert!(!order.all_active());
        for _ in 0..20 {
            order.shuffle();
            assert!((0..order.active()).all(|s| order.get(s) != set_aside));
        }
        order.activate_all();
        assert!((0..4).any(|s| order.get(s) == set_aside));
    }
}
