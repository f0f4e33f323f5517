//! Query strategies: which unlabelled instance to ask the user about next.
//!
//! Uncertainty sampling asks where the model is least sure. For a binary model
//! with score `s` (probability `p = sigmoid(s)`, exact for logistic
//! regression, a monotone stand-in for SVMs), least confident, smallest margin
//! and highest entropy all rank instances as `|s|` does; they differ for more
//! than two classes, where [`uncertainty`] scores a probability vector.
//! Ties go to the lowest index, so a query is a deterministic function of the
//! pool, the model and the RNG.

use crate::data::Example;
use crate::maths::sigmoid;
use crate::names::named;
use crate::random::uniform_index;
use crate::traits::Score;
use rand_core::Rng;

/// How to pick the next query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "kebab-case"))]
pub enum QueryStrategy {
    /// A uniformly random instance.
    Random,
    /// The instance with the smallest absolute score (closest to the
    /// decision boundary), as CAIPI does.
    #[default]
    ClosestToMargin,
    /// The instance whose most probable class is least probable.
    LeastConfident,
    /// The instance with the smallest gap between its two most probable
    /// classes.
    Margin,
    /// The instance whose class distribution has the highest entropy.
    Entropy,
}

named!(QueryStrategy, "query strategy", [
    Random => "random",
    ClosestToMargin => "closest-to-margin",
    LeastConfident => "least-confident",
    Margin => "margin",
    Entropy => "entropy",
]);

/// How uncertain a class distribution is under a strategy: larger is more
/// uncertain. [`QueryStrategy::Random`] and
/// [`QueryStrategy::ClosestToMargin`] score by margin here.
///
/// # Examples
/// ```
/// use xil_core::{QueryStrategy, uncertainty};
///
/// let sure = [0.9, 0.05, 0.05];
/// let torn = [0.45, 0.45, 0.1];
/// for strategy in [QueryStrategy::LeastConfident, QueryStrategy::Margin, QueryStrategy::Entropy] {
///     assert!(uncertainty(strategy, &torn) > uncertainty(strategy, &sure));
/// }
/// ```
pub fn uncertainty(strategy: QueryStrategy, probabilities: &[f32]) -> f32 {
    let (first, second) =
        probabilities.iter().fold((0.0f32, 0.0f32), |(a, b), &p| if p > a { (p, a) } else { (a, b.max(p)) });
    match strategy {
        QueryStrategy::LeastConfident => 1.0 - first,
        QueryStrategy::Entropy => probabilities.iter().filter(|&&p| p > 0.0).map(|&p| -p * libm::logf(p)).sum(),
        QueryStrategy::Margin | QueryStrategy::ClosestToMargin | QueryStrategy::Random => -(first - second),
    }
}

/// The index in `candidates` of the next query, `None` when there is none.
/// Candidates whose score is NaN are never picked by an uncertainty strategy.
pub fn select_query<X, M: Score<X> + ?Sized, R: Rng + ?Sized>(
    strategy: QueryStrategy,
    model: &M,
    candidates: &[Example<X>],
    rng: &mut R,
) -> Option<usize> {
    if candidates.is_empty() {
        return None;
    }
    if strategy == QueryStrategy::Random {
        return Some(uniform_index(rng, candidates.len()));
    }
    let mut best: Option<(usize, f32)> = None;
    for (i, candidate) in candidates.iter().enumerate() {
        let score = model.score(&candidate.instance);
        if score.is_nan() {
            continue;
        }
        let value = match strategy {
            QueryStrategy::ClosestToMargin | QueryStrategy::Random => -score.abs(),
            _ => {
                let p = sigmoid(score);
                uncertainty(strategy, &[1.0 - p, p])
            }
        };
        if best.is_none_or(|(_, b)| value > b) {
            best = Some((i, value));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    struct Value;
    impl Score<f32> for Value {
        fn score(&self, x: &f32) -> f32 {
            *x
        }
    }

    fn pool(values: &[f32]) -> heapless::Vec<Example<f32>, 8> {
        values.iter().map(|&v| Example::labelled(v, 0)).collect()
    }

    #[test]
    fn binary_uncertainty_strategies_agree_with_the_margin() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
        let candidates = pool(&[3.0, -0.2, 0.5, -4.0]);
        for strategy in [
            QueryStrategy::ClosestToMargin,
            QueryStrategy::LeastConfident,
            QueryStrategy::Margin,
            QueryStrategy::Entropy,
        ] {
            assert_eq!(select_query(strategy, &Value, &candidates, &mut rng), Some(1), "{strategy:?}");
        }
    }

    #[test]
    fn empty_pools_and_nan_scores_are_handled() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
        assert_eq!(select_query(QueryStrategy::Entropy, &Value, &pool(&[]), &mut rng), None);
        assert_eq!(select_query(QueryStrategy::Random, &Value, &pool(&[]), &mut rng), None);
        let candidates = pool(&[f32::NAN, 2.0]);
        assert_eq!(select_query(QueryStrategy::ClosestToMargin, &Value, &candidates, &mut rng), Some(1));
        assert_eq!(select_query(QueryStrategy::Entropy, &Value, &pool(&[f32::NAN]), &mut rng), None);
    }

    #[test]
    fn ties_go_to_the_lowest_index() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
        let candidates = pool(&[1.0, -1.0, 1.0]);
        assert_eq!(select_query(QueryStrategy::ClosestToMargin, &Value, &candidates, &mut rng), Some(0));
    }
}
