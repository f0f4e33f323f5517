//! `xil-bench`: run the papers' experiments from the command line.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Instant;
use xil_bench::protocols::caipi_colors::{CaipiSettings, ColorsData, Learner, run_all};
use xil_bench::harness::observe::ticking;
use xil_bench::protocols::caipi_colors::write::{summary_json, write_run};
use xil_bench::report::staged::StagedDir;
use xil_bench::protocols::caipi_colors::reproduce::{Scale, Semantics, reproduce};
use xil_core::tasks::colors::Rule;
use xil_core::{CaliStrategy, ExplanationLoss, QueryStrategy};

const FASHION_DATA_HELP: &str =
    "Folder with the four Fashion-MNIST gzip IDX files (default: $XIL_FASHION_MNIST, else Debian's)";

const CORPUS_HELP: &str = "Folder of the SpamAssassin corpus (default: $XIL_SPAM_ASSASSIN, else \
     data/spam-assassin/package/data as scripts/fetch_spam_assassin unpacks it)";

/// Loads the e-mails and prepares words and gold explanations.
fn load_text(
    corpus: Option<&std::path::Path>,
    headers: xil_bench::protocols::caipi_text::data::Headers,
) -> Result<(Vec<xil_bench::data::spam::corpus::Mail>, xil_bench::protocols::caipi_text::data::TextData), String> {
    let (mails, data) = xil_bench::protocols::caipi_text::data::TextData::load(corpus, headers)?;
    eprintln!(
        "read {} e-mails ({} skipped as malformed, {} charset errors replaced)",
        mails.len(),
        data.stats.skipped,
        data.stats.charset_errors
    );
    Ok((mails, data))
}

/// The parser of one of core's settings enums: its variants' names are
/// the option's possible values (listed by `--help` and in errors).
fn named<T, const N: usize>(all: [T; N], name: fn(T) -> &'static str) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = xil_core::Error> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(all.map(name)).try_map(|text| text.parse::<T>())
}

#[derive(Parser)]
#[command(
    name = "xil-bench",
    version,
    about = "Run explanatory interactive learning experiments and write their results"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// CAIPI on generated colors data with cross-validation (seed 000, Fig. 2).
    Caipi(CaipiArgs),
    /// CALIMOCHO on generated colors data: a SENN learnt from labels and corrected explanations (seed 001).
    Cali(CaliArgs),
    /// Decoy Fashion-MNIST: an MLP trained with a label-revealing patch, corrected or not (seed 000, Table 1).
    DecoyFashion(DecoyArgs),
    /// CAIPI on real e-mails (SpamAssassin) with word corrections (seed 000, Fig. 3).
    CaipiText(TextArgs),
    /// How faithful LIME is to a SENN's exact explanation during training (seed 001, Fig. 2).
    LimeFaithfulness {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// The rule the SENN learns (k = 4 for 0, 3 for 1).
        #[arg(long, default_value = "0", value_parser = named(Rule::ALL, Rule::name))]
        rule: Rule,
        /// Layers of w(x): 1, 3 or 5.
        #[arg(long, default_value_t = 1)]
        depth: usize,
        /// Seed of data, training and sampling.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Reproduce a paper's figure with figures and a report beside its targets.
    Reproduce {
        #[command(subcommand)]
        experiment: Experiment,
    },
}

