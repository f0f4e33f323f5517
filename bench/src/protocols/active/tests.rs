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
