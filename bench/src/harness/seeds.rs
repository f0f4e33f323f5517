//! Named random streams. Every random choice of a run draws from a stream
//! of its own, seeded from the run's seed and the stream's number by
//! `SplitMix64`, so that adding a draw to one part of a run leaves every
//! other part's numbers as they were, and folds that run in parallel draw
//! the same numbers on any number of threads.
//!
//! The numbers are the ones the published results were computed with; the
//! names say what each stream is for.

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// A random stream of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// The stratified assignment of generated colors images to folds
    /// (CAIPI colors and CALIMOCHO).
    ColorsFolds,
    /// CAIPI colors, one fold: initial labels, queries, LIME, counterexamples.
    CaipiFold(usize),
    /// CALIMOCHO, one fold: the network's initial weights, queries, minibatches.
    CaliFold(usize),
    /// The LIME faithfulness study: the explanations of one training step
    /// with a number of samples and repeats.
    Faithfulness {
        /// The training step.
        step: usize,
        /// LIME samples.
        samples: usize,
        /// LIME repeats.
        repeats: usize,
    },
    /// CAIPI on e-mails: the stratified assignment of messages to folds.
    TextFolds,
    /// CAIPI on e-mails, one fold: the pool's order, initial labels and LIME.
    TextFold(usize),
    /// Decoy Fashion-MNIST: the training images' decoys.
    DecoyTrain,
    /// Decoy Fashion-MNIST: the test images' decoys.
    DecoyTest,
    /// Decoy Fashion-MNIST: the counterexamples' random decoy values.
    DecoyCounterexamples,
    /// Decoy Fashion-MNIST: the network's initial weights.
    DecoyInit,
    /// Decoy Fashion-MNIST: the minibatch order.
    DecoyShuffle,
    /// The app's Images tab: the minibatches of each refit after an answer.
    ImageRefit,
    /// MNIST: the fixed stratified split into training and test digits.
    MnistSplit,
    /// Attributions: the training images' decoys.
    AttributionsTrain,
    /// Attributions: the test images' decoys.
    AttributionsTest,
    /// Attributions: the network's initial weights.
    AttributionsInit,
    /// Attributions: the minibatch order.
    AttributionsShuffle,
    /// Attributions: LIME's and Kernel SHAP's samples of test image `index`.
    AttributionsExplain(usize),
    /// The UCI 8 x 8 digits: the fixed stratified split.
    DigitsSplit,
    /// The UCI 8 x 8 digits: the device network's initial weights.
    DigitsInit,
    /// The UCI 8 x 8 digits: the minibatch order.
    DigitsShuffle,
    /// Active learning: run `run`'s seed set (the same for every strategy).
    ActiveSeedSet(usize),
    /// Active learning: run `run`'s initial weights (the same at every step).
    ActiveInit(usize),
    /// Active learning: the minibatch order of a run's step.
    ActiveShuffle {
        /// The run.
        run: usize,
        /// The step.
        step: usize,
    },
    /// Active learning: the explainer's samples for pool instance `index`.
    ActiveExplain(usize),
    /// Active learning: the k-means seeds of the density strategy.
    ActiveClusters,
    /// Active learning: which training images form the pool.
    ActivePool,
    /// Active learning: which test images are measured.
    ActiveTest,
    /// Active learning: the train / test split of the e-mails, and the
    /// generated colors images.
    ActiveSplit,
    /// Active learning: the folds of the cost's cross-validation.
    ActiveCostFolds(usize),
    /// Explanation retrieval's budget search: which labelled instances
    /// validate.
    ActiveValidation,
    /// Bayesian feedback: the train / validation split.
    BayesSplit,
    /// Bayesian feedback: the training images' decoys.
    BayesTrain,
    /// Bayesian feedback: the test images' decoys.
    BayesTest,
    /// Bayesian feedback: the initial weights (`clean`: the clean network's).
    BayesInit {
        /// Whether it is the network trained on clean images.
        clean: bool,
    },
    /// Bayesian feedback: which training images the annotator marks.
    BayesAnnotated,
    /// Bayesian feedback's baseline: the deterministic `LeNet-5`'s initial
    /// weights.
    RightReasonsInit,
    /// The app's Bayesian image sessions: the network's initial weights.
    ImageBayesInit,
    /// The app's Bayesian image sessions: the Monte Carlo samples of the
    /// uncertainty about training image `index`.
    ImageUncertainty(usize),
    /// Bayesian feedback: the minibatch order of an epoch of a phase.
    BayesShuffle {
        /// 0: without feedback, 1: with, 2: the clean network, 4 and 5: the
        /// deterministic baseline without and with its penalty, 6: an image
        /// session's first training.
        phase: usize,
        /// The epoch.
        epoch: usize,
    },
    /// Bayesian feedback: the Monte Carlo noise of a chunk of a minibatch.
    BayesNoise {
        /// The phase (as in `BayesShuffle`).
        phase: usize,
        /// The epoch.
        epoch: usize,
        /// The minibatch in the epoch.
        batch: usize,
        /// The chunk of the minibatch.
        chunk: usize,
    },
    /// Bayesian feedback: the Monte Carlo noise of test image `index`.
    BayesPredictive(usize),
    /// Active learning: a strategy's random choices at a run's step.
    ActiveChoice {
        /// The run.
        run: usize,
        /// The step.
        step: usize,
    },
}