#[derive(Subcommand)]
enum Experiment {
    /// CALIMOCHO (seed 001): active runs at depths 1/3/5 with and without corrections, the passive
    /// depth study and the LIME faithfulness study.
    Cali {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// A first look: 2 folds of 1,000 images, 30 queries, 200 passive steps.
        #[arg(long)]
        quick: bool,
        /// Seed of data, folds and every random choice.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// CAIPI's Table 1 on decoy Fashion-MNIST: no correction, 1/3/5 counterexamples, input gradients.
    DecoyFashion {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// A first look: 12 epochs on the first 10,000 training images.
        #[arg(long)]
        quick: bool,
        #[arg(long, help = FASHION_DATA_HELP)]
        data: Option<PathBuf>,
        /// Seed of decoys, counterexamples, weights and shuffling.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// CAIPI's Fig. 3 on e-mails: with and without word corrections, headers kept.
    CaipiText {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// A first look: 3 folds, 60 queries.
        #[arg(long)]
        quick: bool,
        #[arg(long, help = CORPUS_HELP)]
        corpus: Option<PathBuf>,
        /// Seed of folds and initial labels.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// CAIPI's Fig. 2: L1 and L2 SVM, rules 0 and 1, with and without corrections.
    CaipiColors {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// A first look: 2 folds of 10,000 images, 40 queries, LIME 500 x 3.
        #[arg(long)]
        quick: bool,
        /// Paper semantics, the authors' code, or both.
        #[arg(long, value_enum, default_value = "both")]
        semantics: Semantics,
        /// Seed of data, folds and every random choice.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OnOff {
    On,
    Off,
}

#[derive(clap::Args)]
struct CaipiArgs {
    /// The rule the simulated user knows: 0 (corners share a colour) or 1 (top-middle pixels differ).
    #[arg(long, value_parser = named(Rule::ALL, Rule::name))]
    rule: Rule,
    /// The learner.
    #[arg(long, value_enum, default_value = "l1-svm")]
    learner: Learner,
    /// Whether the simulated user corrects explanations.
    #[arg(long, value_enum, default_value = "on")]
    corrections: OnOff,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 10)]
    folds: usize,
    /// Queries per fold.
    #[arg(long, default_value_t = 100)]
    iterations: usize,
    /// LIME samples per explanation.
    #[arg(long, default_value_t = 2000)]
    lime_samples: usize,
    /// LIME repeats per explanation (majority vote of pixel and sign).
    #[arg(long, default_value_t = 10)]
    lime_repeats: usize,
    /// Pixels an explanation names (default: 4 for rule 0, 3 for rule 1).
    #[arg(long)]
    k: Option<usize>,
    /// Labels per class before the first query.
    #[arg(long, default_value_t = 3)]
    initial_per_class: usize,
    /// Generated images, split into the folds.
    #[arg(long, default_value_t = 40_000)]
    images: usize,
    /// Seed of data, folds and every random choice.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The authors' code: the user marks every explained pixel as irrelevant.
    #[arg(long)]
    mark_all_explained: bool,
    /// How the next query is picked.
    #[arg(long, default_value = "closest-to-margin", value_parser = named(QueryStrategy::ALL, QueryStrategy::name))]
    query: QueryStrategy,
    /// The authors' code: LIME's perturbed pixel equals no other pixel.
    #[arg(long)]
    continuous_perturbation: bool,
    /// Output folder for metrics.csv and summary.json.
    #[arg(long)]
    out: PathBuf,
}

#[derive(clap::Args)]
struct DecoyArgs {
    /// The correction: none, c counterexamples per image, or the input-gradient penalty.
    #[arg(long, value_enum)]
    setting: xil_bench::protocols::decoy_fashion::Setting,
    /// Passes over the training set (with its counterexamples).
    #[arg(long, default_value_t = 64)]
    epochs: usize,
    /// Use only the first N training images (quick runs).
    #[arg(long)]
    train_limit: Option<usize>,
    /// Seed of decoys, counterexamples, initial weights and shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, help = FASHION_DATA_HELP)]
    data: Option<PathBuf>,
    /// Output folder for metrics.csv, summary.json and explanations.png.
    #[arg(long)]
    out: PathBuf,
}

#[derive(clap::Args)]
struct TextArgs {
    /// Whether the simulated user corrects explanations.
    #[arg(long, value_enum)]
    corrections: OnOff,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 10)]
    folds: usize,
    /// Queries per fold.
    #[arg(long, default_value_t = 300)]
    iterations: usize,
    /// Random labels per class before the first query.
    #[arg(long, default_value_t = 5)]
    initial_per_class: usize,
    /// Whether header words are features.
    #[arg(long, value_enum, default_value = "keep")]
    headers: xil_bench::protocols::caipi_text::data::Headers,
    /// How the query's explanation is computed (the test set is always explained exactly).
    #[arg(long, value_enum, default_value = "exact")]
    explainer: xil_bench::protocols::caipi_text::QueryExplainer,
    /// Seed of folds and initial labels.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, help = CORPUS_HELP)]
    corpus: Option<PathBuf>,
    /// Output folder for metrics.csv, summary.json and explained.html.
    #[arg(long)]
    out: PathBuf,
}

