//! One strategy over `runs` runs: seed set, then `steps` rounds of training
//! from the same initial weights, measuring and labelling a batch.

use super::settings::{ActiveSettings, Strategy};
use crate::data::fashion::{CLASSES, ImageSet, Split};
use crate::error::{Error, Result};
use crate::harness::folds::shuffle;
use crate::harness::minibatch::Training;
use crate::harness::observe::Observer;
use crate::harness::record::{Metric, Record};
use crate::harness::seeds::Stream;
use crate::protocols::attributions::methods::{Budgets, attribute};
use crate::protocols::attributions::models::{Input, Model};
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;
use xil_core::QueryStrategy;
use xil_core::active::batch::{alex, density, random_batch, retrieval, uncertainty_batch};
use xil_core::metrics::{accuracy, macro_f1};

/// What one step of one run measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ActiveRow {
    /// The run (0-based).
    pub run: usize,
    /// Labelling steps done (0: the seed set alone).
    pub step: usize,
    /// Labelled instances.
    pub labelled: usize,
    /// Test accuracy of the network trained on them.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub accuracy: f32,
    /// Test macro-F1.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub f1_macro: f32,
    /// Seconds of the step: training, measuring and choosing the next batch.
    #[serde(serialize_with = "crate::harness::record::decimals::<3, _, _>")]
    pub seconds: f64,
}

impl Record for ActiveRow {
    const METRICS: &'static [Metric<Self>] = &[
        Metric { name: "test accuracy", panel: "active: test accuracy (x: steps)", value: |r| r.accuracy },
        Metric { name: "test macro-F1", panel: "active: test macro-F1 (x: steps)", value: |r| r.f1_macro },
    ];

    fn fold(&self) -> usize {
        self.run
    }

    /// Steps from 1 (the seed set is step 1).
    fn step(&self) -> usize {
        self.step + 1
    }
}

/// Image `index` of `split` as network input in `[0, 1]`.
fn image(split: &Split, index: usize) -> Input {
    Input::from_fn(|i, _| f32::from(split.images.image(index)[i]) / 255.0)
}

