//! The colors data set of CAIPI and CALIMOCHO: 5x5 images of 4 colours, two
//! rules that always agree, and the features and true explanations of each.
//!
//! - Rule 0: the four corners (pixels 0, 4, 20, 24) share one colour.
//! - Rule 1: the three top-middle pixels (1, 2, 3) are pairwise different.
//!
//! Every generated image satisfies both rules or neither, so labels alone can
//! never tell the rules apart: only explanations, and corrections of them, can.
//! Pixels are numbered row-major, `p = 5 * row + col`; an image is 25 colour
//! indices ([`Image`], 25 bytes).
//!
//! The generator reproduces the distribution of the reference data set
//! ("Right for the Right Reasons"): a fair coin for the label and uniform
//! colours, then
//! - for a positive image, the bottom-right colour is copied to the other
//!   corners and a random top-middle pixel is redrawn until the three are
//!   pairwise different;
//! - for a negative image, with probability 1/2 the top-right corner is
//!   redrawn until it differs from the bottom-left one, otherwise the top-left
//!   until it differs from the bottom-right; then a random top-middle pixel is
//!   redrawn until two of the three share a colour.
//!
//! Models see the image through a [`FeatureMap`]: [`PairFeatures`] (300
//! binary features `[colour_i == colour_j]` for `i < j`, `i`-major, on which
//! both rules are sparse hyperplanes) or [`OneHot`] (100 one-hot features plus
//! a constant).

use crate::Grid;
use crate::active::user::Oracle;
use crate::data::Example;
use crate::data::features::FeatureMap;
use crate::error::Error;
use crate::names::named;
use crate::random::{bernoulli, uniform_below, uniform_index};
use nalgebra::SVector;
use rand_core::Rng;

/// Number of pixels of a colors image.
pub const PIXELS: usize = 25;
/// Number of colours.
pub const COLOURS: u8 = 4;
/// Number of pixel pairs `i < j`: the dimension of [`PairFeatures`].
pub const PAIRS: usize = PIXELS * (PIXELS - 1) / 2;
/// Dimension of [`OneHot`]: one-hot colours plus a constant.
pub const ONE_HOT: usize = PIXELS * COLOURS as usize + 1;
/// The RGB values of the four colours, as in the reference data set.
pub const PALETTE: [[u8; 3]; 4] = [[255, 0, 0], [0, 255, 0], [0, 128, 255], [128, 0, 255]];

/// A 5x5 image of colour indices `0..4`.
pub type Image = Grid<PIXELS, COLOURS>;

const CORNERS: [usize; 4] = [0, 4, 20, 24];
const TOP_MIDDLE: [usize; 3] = [1, 2, 3];

/// One of the two rules that label colors images, named by its number:
/// it displays, parses and (with the `serde` feature) serializes as `0` or
/// `1`, as the papers and the command line call them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(into = "u8", try_from = "u8"))]
pub enum Rule {
    /// The four corners share one colour.
    Zero,
    /// The three top-middle pixels are pairwise different.
    One,
}

impl Rule {
    /// Whether the rule holds for an image.
    pub fn holds(self, image: &Image) -> bool {
        let c = image.cells();
        match self {
            Rule::Zero => CORNERS.iter().all(|&p| c.get(p) == c.first()),
            Rule::One => {
                let [a, b, d] = TOP_MIDDLE.map(|p| c.get(p));
                a != b && a != d && b != d
            }
        }
    }

    /// The pixels the rule depends on: its true explanation.
    pub const fn pixels(self) -> &'static [usize] {
        match self {
            Rule::Zero => &CORNERS,
            Rule::One => &TOP_MIDDLE,
        }
    }

    /// The rule as a sparse hyperplane over [`PairFeatures`]: `+1` on the 6
    /// pairs of corners for rule 0, `-1` on the 3 top-middle pairs for rule 1,
    /// 0 elsewhere.
    pub fn direction(self) -> SVector<f32, PAIRS> {
        let (pixels, sign) = match self {
            Rule::Zero => (self.pixels(), 1.0),
            Rule::One => (self.pixels(), -1.0),
        };
        SVector::from_fn(|j, _| {
            let (a, b) = pair(j).unwrap_or((0, 0));
            if a != b && pixels.contains(&a) && pixels.contains(&b) { sign } else { 0.0 }
        })
    }

    /// The indices of the pair features the rule's direction is non-zero on.
    pub fn pair_support(self) -> heapless::Vec<usize, 6> {
        let pixels = self.pixels();
        (0..PAIRS).filter(|&j| pair(j).is_some_and(|(a, b)| pixels.contains(&a) && pixels.contains(&b))).collect()
    }
}