#[derive(clap::Args)]
struct CaliArgs {
    /// The rule: 0 (corners share a colour) or 1 (top-middle pixels differ).
    #[arg(long, value_parser = named(Rule::ALL, Rule::name))]
    rule: Rule,
    /// Layers of the network computing w(x): 1, 3 or 5.
    #[arg(long, default_value_t = 1)]
    depth: usize,
    /// Whether the simulated user corrects explanations.
    #[arg(long, value_enum, default_value = "on")]
    corrections: OnOff,
    /// The query strategy.
    #[arg(long, default_value = "uncertainty", value_parser = named(CaliStrategy::ALL, CaliStrategy::name))]
    strategy: CaliStrategy,
    /// The explanation loss: the paper's ranking loss or the authors' squared loss.
    #[arg(long, default_value = "ranking", value_parser = named(ExplanationLoss::ALL, ExplanationLoss::name))]
    explanation_loss: ExplanationLoss,
    /// Explanation entries the user corrects per query.
    #[arg(long, default_value_t = 4)]
    corrected_entries: usize,
    /// Weight of the label loss (1 - lambda weighs the explanation loss).
    #[arg(long, default_value_t = 0.9)]
    lambda: f32,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Queries per fold.
    #[arg(long, default_value_t = 300)]
    iterations: usize,
    /// Random labels before the first query.
    #[arg(long, default_value_t = 5)]
    initial: usize,
    /// Adam steps per fit.
    #[arg(long, default_value_t = 100)]
    steps_per_fit: usize,
    /// Generated images, split into the folds.
    #[arg(long, default_value_t = 5000)]
    images: usize,
    /// Seed of data, folds and every random choice.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output folder for metrics.csv, summary.json and the loss curves.
    #[arg(long)]
    out: PathBuf,
}

impl CaipiArgs {
    fn settings(&self) -> CaipiSettings {
        CaipiSettings {
            rule: self.rule,
            learner: self.learner,
            corrections: matches!(self.corrections, OnOff::On),
            query: self.query,
            folds: self.folds,
            iterations: self.iterations,
            lime_samples: self.lime_samples,
            lime_repeats: self.lime_repeats,
            k: self.k.unwrap_or(self.rule.pixels().len()),
            initial_per_class: self.initial_per_class,
            images: self.images,
            seed: self.seed,
            mark_all_explained: self.mark_all_explained,
            continuous_perturbation: self.continuous_perturbation,
        }
    }
}

fn progress(total: u64) -> ProgressBar {
    progress_of(total, "queries")
}

