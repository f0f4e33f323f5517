//! The instances of a run: the pool and test instances drawn once from the
//! seed, and the pool's k-means centroids for the density strategy.

use super::settings::{ActiveSettings, Strategy};
use super::sources::Source;
use crate::error::{Error, Result};
use crate::harness::folds::shuffle;
use crate::harness::seeds::Stream;
use nalgebra::SVector;
use rayon::prelude::*;
use xil_core::active::batch::density;

/// The pool and test instances of a run, `D` features and `C` classes.
#[derive(Debug, Clone)]
pub struct Pool<const D: usize, const C: usize> {
    /// The pool: labels are revealed when a strategy chooses an instance.
    pub pool: Vec<SVector<f32, D>>,
    /// The pool's classes.
    pub pool_labels: Vec<u8>,
    /// The test instances.
    pub test: Vec<SVector<f32, D>>,
    /// Their classes.
    pub test_labels: Vec<u8>,
    /// The pool's `C` k-means centroids (the density strategy only).
    pub centroids: [SVector<f32, D>; C],
}

impl<const D: usize, const C: usize> Pool<D, C> {
    /// `--pool` training instances drawn once from the seed (MNIST's split is
    /// ordered by class), the test instances (likewise, at most `--test`)
    /// and, for the density strategy, the pool's k-means centroids.
    ///
    /// # Errors
    /// Invalid settings, too few instances or a class label out of range.
    pub fn prepare(settings: &ActiveSettings, source: &impl Source<D>) -> Result<Self> {
        settings.validate()?;
        if source.train_len() < settings.pool {
            return Err(Error::Settings(format!(
                "--pool {} exceeds the {} training instances",
                settings.pool,
                source.train_len()
            )));
        }
        let drawn = |len: usize, size: usize, stream: Stream| {
            let mut order: Vec<usize> = (0..len).collect();
            shuffle(&mut order, &mut stream.rng(settings.seed));
            order.truncate(size);
            order
        };
        let pool_indices = drawn(source.train_len(), settings.pool, Stream::ActivePool);
        let test_indices = drawn(source.test_len(), settings.test.min(source.test_len()), Stream::ActiveTest);
        let pool: Vec<SVector<f32, D>> = pool_indices.par_iter().map(|&i| source.train(i)).collect();
        let pool_labels: Vec<u8> = pool_indices.iter().map(|&i| source.train_label(i)).collect();
        let test_labels: Vec<u8> = test_indices.iter().map(|&i| source.test_label(i)).collect();
        if let Some(&label) = pool_labels.iter().chain(&test_labels).find(|&&l| usize::from(l) >= C) {
            return Err(Error::Settings(format!("class {label} is out of range for {C} classes")));
        }
        let centroids = if settings.strategy == Strategy::Density {
            density::kmeans(|i| &pool[i], pool.len(), 50, &mut Stream::ActiveClusters.rng(settings.seed))
                .map_err(|e| Error::core("k-means", e))?
        } else {
            [SVector::zeros(); C]
        };
        Ok(Self {
            test: test_indices.par_iter().map(|&i| source.test(i)).collect(),
            pool,
            pool_labels,
            test_labels,
            centroids,
        })
    }

    /// `q` random pool instances of each class, from `rng`, sorted.
    ///
    /// # Errors
    /// A class with fewer than `q` pool instances.
    pub fn seed_set(&self, q: usize, rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> Result<Vec<u32>> {
        let mut order: Vec<u32> = (0..self.pool.len() as u32).collect();
        shuffle(&mut order, rng);
        let mut chosen = Vec::with_capacity(q * C);
        for class in 0..C as u8 {
            let of_class: Vec<u32> =
                order.iter().copied().filter(|&i| self.pool_labels[i as usize] == class).take(q).collect();
            if of_class.len() < q {
                return Err(Error::Settings(format!("the pool holds fewer than {q} instances of class {class}")));
            }
            chosen.extend(of_class);
        }
        chosen.sort_unstable();
        Ok(chosen)
    }
}
