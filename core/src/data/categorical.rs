//! Instances made of categorical components, and the fixed-size grid that
//! implements them.
//!
//! Explanations and corrections in xil speak of *interpretable components*
//! (pixels, words), not of model features. A component holds one of a few
//! values (a pixel's colour, a word present or absent). LIME perturbs an
//! instance by giving some components another value; a correction
//! ("this pixel does not matter") produces counterexamples by the same
//! operation. A component can also be *hidden* (a word removed, a pixel
//! masked): it then equals no value at all. The [`Categorical`] trait is these
//! operations; [`Grid`] is the plain array of `C` components with `L` levels
//! that colors images and black-and-white images are.

use crate::error::Error;
use crate::random::uniform_below;
use rand_core::Rng;

/// An instance with `C` interpretable components, each taking one of
/// [`levels`](Categorical::levels) values `0..levels`.
///
/// # Implementing `Categorical`
/// - `value` returns `None` for a component index `>= C`, never panics.
/// - `set_value` rejects an index `>= C` or a value `>= levels` with
///   [`Error::OutOfRange`] and leaves the instance unchanged.
pub trait Categorical<const C: usize>: Clone {
    /// Number of values a component can take (at least 2).
    fn levels(&self) -> u8;

    /// The value of a component.
    fn value(&self, component: usize) -> Option<u8>;

    /// Gives a component a new value.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when `component >= C` or `value >= levels()`.
    fn set_value(&mut self, component: usize, value: u8) -> Result<(), Error>;

    /// Hides a component: afterwards it equals no value (feature maps treat
    /// it as absent) until [`set_value`](Self::set_value) gives it one.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when `component >= C`.
    fn hide(&mut self, component: usize) -> Result<(), Error>;

    /// Whether a component is hidden (`false` for an index out of range).
    fn is_hidden(&self, component: usize) -> bool;

    /// Gives a component another value than its current one, drawn uniformly
    /// among the `levels() - 1` alternatives.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when `component >= C`.
    fn set_random_alternative<R: Rng + ?Sized>(&mut self, component: usize, rng: &mut R) -> Result<(), Error> {
        let levels = self.levels();
        let current = self.value(component).ok_or(Error::OutOfRange { index: component, len: C })?;
        let shift = 1 + uniform_below(rng, u32::from(levels.saturating_sub(1))) as u8;
        self.set_value(component, ((u16::from(current) + u16::from(shift)) % u16::from(levels.max(1))) as u8)
    }
}

/// `C` components with `L` levels each, stored as one byte per component; a
/// hidden component holds [`Grid::HIDDEN`] (`= L`).
///
/// A colors image is `Grid<25, 4>` (25 bytes); a black-and-white 3x3 image is
/// `Grid<9, 2>`.
///
/// # Examples
/// ```
/// use xil_core::{Categorical, Grid};
///
/// let mut image = Grid::<4, 3>::new([0, 1, 2, 0])?;
/// image.set_value(3, 2)?;
/// assert_eq!(image.value(3), Some(2));
/// assert!(image.set_value(0, 3).is_err()); // only levels 0, 1, 2
/// assert!(Grid::<2, 3>::new([0, 5]).is_err());
/// # Ok::<(), xil_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Grid<const C: usize, const L: u8> {
    cells: [u8; C],
}

impl<const C: usize, const L: u8> Grid<C, L> {
    /// The stored value of a hidden component.
    pub const HIDDEN: u8 = L;

    /// A grid from its cell values.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when a value is `>= L`.
    pub fn new(cells: [u8; C]) -> Result<Self, Error> {
        match cells.iter().find(|&&v| v >= L) {
            Some(&bad) => Err(Error::OutOfRange { index: usize::from(bad), len: usize::from(L) }),
            None => Ok(Self { cells }),
        }
    }

    /// A grid with every cell at level 0.
    pub const fn zeros() -> Self {
        Self { cells: [0; C] }
    }

    /// The cell values.
    pub const fn cells(&self) -> &[u8; C] {
        &self.cells
    }
}

impl<const C: usize, const L: u8> Categorical<C> for Grid<C, L> {
    fn levels(&self) -> u8 {
        L
    }

    fn value(&self, component: usize) -> Option<u8> {
        self.cells.get(component).copied()
    }

    fn set_value(&mut self, component: usize, value: u8) -> Result<(), Error> {
        if value >= L {
            return Err(Error::OutOfRange { index: usize::from(value), len: usize::from(L) });
        }
        let cell = self.cells.get_mut(component).ok_or(Error::OutOfRange { index: component, len: C })?;
        *cell = value;
        Ok(())
    }

    fn hide(&mut self, component: usize) -> Result<(), Error> {
        let cell = self.cells.get_mut(component).ok_or(Error::OutOfRange { index: component, len: C })?;
        *cell = Self::HIDDEN;
        Ok(())
    }

    fn is_hidden(&self, component: usize) -> bool {
        self.cells.get(component) == Some(&Self::HIDDEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn a_random_alternative_always_differs_and_covers_every_other_level() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut seen = [false; 4];
        for _ in 0..200 {
            let mut image = Grid::<1, 4>::new([2]).unwrap();
            image.set_random_alternative(0, &mut rng).unwrap();
            let v = image.value(0).unwrap();
            assert_ne!(v, 2, "an alternative must differ from the current value");
            seen[usize::from(v)] = true;
        }
        assert_eq!(seen, [true, true, false, true]);
    }

    #[test]
    fn out_of_range_components_are_errors_not_panics() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let mut image = Grid::<2, 2>::zeros();
        assert_eq!(image.value(2), None);
        assert_eq!(image.set_value(2, 0), Err(Error::OutOfRange { index: 2, len: 2 }));
        assert!(image.set_random_alternative(9, &mut rng).is_err());
        assert_eq!(image, Grid::zeros(), "a failed update leaves the grid unchanged");
        assert!(image.hide(2).is_err());
        assert!(!image.is_hidden(2));
    }

    #[test]
    fn a_hidden_component_gets_a_value_back_by_set_value() {
        let mut image = Grid::<2, 3>::zeros();
        image.hide(1).unwrap();
        assert!(image.is_hidden(1));
        assert_eq!(image.value(1), Some(Grid::<2, 3>::HIDDEN));
        image.set_value(1, 2).unwrap();
        assert!(!image.is_hidden(1));
    }
}
