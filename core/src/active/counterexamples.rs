//! CAIPI counterexamples: turning "these components do not matter" into
//! training examples.
//!
//! When the user says the model is right for the wrong reasons and marks
//! components as irrelevant, CAIPI (Teso & Kersting 2019) adds copies of the
//! instance in which those components take other values, with the label the
//! user confirmed. A model fit on them can no longer use the marked
//! components to tell the classes apart.
//!
//! Three ways to choose the new values ([`CounterexampleStrategy`]):
//! - [`Randomize`](CounterexampleStrategy::Randomize): a random alternative value;
//! - [`AllAlternatives`](CounterexampleStrategy::AllAlternatives): every alternative value,
//!   one copy each — the choice of the CAIPI colors experiment;
//! - [`SameClass`](CounterexampleStrategy::SameClass): the value the component has in a
//!   random example of the same class.
//!
//! A caller that knows more may reject copies through the `keep` predicate,
//! e.g. a label check that keeps only copies the true concept still labels as
//! the user did. Counterexamples carry a weight, so noisy corrections can count
//! less than labels.

use crate::data::categorical::Categorical;
use crate::data::{Dataset, Example, Origin};
use crate::error::Error;
use crate::random::uniform_index;
use rand_core::Rng;

/// How counterexamples choose the values of irrelevant components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CounterexampleStrategy {
    /// `copies` copies per component, each with a random alternative value.
    Randomize,
    /// One copy per component and alternative value (`levels - 1` per
    /// component); `copies` is not used.
    #[default]
    AllAlternatives,
    /// `copies` copies per component, each with the component's value in a
    /// random labelled example of the same class (copies equal to the
    /// instance are skipped).
    SameClass,
}

/// How to generate counterexamples from a correction.
///
/// # Examples
/// ```
/// use rand_core::SeedableRng;
/// use rand_xoshiro::Xoshiro256PlusPlus;
/// use xil_core::{CounterexampleStrategy, Counterexamples, Dataset, Grid};
///
/// let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
/// let mut out: Dataset<Grid<3, 4>, 16> = Dataset::new();
/// let image = Grid::new([0, 1, 2])?;
/// let generated = Counterexamples::new(CounterexampleStrategy::AllAlternatives, 1, 0.5)
///     .generate(&image, 1, &[2], |_| true, &mut out, &mut rng)?;
/// // Pixel 2 takes each of its three other colours once.
/// assert_eq!(generated.added, 3);
/// assert!(out.as_slice().iter().all(|e| e.label == 1 && e.weight == 0.5));
/// # Ok::<(), xil_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counterexamples {
    strategy: CounterexampleStrategy,
    copies: usize,
    weight: f32,
}

impl Default for Counterexamples {
    fn default() -> Self {
        Self::new(CounterexampleStrategy::AllAlternatives, 1, 1.0)
    }
}

/// What one call of [`Counterexamples::generate`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Generated<X> {
    /// Counterexamples added to the output.
    pub added: usize,
    /// Candidates the `keep` predicate rejected.
    pub filtered: usize,
    /// The first counterexample that did not fit in the full output buffer
    /// (generation stopped there), handed back to the caller.
    pub overflow: Option<Example<X>>,
}

impl Counterexamples {
    /// A generator with the given strategy, copies per component and weight.
    pub const fn new(strategy: CounterexampleStrategy, copies: usize, weight: f32) -> Self {
        Self { strategy, copies, weight }
    }

    /// The strategy.
    pub const fn strategy(&self) -> CounterexampleStrategy {
        self.strategy
    }

    /// The weight given to every counterexample.
    pub const fn weight(&self) -> f32 {
        self.weight
    }

    /// Adds counterexamples of `instance` with `label` for the components in
    /// `irrelevant` to `out`. The donors of [`CounterexampleStrategy::SameClass`] are the
    /// labelled (not generated) examples of the same class already in `out`;
    /// `keep` may reject candidates.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a weight that is not finite and
    /// positive or zero copies (with a strategy that uses them);
    /// [`Error::OutOfRange`] for a component `>= C`. A full `out` is not an
    /// error: see [`Generated::overflow`].
    pub fn generate<X: Categorical<C>, R: Rng + ?Sized, const C: usize, const N: usize>(
        &self,
        instance: &X,
        label: u8,
        irrelevant: &[usize],
        keep: impl Fn(&X) -> bool,
        out: &mut Dataset<X, N>,
        rng: &mut R,
    ) -> Result<Generated<X>, Error> {
        if !(self.weight.is_finite() && self.weight > 0.0) {
            return Err(Error::InvalidParameter { name: "weight" });
        }
        if self.copies == 0 && self.strategy != CounterexampleStrategy::AllAlternatives {
            return Err(Error::InvalidParameter { name: "copies" });
        }
        if let Some(&bad) = irrelevant.iter().find(|&&c| c >= C) {
            return Err(Error::OutOfRange { index: bad, len: C });
        }
        let mut generated = Generated { added: 0, filtered: 0, overflow: None };
        let is_donor = |e: &&Example<X>| e.label == label && e.origin == Origin::Labelled;
        for &component in irrelevant {
            let original = instance.value(component);
            match self.strategy {
                CounterexampleStrategy::Randomize => {
                    for _ in 0..self.copies {
                        let mut candidate = instance.clone();
                        candidate.set_random_alternative(component, rng)?;
                        self.offer(candidate, label, &keep, out, &mut generated);
                    }
                }
                CounterexampleStrategy::AllAlternatives => {
                    for value in (0..instance.levels()).filter(|&v| Some(v) != original) {
                        let mut candidate = instance.clone();
                        candidate.set_value(component, value)?;
                        self.offer(candidate, label, &keep, out, &mut generated);
                    }
                }
                CounterexampleStrategy::SameClass => {
                    for _ in 0..self.copies {
                        let donors = out.as_slice().iter().filter(is_donor).count();
                        let pick = uniform_index(rng, donors);
                        let donor = out.as_slice().iter().filter(is_donor).nth(pick);
                        let value = donor.and_then(|e| e.instance.value(component));
                        if let Some(value) = value.filter(|&v| Some(v) != original) {
                            let mut candidate = instance.clone();
                            candidate.set_value(component, value)?;
                            self.offer(candidate, label, &keep, out, &mut generated);
                        }
                    }
                }
            }
        }
        Ok(generated)
    }