fn progress_of(total: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {unit}, eta {{eta}} {{msg}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Caipi(args) => {
            let settings = args.settings();
            settings.validate()?;
            let staged = StagedDir::begin(&args.out)?;
            let started = Instant::now();
            let data = ColorsData::generate(settings.images, settings.folds, settings.seed)?;
            let bar = progress((settings.folds * settings.iterations) as u64);
            let mut runs = run_all(std::slice::from_ref(&settings), &data, &ticking(&|| bar.inc(1)))?;
            bar.finish_and_clear();
            let rows = runs.pop().unwrap_or_default();
            let summary = write_run(staged.path(), &settings, &rows)?;
            staged.commit()?;
            eprintln!("wrote {} in {:.1} s", args.out.display(), started.elapsed().as_secs_f64());
            println!("{}", summary_json(&settings, &summary));
            Ok(())
        }
        Command::Cali(args) => {
            let settings = xil_bench::protocols::cali::CaliSettings {
                rule: args.rule,
                depth: args.depth,
                corrections: matches!(args.corrections, OnOff::On),
                strategy: args.strategy,
                explanation_loss: args.explanation_loss,
                corrected_entries: args.corrected_entries,
                lambda: if matches!(args.corrections, OnOff::On) { args.lambda } else { 1.0 },
                folds: args.folds,
                iterations: args.iterations,
                initial: args.initial,
                steps_per_fit: args.steps_per_fit,
                images: args.images,
                seed: args.seed,
            };
            settings.validate()?;
            let staged = StagedDir::begin(&args.out)?;
            let started = Instant::now();
            let bar = progress((settings.folds * settings.iterations) as u64);
            let rows = xil_bench::protocols::cali::run(&settings, &ticking(&|| bar.inc(1)))?;
            bar.finish_and_clear();
            let summary = xil_bench::protocols::cali::write(staged.path(), &settings, &rows)?;
            staged.commit()?;
            eprintln!("wrote {} in {:.1} s", args.out.display(), started.elapsed().as_secs_f64());
            println!("{summary}");
            Ok(())
        }
        Command::DecoyFashion(args) => {
            use xil_bench::protocols::decoy_fashion::{DecoySettings, run, summary_json, write};
            let settings = DecoySettings {
                epochs: args.epochs,
                train_limit: args.train_limit,
                ..DecoySettings::paper(args.setting, args.seed)
            };
            settings.validate()?;
            let staged = StagedDir::begin(&args.out)?;
            let data = xil_bench::data::fashion::FashionMnist::load(&xil_bench::data::fashion::locate(args.data.as_deref()))?;
            let started = Instant::now();
            let bar = progress_of(settings.epochs as u64, "epochs");
            let outcome = run(&settings, &data, &|epoch| {
                bar.set_message(format!("test accuracy {:.3}", epoch.test_accuracy));
                bar.inc(1);
                std::ops::ControlFlow::Continue(())
            })?;
            bar.finish_and_clear();
            write(staged.path(), &settings, &outcome)?;
            staged.commit()?;
            eprintln!("wrote {} in {:.1} s", args.out.display(), started.elapsed().as_secs_f64());
            println!("{}", summary_json(&settings, &outcome));
            Ok(())
        }
        Command::CaipiText(args) => {
            use xil_bench::protocols::caipi_text::{TextSettings, run};
            use xil_bench::protocols::caipi_text::report::{summary_json, write_run};
            let settings = TextSettings {
                folds: args.folds,
                iterations: args.iterations,
                initial_per_class: args.initial_per_class,
                explainer: args.explainer,
                ..TextSettings::paper(matches!(args.corrections, OnOff::On), args.seed)
            };
            settings.validate(usize::MAX)?;
            let staged = StagedDir::begin(&args.out)?;
            let (mails, data) = load_text(args.corpus.as_deref(), args.headers)?;
            let started = Instant::now();
            let bar = progress((settings.folds * settings.iterations) as u64);
            let result = run(&settings, &data, &ticking(&|| bar.inc(1)))?;
            bar.finish_and_clear();
            let summary = summary_json(&settings, &data, &result.rows, started.elapsed().as_secs_f64());
            write_run(staged.path(), &summary, &data, &mails, &result, args.headers)?;
            staged.commit()?;
            eprintln!("wrote {} in {:.1} s", args.out.display(), started.elapsed().as_secs_f64());
            println!("{summary}");
            Ok(())
        }
        Command::LimeFaithfulness { out, rule, depth, seed } => {
            use xil_bench::protocols::lime_faithfulness as faithfulness;
            let staged = StagedDir::begin(&out)?;
            let started = Instant::now();
            let rows = match depth {
                1 => faithfulness::run::<1>(rule, seed)?,
                3 => faithfulness::run::<3>(rule, seed)?,
                5 => faithfulness::run::<5>(rule, seed)?,
                other => return Err(format!("--depth must be 1, 3 or 5, not {other}")),
            };
            let summary = faithfulness::write(staged.path(), &rows)?;
            staged.commit()?;
            eprintln!("wrote {} in {:.1} s", out.display(), started.elapsed().as_secs_f64());
            println!("{summary}");
            Ok(())
        }
        Command::Reproduce { experiment: Experiment::Cali { out, quick, seed } } => {
            use xil_bench::protocols::cali::reproduce::{CaliScale, reproduce};
            let scale = if quick { CaliScale::QUICK } else { CaliScale::FULL };
            let started = Instant::now();
            let bar = progress((6 * scale.folds * scale.iterations) as u64);
            let staged = StagedDir::begin(&out)?;
            reproduce(staged.path(), scale, seed, &|| bar.inc(1))?;
            staged.commit()?;
            bar.finish_and_clear();
            let wall = started.elapsed().as_secs_f64();
            eprintln!("wrote {} in {wall:.1} s; see report.md", out.display());
            println!("{}", serde_json::json!({ "wall_seconds": wall, "report": out.join("report.md") }));
            Ok(())
        }
        Command::Reproduce { experiment: Experiment::DecoyFashion { out, quick, data, seed } } => {
            use xil_bench::protocols::decoy_fashion::reproduce::{DecoyScale, reproduce};
            let scale = if quick { DecoyScale::QUICK } else { DecoyScale::FULL };
            let data = xil_bench::data::fashion::FashionMnist::load(&xil_bench::data::fashion::locate(data.as_deref()))?;
            let started = Instant::now();
            let bar = progress_of((xil_bench::protocols::decoy_fashion::Setting::ALL.len() * scale.epochs) as u64, "epochs");
            let staged = StagedDir::begin(&out)?;
            let rows = reproduce(staged.path(), &data, scale, seed, &|| bar.inc(1))?;
            staged.commit()?;
            bar.finish_and_clear();
            let wall = started.elapsed().as_secs_f64();
            eprintln!("wrote {} in {wall:.1} s; see report.md", out.display());
            let runs: Vec<serde_json::Value> = rows
                .iter()
                .map(|row| {
                    serde_json::json!({
                        "setting": row.setting.name(),
                        "train_accuracy": row.train_accuracy,
                        "test_accuracy": row.test_accuracy,
                        "decoy_gradient_share": row.decoy_share,
                        "seconds_per_epoch": row.seconds_per_epoch,
                    })
                })
                .collect();
            println!("{}", serde_json::json!({ "wall_seconds": wall, "report": out.join("report.md"), "runs": runs }));
            Ok(())
        }
        Command::Reproduce { experiment: Experiment::CaipiText { out, quick, corpus, seed } } => {
            use xil_bench::protocols::caipi_text::report::{TextScale, reproduce};
            let scale = if quick { TextScale::QUICK } else { TextScale::FULL };
            let staged = StagedDir::begin(&out)?;
            let (mails, data) = load_text(corpus.as_deref(), xil_bench::protocols::caipi_text::data::Headers::Keep)?;
            let started = Instant::now();
            let bar = progress((2 * scale.folds * scale.iterations) as u64);
            let summaries = reproduce(staged.path(), &data, &mails, scale, seed, &|| bar.inc(1))?;
            staged.commit()?;
            bar.finish_and_clear();
            let wall = started.elapsed().as_secs_f64();
            eprintln!("wrote {} in {wall:.1} s; see report.md", out.display());
            println!(
                "{}",
                serde_json::json!({ "wall_seconds": wall, "report": out.join("report.md"), "runs": summaries })
            );
            Ok(())
        }
        Command::Reproduce { experiment: Experiment::CaipiColors { out, quick, semantics, seed } } => {
            let scale = if quick { Scale::QUICK } else { Scale::FULL };
            let variants = if semantics == Semantics::Both { 2 } else { 1 };
            let started = Instant::now();
            let bar = progress((variants * 8 * scale.folds * scale.iterations) as u64);
            let staged = StagedDir::begin(&out)?;
            let summaries = reproduce(staged.path(), scale, seed, semantics, &|| bar.inc(1))?;
            staged.commit()?;
            bar.finish_and_clear();
            let wall = started.elapsed().as_secs_f64();
            eprintln!("wrote {} ({} runs) in {wall:.1} s; see report.md", out.display(), summaries.len());
            let objects: Vec<serde_json::Value> = summaries
                .iter()
                .map(|(variant, settings, summary)| {
                    let mut json = summary_json(settings, summary);
                    if let Some(map) = json.as_object_mut() {
                        map.insert("semantics".into(), variant.as_str().into());
                    }
                    json
                })
                .collect();
            println!("{}", serde_json::json!({ "wall_seconds": wall, "runs": objects }));
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            use clap::error::ErrorKind;
            if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                print!("{error}");
                return ExitCode::SUCCESS;
            }
            // One line: clap's message up to its usage, with the lines that
            // list missing arguments joined on; --help has the rest.
            let rendered = error.render().to_string();
            let message: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .take_while(|line| !line.starts_with("Usage:"))
                .filter(|line| {
                    !line.is_empty() && !line.starts_with("tip:") && !line.starts_with("For more information")
                })
                .collect();
            let message = message.join(" ");
            eprintln!("xil-bench: {} (see --help)", message.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xil-bench: {message}");
            ExitCode::FAILURE
        }
    }
}
