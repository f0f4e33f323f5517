//! Every strategy on a tiny pool: it runs, repeats itself, labels a batch
//! per step, and every strategy starts from the same seed set.

use super::*;
use crate::data::fashion::{PIXELS, SIDE, Split};
use crate::data::idx::Images;
use crate::harness::observe::ticking;
use crate::protocols::attributions::methods::Method;

/// `n` images whose class is a bright row (row 4 + 2 y), with faint noise.
fn split(n: usize, offset: usize) -> Split {
    let mut pixels: Vec<u8> = (0..n * PIXELS).map(|i| ((i * 7919 + offset) % 40) as u8).collect();
    let labels: Vec<u8> = (0..n).map(|i| ((i * 3 + offset) % 10) as u8).collect();
    for (i, &label) in labels.iter().enumerate() {
        let row = 4 + 2 * usize::from(label);
        pixels[i * PIXELS + row * SIDE..i * PIXELS + (row + 1) * SIDE].fill(220);
    }
    Split { images: Images { rows: SIDE, columns: SIDE, pixels }, labels }
}

fn settings(strategy: Strategy) -> ActiveSettings {
    ActiveSettings {
        model: ActiveModel::Mlp,
        steps: 2,
        runs: 2,
        epochs: 5,
        explainer: Method::InputXGradient,
        explainer_samples: 100,
        pool: 150,
        test: 60,
        ..ActiveSettings::paper(ActiveData::Mnist, strategy, 1, 5)
    }
}

#[test]
fn every_strategy_runs_repeats_itself_and_shares_the_seed_set() {
    let images = Loaded::Images(ImageSet { train: split(150, 0), test: split(60, 1) });
    let mut first_steps = Vec::new();
    for strategy in Strategy::ALL {
        let settings = settings(strategy);
        let rows = Active::run(&settings, &images, &ticking(&|| {})).unwrap();
        assert_eq!(rows.len(), 6, "{strategy:?}");
        assert_eq!(rows.iter().map(|r| r.labelled).collect::<Vec<_>>(), [10, 20, 30, 10, 20, 30], "{strategy:?}");
        let again = Active::run(&settings, &images, &ticking(&|| {})).unwrap();
        let numbers = |rows: &[ActiveRow]| rows.iter().map(|r| (r.accuracy, r.f1_macro)).collect::<Vec<_>>();
        assert_eq!(numbers(&rows), numbers(&again), "{strategy:?}: same seed, same numbers");
        first_steps.push((rows[0].accuracy, rows[3].accuracy));
        let summary = write::summary(&settings, &rows);
        assert_eq!(summary["accuracy"].as_array().unwrap().len(), 3);
        assert_eq!(summary["strategy"], strategy.name());
    }
    assert!(first_steps.windows(2).all(|w| w[0] == w[1]), "one seed set per run: {first_steps:?}");
    // ALEX with Kernel SHAP as in the paper (a small budget).
    let kernel_shap = ActiveSettings { explainer: Method::KernelShap, ..settings(Strategy::Alex) };
    assert_eq!(Active::run(&kernel_shap, &images, &ticking(&|| {})).unwrap().len(), 6);
}

#[test]
fn impossible_settings_name_their_option() {
    let too_many = ActiveSettings { steps: 20, ..settings(Strategy::Random) };
    assert!(Active::check(&too_many).unwrap_err().to_string().contains("--pool"));
    let no_runs = ActiveSettings { runs: 0, ..settings(Strategy::Random) };
    assert!(Active::check(&no_runs).unwrap_err().to_string().contains("--runs"));
    let grad_cam = ActiveSettings { explainer: Method::GradCam, ..settings(Strategy::Alex) };
    assert!(Active::check(&grad_cam).unwrap_err().to_string().contains("--explainer"));
    let images = Loaded::Images(ImageSet { train: split(100, 0), test: split(10, 1) });
    let error = Active::run(&settings(Strategy::Random), &images, &ticking(&|| {})).unwrap_err().to_string();
    assert!(error.contains("--pool 150 exceeds"), "{error}");
}

/// Settings of a linear model on the colors images, at a tiny size.
fn linear_settings(model: ActiveModel, strategy: Strategy) -> ActiveSettings {
    ActiveSettings {
        model,
        steps: 2,
        batch: Some(20),
        explained: Some(15),
        runs: 2,
        explainer: Method::KernelShap,
        explainer_samples: 64,
        pool: 300,
        test: 200,
        ..ActiveSettings::paper(ActiveData::Colors, strategy, 6, 3)
    }
}

