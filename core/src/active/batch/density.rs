//! Density-weighted uncertainty (DW; Fujii et al. 1998 as seed 002 uses it):
//! the pool is clustered by k-means into as many clusters as there are
//! classes, and an instance's uncertainty is weighted by how central it is
//! in its cluster, so that outliers are not asked about:
//!
//! ```text
//! score(x) = (1 - max_c p_c(x)) · 1 / (1 + ‖x - μ(x)‖² / s²)
//! ```
//!
//! with `μ(x)` the nearest centroid and `s²` the pool's mean squared distance
//! to its nearest centroid (which makes the weight free of the features'
//! scale). k-means starts from k-means++ seeds and runs Lloyd's iterations
//! until no centroid moves (or a cap).

use super::top_scores;
use crate::active::query::{QueryStrategy, uncertainty};
use crate::error::Error;
use crate::random::{uniform_f32, uniform_index};
use nalgebra::SVector;
use rand_core::Rng;

/// The index of the centroid nearest to `x` and the squared distance to it.
pub fn nearest_centroid<const K: usize, const D: usize>(
    centroids: &[SVector<f32, D>; K],
    x: &SVector<f32, D>,
) -> (usize, f32) {
    let mut best = (0, f32::INFINITY);
    for (c, centroid) in centroids.iter().enumerate() {
        let distance = (centroid - x).norm_squared();
        if distance < best.1 {
            best = (c, distance);
        }
    }
    best
}

/// `K` k-means centroids of the points `point(0..n)`: k-means++ seeds drawn
/// from `rng`, then at most `iterations` Lloyd steps. A cluster that loses
/// every point keeps its centroid.
///
/// # Errors
/// [`Error::EmptyData`] for fewer points than clusters.
pub fn kmeans<'p, const K: usize, const D: usize, R: Rng + ?Sized>(
    point: impl Fn(usize) -> &'p SVector<f32, D>,
    n: usize,
    iterations: usize,
    rng: &mut R,
) -> Result<[SVector<f32, D>; K], Error> {
    if n < K || K == 0 {
        return Err(Error::EmptyData);
    }
    let mut centroids = [SVector::<f32, D>::zeros(); K];
    // k-means++: each next seed with probability proportional to its squared
    // distance to the seeds so far.
    if let Some(first) = centroids.first_mut() {
        *first = *point(uniform_index(rng, n));
    }
    for seeded in 1..K {
        let seeds = centroids.get(..seeded).unwrap_or(&[]);
        let distance = |i: usize| seeds.iter().map(|s| (s - point(i)).norm_squared()).fold(f32::INFINITY, f32::min);
        let total: f32 = (0..n).map(distance).sum();
        let mut u = uniform_f32(rng) * total;
        let mut chosen = n - 1;
        for i in 0..n {
            u -= distance(i);
            if u <= 0.0 {
                chosen = i;
                break;
            }
        }
        if let Some(seed) = centroids.get_mut(seeded) {
            *seed = *point(chosen);
        }
    }
    for _ in 0..iterations {
        let mut sums = [SVector::<f32, D>::zeros(); K];
        let mut counts = [0usize; K];
        for i in 0..n {
            let (c, _) = nearest_centroid(&centroids, point(i));
            if let (Some(sum), Some(count)) = (sums.get_mut(c), counts.get_mut(c)) {
                *sum += point(i);
                *count += 1;
            }
        }
        let mut moved = false;
        for ((centroid, sum), &count) in centroids.iter_mut().zip(&sums).zip(&counts) {
            if count > 0 {
                let mean = sum / count as f32;
                moved |= mean != *centroid;
                *centroid = mean;
            }
        }
        if !moved {
            break;
        }
    }
    Ok(centroids)
}

/// The density-weighted batch: `out.len()` pool instances of highest
/// least-confident uncertainty weighted by their centrality (see the module
/// docs), given the pool's features `point(i)`, class probabilities and the
/// centroids from [`kmeans`]; returns how many were chosen.
pub fn density_batch<'p, const K: usize, const C: usize, const D: usize>(
    point: impl Fn(usize) -> &'p SVector<f32, D>,
    probabilities: &[[f32; C]],
    centroids: &[SVector<f32, D>; K],
    out: &mut [usize],
) -> usize {
    let n = probabilities.len();
    let spread = (0..n).map(|i| nearest_centroid(centroids, point(i)).1).sum::<f32>() / n.max(1) as f32;
    let scale = if spread > 0.0 { spread } else { 1.0 };
    top_scores(
        |i| {
            let confusion = probabilities.get(i).map_or(f32::NAN, |p| uncertainty(QueryStrategy::LeastConfident, p));
            confusion / (1.0 + nearest_centroid(centroids, point(i)).1 / scale)
        },
        n,
        out,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn kmeans_finds_two_separated_clusters_and_density_prefers_central_points() {
        // Two tight groups around (0, 0) and (10, 10), and an outlier.
        let points: [SVector<f32, 2>; 9] = [
            SVector::from([0.0, 0.1]),
            SVector::from([0.1, 0.0]),
            SVector::from([-0.1, 0.0]),
            SVector::from([0.0, -0.1]),
            SVector::from([10.0, 10.1]),
            SVector::from([10.1, 10.0]),
            SVector::from([9.9, 10.0]),
            SVector::from([10.0, 9.9]),
            SVector::from([5.0, -20.0]),
        ];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let centroids: [SVector<f32, 2>; 2] = kmeans(|i| &points[i], 8, 100, &mut rng).unwrap();
        let mut found = [centroids[0], centroids[1]];
        found.sort_by(|a, b| a[0].total_cmp(&b[0]));
        assert!((found[0] - SVector::from([0.0, 0.0])).norm() < 1e-5, "{found:?}");
        assert!((found[1] - SVector::from([10.0, 10.0])).norm() < 1e-5, "{found:?}");
        // Equal uncertainty everywhere: the outlier (8) is chosen last.
        let probabilities = [[0.5f32, 0.5]; 9];
        let mut out = [0; 9];
        assert_eq!(density_batch(|i| &points[i], &probabilities, &centroids, &mut out), 9);
        assert_eq!(out[8], 8);
        // A sure central point loses to an unsure one.
        let mut mixed = probabilities;
        mixed[0] = [0.99, 0.01];
        let mut first = [0; 1];
        density_batch(|i| &points[i], &mixed, &centroids, &mut first);
        assert_ne!(first[0], 0);
        assert_eq!(kmeans::<3, 2, _>(|i| &points[i], 2, 10, &mut rng).err(), Some(Error::EmptyData));
    }
}