impl From<Rule> for u8 {
    fn from(rule: Rule) -> u8 {
        match rule {
            Rule::Zero => 0,
            Rule::One => 1,
        }
    }
}

impl TryFrom<u8> for Rule {
    type Error = Error;

    /// # Errors
    /// [`Error::InvalidParameter`] (`"rule"`) for a number other than 0 or 1.
    fn try_from(number: u8) -> Result<Self, Error> {
        match number {
            0 => Ok(Rule::Zero),
            1 => Ok(Rule::One),
            _ => Err(Error::InvalidParameter { name: "rule" }),
        }
    }
}

named!(Rule, "rule", [Zero => "0", One => "1"]);

impl Oracle<Image> for Rule {
    fn label(&self, x: &Image) -> u8 {
        u8::from(self.holds(x))
    }

    fn relevant(&self) -> &[usize] {
        self.pixels()
    }
}

/// The true explanation of an image over [`OneHot`] features (CALIMOCHO):
/// on the rule's pixels, +1 at the pixel's colour if the rule holds and -1 if
/// not; 0 elsewhere (the constant included).
pub fn one_hot_explanation(rule: Rule, image: &Image) -> SVector<f32, ONE_HOT> {
    let sign = if rule.holds(image) { 1.0 } else { -1.0 };
    let colours = usize::from(COLOURS);
    SVector::from_fn(|j, _| {
        let (pixel, colour) = (j / colours, j % colours);
        let on_rule = j < ONE_HOT - 1 && rule.pixels().contains(&pixel);
        if on_rule && image.cells().get(pixel).is_some_and(|&c| usize::from(c) == colour) { sign } else { 0.0 }
    })
}

/// Draws one image with its label (1 = both rules hold, 0 = neither).
pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Example<Image> {
    let positive = bernoulli(rng, 0.5);
    let mut cells = [0u8; PIXELS];
    for cell in cells.iter_mut() {
        *cell = draw_colour(rng);
    }
    let colour = |cells: &[u8; PIXELS], p: usize| cells.get(p).copied().unwrap_or(0);
    let top_middle_distinct =
        |c: &[u8; PIXELS]| colour(c, 1) != colour(c, 2) && colour(c, 1) != colour(c, 3) && colour(c, 2) != colour(c, 3);
    if positive {
        let corner = colour(&cells, 24);
        for p in CORNERS {
            if let Some(cell) = cells.get_mut(p) {
                *cell = corner;
            }
        }
        while !top_middle_distinct(&cells) {
            redraw(&mut cells, TOP_MIDDLE.get(uniform_index(rng, 3)).copied().unwrap_or(1), rng);
        }
    } else {
        let (moved, fixed) = if bernoulli(rng, 0.5) { (4, 20) } else { (0, 24) };
        while colour(&cells, moved) == colour(&cells, fixed) {
            redraw(&mut cells, moved, rng);
        }
        while top_middle_distinct(&cells) {
            redraw(&mut cells, TOP_MIDDLE.get(uniform_index(rng, 3)).copied().unwrap_or(1), rng);
        }
    }
    Example::labelled(Grid::new(cells).unwrap_or(Grid::zeros()), u8::from(positive))
}

fn draw_colour<R: Rng + ?Sized>(rng: &mut R) -> u8 {
    uniform_below(rng, u32::from(COLOURS)) as u8
}

fn redraw<R: Rng + ?Sized>(cells: &mut [u8; PIXELS], p: usize, rng: &mut R) {
    if let Some(cell) = cells.get_mut(p) {
        *cell = draw_colour(rng);
    }
}