#[test]
fn every_strategy_runs_on_linear_models_and_repeats_itself() {
    let colors = Loaded::Colors(sources::colors_images(3));
    for model in [ActiveModel::LinearSvm, ActiveModel::Logreg] {
        for strategy in Strategy::ALL {
            let settings = linear_settings(model, strategy);
            let rows = Active::run(&settings, &colors, &ticking(&|| {})).unwrap();
            assert_eq!(rows.iter().map(|r| r.labelled).collect::<Vec<_>>(), [12, 32, 52, 12, 32, 52], "{strategy:?}");
            let again = Active::run(&settings, &colors, &ticking(&|| {})).unwrap();
            let numbers = |rows: &[ActiveRow]| rows.iter().map(|r| (r.accuracy, r.f1_macro)).collect::<Vec<_>>();
            assert_eq!(numbers(&rows), numbers(&again), "{model:?} {strategy:?}: same seed, same numbers");
        }
    }
    // CAIPI's pair features make the rules linear: 200 labels suffice.
    let settings = ActiveSettings {
        q: 50,
        steps: 1,
        batch: Some(100),
        pool: 600,
        ..linear_settings(ActiveModel::Logreg, Strategy::Random)
    };
    let rows = Active::run(&settings, &colors, &ticking(&|| {})).unwrap();
    assert!(rows.iter().filter(|r| r.step == 1).all(|r| r.accuracy > 0.95), "{rows:?}");
}

#[test]
fn linear_explanations_keep_their_closed_forms() {
    use learners::Learner;
    use learners::linear::Linear;
    // Six features, some of them 0; class 1 when the first two outweigh the
    // next two.
    const D: usize = 6;
    let instance = |i: usize| -> nalgebra::SVector<f32, D> {
        nalgebra::SVector::from_fn(
            |j, _| if (i + j).is_multiple_of(4) { 0.0 } else { ((i * 7 + j * 13) % 17) as f32 / 17.0 },
        )
    };
    let label = |x: &nalgebra::SVector<f32, D>| u8::from(x[0] + x[1] > x[2] + x[3]);
    let rows: Vec<_> = (0..400).map(instance).collect();
    let labels: Vec<u8> = rows.iter().map(label).collect();
    let source = sources::Instances {
        train: rows[..300].to_vec(),
        train_labels: labels[..300].to_vec(),
        test: rows[300..].to_vec(),
        test_labels: labels[300..].to_vec(),
    };
    let settings = linear_settings(ActiveModel::Logreg, Strategy::Random);
    let pool = pool::Pool::<D, 2>::prepare(&settings, &source).unwrap();
    let all: Vec<u32> = (0..pool.pool.len() as u32).collect();
    let learner = Linear::new(&settings).unwrap();
    let fitted = Learner::<D, 2>::fit(&learner, &pool, &all, 0, 0).unwrap();
    let mut rng = crate::harness::seeds::Stream::ActiveExplain(0).rng(0);
    let ixg = Linear::new(&ActiveSettings { explainer: Method::InputXGradient, ..settings.clone() }).unwrap();
    for x in pool.test.iter().take(5) {
        let p: [f32; 2] = learner.probabilities(&fitted, x);
        assert!((p[0] + p[1] - 1.0).abs() < 1e-6, "{p:?}");
        for class in 0..2 {
            // Kernel SHAP of P(class) (exact: 64 evaluations cover 6 features):
            // efficiency, and each value has the sign of the feature's share
            // of the decision (the sigmoid is increasing).
            let phi = Learner::<D, 2>::explain(&learner, &fitted, x, class, &mut rng).unwrap();
            let at_zero: [f32; 2] = learner.probabilities(&fitted, &nalgebra::SVector::zeros());
            let at_zero = at_zero[class];
            assert!(
                (phi.sum() - (p[class] - at_zero)).abs() < 1e-4,
                "efficiency: {} vs {}",
                phi.sum(),
                p[class] - at_zero
            );
            let shares = Learner::<D, 2>::explain(&ixg, &fitted, x, class, &mut rng).unwrap();
            for (v, s) in phi.iter().zip(shares.iter()) {
                assert!(v * s >= 0.0 && (*s != 0.0 || *v == 0.0), "Shapley value {v} vs share {s}");
            }
        }
    }
    assert!(Learner::<D, 2>::explain(&ixg, &fitted, &pool.test[0], 1, &mut rng).unwrap().iter().any(|v| *v != 0.0));
}