    /// Adds one candidate unless it is filtered or generation already
    /// overflowed.
    fn offer<X, const N: usize>(
        &self,
        candidate: X,
        label: u8,
        keep: &impl Fn(&X) -> bool,
        out: &mut Dataset<X, N>,
        generated: &mut Generated<X>,
    ) {
        if generated.overflow.is_some() {
            return;
        }
        if !keep(&candidate) {
            generated.filtered += 1;
            return;
        }
        match out.push(Example::counterexample(candidate, label, self.weight)) {
            Ok(()) => generated.added += 1,
            Err(rejected) => generated.overflow = Some(rejected),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Grid;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    type Image = Grid<3, 4>;

    #[test]
    fn randomized_copies_change_only_the_marked_component() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut out: Dataset<Image, 8> = Dataset::new();
        let image = Image::new([0, 1, 2]).unwrap();
        let generated = Counterexamples::new(CounterexampleStrategy::Randomize, 4, 1.0)
            .generate(&image, 0, &[1], |_| true, &mut out, &mut rng)
            .unwrap();
        assert_eq!(generated.added, 4);
        for e in out.as_slice() {
            assert_eq!(e.instance.cells()[0], 0);
            assert_eq!(e.instance.cells()[2], 2);
            assert_ne!(e.instance.cells()[1], 1);
            assert_eq!(e.label, 0);
        }
    }

    #[test]
    fn same_class_values_come_from_same_class_donors() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
        let mut out: Dataset<Image, 8> = Dataset::new();
        out.push(Example::labelled(Image::new([3, 3, 3]).unwrap(), 1)).unwrap();
        out.push(Example::labelled(Image::new([2, 2, 2]).unwrap(), 0)).unwrap();
        let image = Image::new([0, 0, 0]).unwrap();
        let generated = Counterexamples::new(CounterexampleStrategy::SameClass, 3, 1.0)
            .generate(&image, 1, &[0], |_| true, &mut out, &mut rng)
            .unwrap();
        assert_eq!(generated.added, 3);
        let copies = out.as_slice().get(2..).unwrap();
        assert!(copies.iter().all(|e| e.instance.cells() == &[3, 0, 0] && e.label == 1));
    }

    #[test]
    fn a_full_buffer_hands_the_first_rejected_counterexample_back() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut out: Dataset<Image, 2> = Dataset::new();
        let image = Image::new([0, 0, 0]).unwrap();
        let generated = Counterexamples::default().generate(&image, 1, &[0], |_| true, &mut out, &mut rng).unwrap();
        assert_eq!(generated.added, 2);
        let rejected = generated.overflow.unwrap();
        assert_eq!(rejected.instance.cells(), &[3, 0, 0]);
    }

    #[test]
    fn bad_requests_are_errors() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        let mut out: Dataset<Image, 2> = Dataset::new();
        let image = Image::zeros();
        let generate =
            |c: Counterexamples, irrelevant: &[usize], out: &mut Dataset<Image, 2>, rng: &mut Xoshiro256PlusPlus| {
                c.generate(&image, 1, irrelevant, |_| true, out, rng)
            };
        assert_eq!(
            generate(Counterexamples::new(CounterexampleStrategy::Randomize, 0, 1.0), &[0], &mut out, &mut rng),
            Err(Error::InvalidParameter { name: "copies" })
        );
        assert_eq!(
            generate(Counterexamples::new(CounterexampleStrategy::Randomize, 1, f32::NAN), &[0], &mut out, &mut rng),
            Err(Error::InvalidParameter { name: "weight" })
        );
        assert_eq!(
            generate(Counterexamples::default(), &[3], &mut out, &mut rng),
            Err(Error::OutOfRange { index: 3, len: 3 })
        );
        assert!(out.is_empty(), "a rejected request adds nothing");
    }
}