#[expect(clippy::indexing_slicing, reason = "evaluated at compile time: a bad index fails the build")]
const PAIR_TABLE: [(u8, u8); PAIRS] = {
    let mut table = [(0u8, 0u8); PAIRS];
    let (mut i, mut j, mut k) = (0, 1, 0);
    while k < PAIRS {
        table[k] = (i as u8, j as u8);
        k += 1;
        j += 1;
        if j == PIXELS {
            i += 1;
            j = i + 1;
        }
    }
    table
};

/// Index of the first pair `(i, i + 1)` of each pixel `i` in the pair table.
#[expect(clippy::indexing_slicing, reason = "evaluated at compile time: a bad index fails the build")]
const ROW_START: [usize; PIXELS] = {
    let mut starts = [0usize; PIXELS];
    let mut i = 1;
    while i < PIXELS {
        starts[i] = starts[i - 1] + (PIXELS - i);
        i += 1;
    }
    starts
};

/// The pixels `(i, j)`, `i < j`, of pair feature `index` (`None` beyond 299).
pub fn pair(index: usize) -> Option<(usize, usize)> {
    PAIR_TABLE.get(index).map(|&(i, j)| (usize::from(i), usize::from(j)))
}

/// The index of the pair feature of pixels `i < j`.
pub fn pair_index(i: usize, j: usize) -> Option<usize> {
    (i < j && j < PIXELS).then(|| ROW_START.get(i).copied().unwrap_or(0) + (j - i - 1))
}

/// Whether pixels `a` and `b` have the same colour (a hidden pixel has none).
fn same_colour(x: &Image, a: usize, b: usize) -> bool {
    let cells = x.cells();
    match (cells.get(a), cells.get(b)) {
        (Some(&ca), Some(&cb)) => ca == cb && ca < COLOURS,
        _ => false,
    }
}

/// 300 binary features `[colour_i == colour_j]`, `i < j`, `i`-major; a hidden
/// pixel equals no other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairFeatures;

impl FeatureMap<Image, PAIRS> for PairFeatures {
    #[inline(always)]
    fn feature(&self, x: &Image, j: usize) -> f32 {
        match pair(j) {
            Some((a, b)) if same_colour(x, a, b) => 1.0,
            _ => 0.0,
        }
    }

    /// Sums the weights of same-colour pairs colour by colour, each colour's
    /// pixels as a bit mask: pairs `(i, j)` with `i < j` in increasing `i`,
    /// then `j` — about 75 additions for a uniform image instead of 300
    /// comparisons.
    fn dot(&self, x: &Image, w: &SVector<f32, PAIRS>) -> f32 {
        // One bit per pixel for each colour (a hidden pixel has none).
        let mut masks = [0u32; COLOURS as usize];
        for (p, &c) in x.cells().iter().enumerate() {
            if let Some(mask) = masks.get_mut(usize::from(c)) {
                *mask |= 1u32.checked_shl(p as u32).unwrap_or(0);
            }
        }
        let weights = w.as_slice();
        let mut total = 0.0;
        for mask in masks {
            let mut rest = mask;
            while rest != 0 {
                let i = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                // Pair (i, j) sits at ROW_START[i] + j - i - 1.
                let row = weights.get(ROW_START.get(i).copied().unwrap_or(0)..).unwrap_or(&[]);
                let mut later = rest;
                while later != 0 {
                    let j = later.trailing_zeros() as usize;
                    later &= later - 1;
                    total += row.get(j - i - 1).copied().unwrap_or(0.0);
                }
            }
        }
        total
    }
}

/// 100 one-hot features (`4 p + c` is pixel `p` having colour `c`; a hidden
/// pixel has none) and a constant 1 at index 100.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OneHot;