/// `q` random pool images of each class, from `rng`.
fn seed_set(labels: &[u8], q: usize, rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> Result<Vec<u32>> {
    let mut order: Vec<u32> = (0..labels.len() as u32).collect();
    shuffle(&mut order, rng);
    let mut chosen = Vec::with_capacity(q * CLASSES);
    for class in 0..CLASSES as u8 {
        let of_class: Vec<u32> = order.iter().copied().filter(|&i| labels[i as usize] == class).take(q).collect();
        if of_class.len() < q {
            return Err(Error::Settings(format!("the pool holds fewer than {q} images of class {class}")));
        }
        chosen.extend(of_class);
    }
    chosen.sort_unstable();
    Ok(chosen)
}

/// The explanation of `x` for its predicted class, by the run's explainer.
fn explanation<M: Model>(model: &M, settings: &ActiveSettings, x: &Input, class: usize, key: usize) -> Result<Input> {
    let budgets = Budgets { shap_samples: settings.explainer_samples, lime_samples: settings.explainer_samples };
    let mut rng = Stream::ActiveExplain(key).rng(settings.seed);
    attribute(model, settings.explainer, x, class, budgets, &mut rng)
        .map_err(|e| Error::core(settings.explainer.name(), e))?
        .ok_or_else(|| Error::Settings(format!("{} does not apply to this network", settings.explainer.name())))
}

/// The explanation distribution of pool image `i` (ALEX).
fn distribution<M: Model>(model: &M, settings: &ActiveSettings, pool: &[Input], i: usize) -> Result<Vec<f32>> {
    let phi = explanation(model, settings, &pool[i], model.predict(&pool[i]), i)?;
    let mut p = vec![0.0; phi.len()];
    alex::explanation_distribution(phi.as_slice(), &mut p);
    Ok(p)
}

/// ALEX's batch among the unlabelled `left` (pool-left positions into
/// `out`): the 3b least confident, ranked by the mean KL divergence of their
/// explanations to the labelled set's, all explained by the current model.
fn alex_choice<M: Model>(
    model: &M,
    settings: &ActiveSettings,
    pool: &[Input],
    (labelled, left): (&[u32], &[u32]),
    probabilities: &[[f32; CLASSES]],
    out: &mut [usize],
) -> Result<usize> {
    let labelled: Vec<Vec<f32>> =
        labelled.par_iter().map(|&i| distribution(model, settings, pool, i as usize)).collect::<Result<_>>()?;
    let mut candidates = vec![0usize; 3 * out.len()];
    let found = alex::alex_candidates(probabilities, &mut candidates);
    candidates.truncate(found);
    let divergences: Vec<f32> = candidates
        .par_iter()
        .map(|&k| {
            let p = distribution(model, settings, pool, left[k] as usize)?;
            Ok(alex::mean_divergence(&p, labelled.iter().map(Vec::as_slice)))
        })
        .collect::<Result<_>>()?;
    Ok(alex::most_divergent(&candidates, &divergences, out))
}

/// Seed 004's batch among the unlabelled `left`: `B_E = b` random ones
/// explained, then the pool scored by the pairs that disagree.
fn retrieval_choice<M: Model>(
    model: &M,
    settings: &ActiveSettings,
    pool: &[Input],
    left: &[u32],
    rng: &mut rand_xoshiro::Xoshiro256PlusPlus,
    out: &mut [usize],
) -> Result<usize> {
    let mut sample = vec![0usize; out.len()];
    let drawn = random_batch(left.len(), &mut sample, rng);
    sample.truncate(drawn);
    let explained: Vec<(Input, u8)> = sample
        .par_iter()
        .map(|&k| {
            let i = left[k] as usize;
            let class = model.predict(&pool[i]);
            Ok((explanation(model, settings, &pool[i], class, i)?, class as u8))
        })
        .collect::<Result<_>>()?;
    let entries: Vec<retrieval::Explained<'_>> = sample
        .iter()
        .zip(&explained)
        .map(|(&k, (q, class))| retrieval::Explained {
            features: pool[left[k] as usize].as_slice(),
            explanation: q.as_slice(),
            prediction: *class,
        })
        .collect();
    let mut direction = vec![0.0f32; crate::data::fashion::PIXELS];
    retrieval::retrieval_direction(&entries, &mut direction).map_err(|e| Error::core("retrieval", e))?;
    Ok(retrieval::retrieval_batch(&direction, |k| pool[left[k] as usize].as_slice(), left.len(), out))
}

/// The next batch: pool indices (not yet labelled) chosen by the strategy.
fn choose<M: Model>(
    model: &M,
    settings: &ActiveSettings,
    data: &Prepared,
    labelled: &[u32],
    (run, step): (usize, usize),
) -> Result<Vec<u32>> {
    let pool = &data.pool;
    let left: Vec<u32> = (0..pool.len() as u32).filter(|i| labelled.binary_search(i).is_err()).collect();
    let probabilities: Vec<[f32; CLASSES]> = left.par_iter().map(|&i| model.probabilities(&pool[i as usize])).collect();
    let mut out = vec![0usize; settings.batch_size()];
    let mut rng = Stream::ActiveChoice { run, step }.rng(settings.seed);
    let chosen = match settings.strategy {
        Strategy::Random => random_batch(left.len(), &mut out, &mut rng),
        Strategy::LeastConfident => uncertainty_batch(QueryStrategy::LeastConfident, &probabilities, &mut out),
        Strategy::Margin => uncertainty_batch(QueryStrategy::Margin, &probabilities, &mut out),
        Strategy::Entropy => uncertainty_batch(QueryStrategy::Entropy, &probabilities, &mut out),
        Strategy::Density => {
            density::density_batch(|k| &pool[left[k] as usize], &probabilities, &data.centroids, &mut out)
        }
        Strategy::Alex => alex_choice(model, settings, pool, (labelled, &left), &probabilities, &mut out)?,
        Strategy::ExplanationRetrieval => retrieval_choice(model, settings, pool, &left, &mut rng, &mut out)?,
    };
    Ok(out[..chosen].iter().map(|&k| left[k]).collect())
}

/// The images of a run: the pool and the test set as network inputs.
pub struct Prepared {
    pool: Vec<Input>,
    pool_labels: Vec<u8>,
    test: Vec<Input>,
    test_labels: Vec<u8>,
    centroids: [Input; CLASSES],
}

/// The pool (`--pool` training images drawn once from the seed; MNIST's
/// split is ordered by class), the test images (likewise) and, for the
/// density strategy, the pool's k-means centroids.
///
/// # Errors
/// Invalid settings or too few images.
pub fn prepare(settings: &ActiveSettings, images: &ImageSet) -> Result<Prepared> {
    settings.validate()?;
    if images.train.len() < settings.pool {
        return Err(Error::Settings(format!(
            "--pool {} exceeds the {} training images",
            settings.pool,
            images.train.len()
        )));
    }
    let test_size = settings.test.min(images.test.len());
    let drawn = |len: usize, size: usize, stream: Stream| {
        let mut order: Vec<u32> = (0..len as u32).collect();
        shuffle(&mut order, &mut stream.rng(settings.seed));
        order.truncate(size);
        order
    };
    let pool_indices = drawn(images.train.len(), settings.pool, Stream::ActivePool);
    let test_indices = drawn(images.test.len(), test_size, Stream::ActiveTest);
    let pool: Vec<Input> = pool_indices.par_iter().map(|&i| image(&images.train, i as usize)).collect();
    let centroids = if settings.strategy == Strategy::Density {
        density::kmeans(|i| &pool[i], pool.len(), 50, &mut Stream::ActiveClusters.rng(settings.seed))
            .map_err(|e| Error::core("k-means", e))?
    } else {
        [Input::zeros(); CLASSES]
    };
    Ok(Prepared {
        pool_labels: pool_indices.iter().map(|&i| images.train.labels[i as usize]).collect(),
        test: test_indices.par_iter().map(|&i| image(&images.test, i as usize)).collect(),
        test_labels: test_indices.iter().map(|&i| images.test.labels[i as usize]).collect(),
        pool,
        centroids,
    })
}

/// Every run of the strategy (in parallel); `observe` sees each step's row
/// and can stop the runs (their rows so far are returned).
///
/// # Errors
/// The first failing run's message.
pub fn run<M: Model>(
    settings: &ActiveSettings,
    images: &ImageSet,
    observe: Observer<'_, ActiveRow>,
) -> Result<Vec<ActiveRow>> {
    let prepared = prepare(settings, images)?;
    let runs: Vec<Result<Vec<ActiveRow>>> =
        (0..settings.runs).into_par_iter().map(|run| run_one::<M>(settings, &prepared, run, observe)).collect();
    let mut rows = Vec::new();
    for run in runs {
        rows.extend(run?);
    }
    Ok(rows)
}

/// One run: the seed set, then training, measuring and labelling.
fn run_one<M: Model>(
    settings: &ActiveSettings,
    data: &Prepared,
    run: usize,
    observe: Observer<'_, ActiveRow>,
) -> Result<Vec<ActiveRow>> {
    let seed = settings.seed;
    let mut labelled = seed_set(&data.pool_labels, settings.q, &mut Stream::ActiveSeedSet(run).rng(seed))?;
    let mut rows = Vec::with_capacity(settings.steps + 1);
    for step in 0..=settings.steps {
        let started = Instant::now();
        let model = M::build(&mut Stream::ActiveInit(run).rng(seed)).map_err(|e| Error::core("network", e))?;
        let mut training = Training::new(model, 1e-3)?;
        let mut shuffler = Stream::ActiveShuffle { run, step }.rng(seed);
        let mut order = labelled.clone();
        let example = |i: u32| (data.pool[i as usize], data.pool_labels[i as usize]);
        for epoch in 1..=settings.epochs {
            shuffle(&mut order, &mut shuffler);
            training.epoch(epoch, &order, TRAINING_BATCH, &example)?;
        }
        let model = training.model;
        let predicted: Vec<u8> = data.test.par_iter().map(|x| model.predict(x) as u8).collect();
        let (accuracy, f1_macro) =
            (accuracy(&predicted, &data.test_labels), macro_f1::<CLASSES>(&predicted, &data.test_labels));
        let trained_on = labelled.len();
        if step < settings.steps {
            let batch = choose(&*model, settings, data, &labelled, (run, step))?;
            labelled.extend(batch);
            labelled.sort_unstable();
        }
        let row =
            ActiveRow { run, step, labelled: trained_on, accuracy, f1_macro, seconds: started.elapsed().as_secs_f64() };
        rows.push(row);
        if observe(&row).is_break() {
            break;
        }
    }
    Ok(rows)
}

/// Minibatch size of every training.
const TRAINING_BATCH: usize = 32;