#[test]
fn networks_refuse_text_and_linear_models_refuse_network_explainers() {
    let network_on_mail =
        ActiveSettings { model: ActiveModel::AlexCnn, ..linear_settings(ActiveModel::LinearSvm, Strategy::Random) };
    assert!(Active::check(&network_on_mail).unwrap_err().to_string().contains("--model alex-cnn needs --data"));
    let deeplift =
        ActiveSettings { explainer: Method::DeepLift, ..linear_settings(ActiveModel::Logreg, Strategy::Alex) };
    assert!(Active::check(&deeplift).unwrap_err().to_string().contains("--explainer deeplift"));
}

#[test]
fn the_budget_search_scores_every_budget_on_a_split_of_the_seed_set() {
    let source = sources::colors_images(5);
    let settings = ActiveSettings {
        strategy: Strategy::ExplanationRetrieval,
        q: 10,
        ..linear_settings(ActiveModel::LinearSvm, Strategy::ExplanationRetrieval)
    };
    let pool = pool::Pool::<{ sources::COLOR_FEATURES }, 2>::prepare(&settings, &source).unwrap();
    let linear = learners::linear::Linear::new(&settings).unwrap();
    let ticks = std::sync::atomic::AtomicUsize::new(0);
    let tick = || {
        ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let found = reproduce::budget::search(&settings, &linear, &pool, (&[8, 64, 512], 2), &tick).unwrap();
    // 10 per class: 3 validate, 7 train.
    assert_eq!(found.split, (14, 6));
    assert_eq!(found.scores.iter().map(|s| s.samples).collect::<Vec<_>>(), [8, 64, 512]);
    assert_eq!(ticks.into_inner(), 6);
    let best = found.scores.iter().map(|s| s.validation_f1).fold(f32::NEG_INFINITY, f32::max);
    let first_best = found.scores.iter().find(|s| s.validation_f1 == best).unwrap();
    assert_eq!(found.chosen, first_best.samples);
    assert!(found.scores.iter().all(|s| (0.0..=1.0).contains(&s.validation_f1)));
    let again = reproduce::budget::search(&settings, &linear, &pool, (&[8, 64, 512], 2), &|| {}).unwrap();
    let scores = |s: &reproduce::budget::BudgetSearch| s.scores.iter().map(|b| b.validation_f1).collect::<Vec<_>>();
    assert_eq!(scores(&found), scores(&again));
}

#[test]
fn separation_counts_rounds_whose_intervals_do_not_overlap() {
    use reproduce::retrieval::{Arm, separated};
    let arm = |f1: Vec<(usize, f32, f32)>| Arm { strategy: Strategy::Random, f1, seconds_per_step: 0.0 };
    let ours = arm(vec![(10, 0.5, 0.1), (20, 0.8, 0.05), (30, 0.6, 0.05), (40, 0.7, 0.1)]);
    let random = arm(vec![(10, 0.5, 0.1), (20, 0.6, 0.05), (30, 0.8, 0.05), (40, 0.75, 0.1)]);
    // Round 1 (the seed set) is not counted; round 2 above, 3 below, 4 overlaps.
    assert_eq!(separated(&ours, &random), (1, 1));
}

#[test]
fn withheld_instances_are_never_chosen() {
    use learners::Learner;
    let source = sources::colors_images(6);
    for strategy in Strategy::ALL {
        let settings = linear_settings(ActiveModel::Logreg, strategy);
        let pool = pool::Pool::<{ sources::COLOR_FEATURES }, 2>::prepare(&settings, &source).unwrap();
        let labelled: Vec<u32> = (0..40).collect();
        let withheld: Vec<u32> = (40..290).collect();
        let linear = learners::linear::Linear::new(&settings).unwrap();
        let fitted = Learner::<{ sources::COLOR_FEATURES }, 2>::fit(&linear, &pool, &labelled, 0, 0).unwrap();
        let chosen = run::choose((&linear, &fitted), &settings, &pool, (&labelled, &withheld), (0, 0)).unwrap();
        assert_eq!(chosen.len(), 10, "{strategy:?}: the 10 left");
        assert!(chosen.iter().all(|&i| i >= 290), "{strategy:?}: {chosen:?}");
    }
}

/// The tiny image set of the network tests.
fn tiny_images() -> ImageSet {
    ImageSet { train: split(150, 0), test: split(60, 1) }
}

fn batch_settings(strategy: Strategy) -> session::BatchSettings {
    session::BatchSettings {
        strategy,
        epochs: 5,
        pool: 150,
        test: 60,
        explainer_samples: 64,
        ..session::BatchSettings::default()
    }
}

#[test]
fn a_truthful_annotator_reproduces_the_benchs_first_run() {
    let images = tiny_images();
    for strategy in [Strategy::Alex, Strategy::ExplanationRetrieval, Strategy::Margin] {
        let settings = batch_settings(strategy);
        let mut session = session::start(settings.clone(), &images).unwrap();
        for _ in 0..2 {
            let truth: Vec<u8> = session.proposal().iter().map(|&i| session.truth(i).unwrap()).collect();
            session.answer(&truth).unwrap();
        }
        let bench = Active::run(
            &ActiveSettings { steps: 2, ..settings.active() },
            &Loaded::Images(images.clone()),
            &ticking(&|| {}),
        )
        .unwrap();
        let ours: Vec<(usize, f32)> = session.points().iter().map(|p| (p.labelled, p.accuracy)).collect();
        let theirs: Vec<(usize, f32)> = bench.iter().map(|r| (r.labelled, r.accuracy)).collect();
        assert_eq!(ours, theirs, "{strategy:?}");
        assert!(session.points().iter().all(|p| p.agreement == 1.0));
    }
}

#[test]
fn a_wrong_answer_changes_nothing_and_wrong_labels_are_learnt_as_given() {
    let images = tiny_images();
    let mut session = session::start(batch_settings(Strategy::Random), &images).unwrap();
    let proposal = session.proposal().to_vec();
    let error = session.answer(&[1, 2]).unwrap_err().to_string();
    assert!(error.contains("2 labels for a batch of 10"), "{error}");
    assert!(session.answer(&[10; 10]).unwrap_err().to_string().contains("class 10"));
    assert_eq!((session.proposal(), session.points().len()), (&proposal[..], 1));
    // Every label off by one: the agreement says so.
    let wrong: Vec<u8> = proposal.iter().map(|&i| (session.truth(i).unwrap() + 1) % 10).collect();
    session.answer(&wrong).unwrap();
    assert_eq!(session.points()[1].agreement, 0.0);
    assert_eq!(session.points()[1].labelled, 20);
}

#[test]
fn the_reasons_explain_the_choice_made() {
    use xil_core::{QueryStrategy, uncertainty};
    let images = tiny_images();
    for strategy in Strategy::ALL {
        let session = session::start(batch_settings(strategy), &images).unwrap();
        let reasons = session.reasons().unwrap();
        assert_eq!(reasons.why.len(), session.proposal().len(), "{strategy:?}");
        let chosen = session.proposal();
        let others: Vec<u32> = (0..150u32).filter(|i| !chosen.contains(i)).collect();
        match strategy {
            Strategy::LeastConfident => {
                // The chosen are the least confident of the unlabelled: only
                // the 10 of the seed set may be more uncertain than the least
                // of them.
                let least = reasons
                    .why
                    .iter()
                    .map(|w| match w {
                        reasons::Why::Uncertain(u) => *u,
                        other => panic!("{other:?}"),
                    })
                    .fold(f32::INFINITY, f32::min);
                let above = others
                    .iter()
                    .filter(|&&i| uncertainty(QueryStrategy::LeastConfident, &session.probabilities(i)) > least + 1e-6)
                    .count();
                assert!(above <= 10, "{above} more uncertain images left out");
            }
            Strategy::Alex => {
                let mean = reasons.labelled_mean.unwrap();
                assert!((mean.sum() - 1.0).abs() < 1e-3, "a mean of distributions: {}", mean.sum());
                for why in &reasons.why {
                    let reasons::Why::Divergent { divergence, distribution } = why else { panic!("{why:?}") };
                    assert!(*divergence >= 0.0 && (distribution.sum() - 1.0).abs() < 1e-3);
                }
            }
            Strategy::ExplanationRetrieval => {
                let scores: Vec<f32> = reasons
                    .why
                    .iter()
                    .map(|w| match w {
                        reasons::Why::Retrieved { score, pair } => {
                            if let Some(pair) = pair {
                                assert_ne!(pair[0].prediction, pair[1].prediction, "a pair disagrees");
                            }
                            *score
                        }
                        other => panic!("{other:?}"),
                    })
                    .collect();
                assert!(scores.windows(2).all(|w| w[0] >= w[1]), "proposed best first: {scores:?}");
            }
            _ => {}
        }
    }
}