impl Stream {
    /// The stream's number.
    pub fn id(self) -> u64 {
        let wide = |n: usize| n as u64;
        match self {
            Stream::ColorsFolds => u64::MAX,
            Stream::CaipiFold(fold) => wide(fold),
            Stream::CaliFold(fold) => 1000 + wide(fold),
            Stream::Faithfulness { step, samples, repeats } => wide(step) * 100 + wide(samples) + wide(repeats),
            Stream::TextFolds => 99,
            Stream::TextFold(fold) => 100 + wide(fold),
            Stream::DecoyTrain => 1,
            Stream::DecoyTest => 2,
            Stream::DecoyCounterexamples => 3,
            Stream::DecoyInit => 4,
            Stream::DecoyShuffle => 5,
            Stream::ImageRefit => 7,
            Stream::MnistSplit => 8,
            Stream::AttributionsTrain => 9,
            Stream::AttributionsTest => 10,
            Stream::AttributionsInit => 11,
            Stream::AttributionsShuffle => 12,
            Stream::AttributionsExplain(index) => (1 << 40) + wide(index),
            Stream::DigitsSplit => 13,
            Stream::DigitsInit => 14,
            Stream::DigitsShuffle => 15,
            Stream::ActiveSeedSet(run) => (2 << 40) + wide(run),
            Stream::ActiveInit(run) => (3 << 40) + wide(run),
            Stream::ActiveShuffle { run, step } => (4 << 40) + wide(run) * 100_000 + wide(step),
            Stream::ActiveExplain(index) => (5 << 40) + wide(index),
            Stream::ActiveChoice { run, step } => (6 << 40) + wide(run) * 100_000 + wide(step),
            Stream::ActiveClusters => 16,
            Stream::ActivePool => 17,
            Stream::ActiveTest => 18,
            Stream::ActiveSplit => 19,
            Stream::BayesSplit => 21,
            Stream::BayesTrain => 22,
            Stream::BayesTest => 23,
            Stream::BayesInit { clean } => 24 + u64::from(clean),
            Stream::BayesAnnotated => 26,
            Stream::RightReasonsInit => 27,
            Stream::ImageBayesInit => 28,
            Stream::ImageUncertainty(index) => (11 << 40) + wide(index),
            Stream::BayesShuffle { phase, epoch } => (8 << 40) + wide(phase) * 100_000 + wide(epoch),
            Stream::BayesNoise { phase, epoch, batch, chunk } => {
                (1 << 50) + (wide(phase) << 46) + (wide(epoch) << 32) + (wide(batch) << 8) + wide(chunk)
            }
            Stream::BayesPredictive(index) => (10 << 40) + wide(index),
            Stream::ActiveValidation => 20,
            Stream::ActiveCostFolds(run) => (7 << 40) + wide(run),
        }
    }

    /// The seed of this stream in a run seeded with `seed` (`SplitMix64` of
    /// the seed and the stream's number).
    pub fn seed(self, seed: u64) -> u64 {
        let mut z = seed ^ self.id().wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A generator on this stream in a run seeded with `seed`.
    pub fn rng(self, seed: u64) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(self.seed(seed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_are_pinned() {
        // SplitMix64's published first output for state 0 after one step is
        // 0xE220A8397B1DCDAF: seed 0 ^ (1 * golden gamma) is that state.
        assert_eq!(Stream::DecoyTrain.seed(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(Stream::CaipiFold(0).seed(0), 0);
        assert_eq!(Stream::TextFold(0).id(), 100);
        assert_eq!(Stream::CaliFold(3).id(), 1003);
        assert_eq!(Stream::Faithfulness { step: 2, samples: 500, repeats: 10 }.id(), 710);
    }

    #[test]
    fn streams_of_one_run_differ() {
        let seeds: Vec<u64> = [Stream::ColorsFolds, Stream::DecoyTrain, Stream::DecoyTest, Stream::TextFolds]
            .map(|stream| stream.seed(42))
            .to_vec();
        for (i, a) in seeds.iter().enumerate() {
            assert!(seeds.iter().skip(i + 1).all(|b| a != b));
        }
    }
}