impl FeatureMap<Image, ONE_HOT> for OneHot {
    fn feature(&self, x: &Image, j: usize) -> f32 {
        let colours = usize::from(COLOURS);
        let constant = j == ONE_HOT - 1;
        let colour_matches = x.cells().get(j / colours).is_some_and(|&c| usize::from(c) == j % colours);
        if constant || colour_matches { 1.0 } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rule_is_named_by_its_number_both_ways() {
        use core::str::FromStr;
        for (number, text, rule) in [(0u8, "0", Rule::Zero), (1, "1", Rule::One)] {
            assert_eq!(u8::from(rule), number);
            assert_eq!(Rule::try_from(number), Ok(rule));
            assert_eq!(Rule::from_str(text), Ok(rule));
        }
        assert_eq!(Rule::try_from(2), Err(Error::InvalidParameter { name: "rule" }));
        assert_eq!(Rule::from_str("one"), Err(Error::InvalidParameter { name: "rule" }));
        assert_eq!(Rule::ALL, [Rule::Zero, Rule::One]);
    }

    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn the_pair_table_is_i_major_and_inverts_pair_index() {
        assert_eq!(pair(0), Some((0, 1)));
        assert_eq!(pair(23), Some((0, 24)));
        assert_eq!(pair(24), Some((1, 2)));
        assert_eq!(pair(PAIRS - 1), Some((23, 24)));
        assert_eq!(pair(PAIRS), None);
        for j in 0..PAIRS {
            let (a, b) = pair(j).unwrap();
            assert_eq!(pair_index(a, b), Some(j));
        }
        assert_eq!(pair_index(3, 3), None);
    }

    #[test]
    fn generated_images_satisfy_both_rules_or_neither() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        for _ in 0..5_000 {
            let example = generate(&mut rng);
            let (zero, one) = (Rule::Zero.holds(&example.instance), Rule::One.holds(&example.instance));
            assert_eq!(zero, one, "{:?}", example.instance);
            assert_eq!(example.label, u8::from(zero));
        }
    }

    #[test]
    fn rule_directions_score_images_by_their_rule() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
        let (w0, w1) = (Rule::Zero.direction(), Rule::One.direction());
        assert_eq!(Rule::Zero.pair_support().len(), 6);
        assert_eq!(Rule::One.pair_support().len(), 3);
        for _ in 0..200 {
            let x = generate(&mut rng).instance;
            // Rule 0 holds iff all 6 corner pairs match; rule 1 iff none of the top pairs do.
            assert_eq!(PairFeatures.dot(&x, &w0) == 6.0, Rule::Zero.holds(&x));
            assert_eq!(PairFeatures.dot(&x, &w1) == 0.0, Rule::One.holds(&x));
            assert_eq!(PairFeatures.dot(&x, &w0), PairFeatures.features(&x).dot(&w0));
        }
    }

    #[test]
    fn the_grouped_dot_product_equals_the_plain_one() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(14);
        let w = SVector::<f32, PAIRS>::from_fn(|j, _| (j as f32 * 0.37).sin());
        for _ in 0..500 {
            let x = generate(&mut rng).instance;
            let plain: f32 = PairFeatures.features(&x).dot(&w);
            assert!(approx::abs_diff_eq!(PairFeatures.dot(&x, &w), plain, epsilon = 1e-4));
        }
    }

    #[test]
    fn one_hot_features_have_one_colour_per_pixel_and_a_constant() {
        let x = Image::new([2; PIXELS]).unwrap();
        let f = OneHot.features(&x);
        assert_eq!(f.sum(), 26.0);
        assert_eq!(f[2], 1.0);
        assert_eq!(f[ONE_HOT - 1], 1.0);
    }

    #[test]
    fn hidden_pixels_match_nothing() {
        use crate::Categorical;
        let mut x = Image::new([1; PIXELS]).unwrap();
        assert_eq!(PairFeatures.features(&x).sum(), PAIRS as f32);
        x.hide(0).unwrap();
        x.hide(1).unwrap();
        // Pairs touching pixel 0 or 1: 24 + 23 = 47.
        assert_eq!(PairFeatures.features(&x).sum(), (PAIRS - 47) as f32);
        assert_eq!(PairFeatures.dot(&x, &SVector::repeat(1.0)), (PAIRS - 47) as f32);
        assert_eq!(OneHot.features(&x).sum(), 24.0);
    }
}
