//! A tiny run end to end: its phases, the evidence only while fine-tuning,
//! the measurements in range, the same numbers again; bad settings name
//! their option.

use super::*;
use crate::data::fashion::{PIXELS, SIDE, Split};
use crate::data::idx::Images;
use crate::harness::observe::ticking;
use crate::protocols::attributions::DataSet;

/// `n` images whose class is a bright row (row 6 + 2 y), with faint noise.
fn split(n: usize, offset: usize) -> Split {
    let mut pixels: Vec<u8> = (0..n * PIXELS).map(|i| ((i * 7919 + offset) % 40) as u8).collect();
    let labels: Vec<u8> = (0..n).map(|i| ((i * 3 + offset) % 10) as u8).collect();
    for (i, &label) in labels.iter().enumerate() {
        let row = 5 + 2 * usize::from(label);
        pixels[i * PIXELS + row * SIDE + 4..i * PIXELS + row * SIDE + 24].fill(220);
    }
    Split { images: Images { rows: SIDE, columns: SIDE, pixels }, labels }
}

fn settings() -> BayesSettings {
    BayesSettings {
        feedback_share: 0.1,
        epochs_before: 1,
        epochs_after: 2,
        eval_samples: 3,
        batch: 32,
        explained: 3,
        learning_rate: 3e-3,
        ..BayesSettings::paper(DataSet::Mnist, 3)
    }
}

#[test]
fn a_tiny_run_trains_fine_tunes_with_feedback_measures_and_repeats_itself() {
    let images = (
        ImageSet { train: split(100, 0), test: split(30, 1) },
        Some(ImageSet { train: split(1, 7), test: split(12, 3) }),
    );
    let outcome = BayesFeedback::run(&settings(), &images, &ticking(&|| {})).unwrap();
    assert_eq!(outcome.split, (90, 10));
    assert_eq!(outcome.annotated, 9);
    // One epoch without feedback, two of the control, two with, three on
    // clean images; the baseline's one before and two with its penalty.
    let phases: Vec<usize> = outcome.epochs.iter().map(|e| e.phase).collect();
    assert_eq!(phases, [0, 3, 3, 1, 1, 2, 2, 2, 4, 5, 5]);
    let evidence = |phase| outcome.epochs.iter().filter(move |e| e.phase == phase).map(|e| e.evidence_loss);
    assert!(evidence(1).chain(evidence(5)).all(|loss| loss > 0.0));
    assert!([0, 2, 3, 4].into_iter().flat_map(evidence).all(|loss| loss == 0.0));
    // The control sees the same minibatches and noise as the feedback: only
    // the evidence differs.
    assert_ne!(outcome.control, outcome.after, "the evidence changes the fine-tuned network");
    let rrr = &outcome.right_reasons;
    assert!(rrr.best_epoch <= 2);
    for measured in [&outcome.before, &outcome.control, &outcome.after, &rrr.before, &rrr.after] {
        assert_eq!(measured.overlap.len(), 4);
        assert!(measured.overlap.iter().all(|o| (0.0..=1.0).contains(o)), "{measured:?}");
        assert!((0.0..=1.0).contains(&measured.accuracy));
        let ood = measured.ood_entropy.unwrap();
        assert!((0.0..=10f32.ln() + 1e-4).contains(&ood), "entropy within [0, ln 10]: {ood}");
    }
    // (90 images are too few to learn from: KL / n outweighs the labels;
    // CI's run on the real digits checks the learning.)
    assert!(outcome.epochs.iter().all(|e| (e.kl > 0.0) == (e.phase < 4) && e.label_loss.is_finite()));
    let again = BayesFeedback::run(&settings(), &images, &ticking(&|| {})).unwrap();
    assert_eq!(
        (again.before, again.after, again.clean_accuracy, again.right_reasons),
        (outcome.before.clone(), outcome.after.clone(), outcome.clean_accuracy, outcome.right_reasons.clone())
    );
    let summary = write::summary(&settings(), &outcome);
    assert!(summary["overlap_f"]["deeplift"].is_number());
    assert!(summary["overlap_control"]["deeplift"].is_number());
    assert!(summary["overlap_rrr"]["deeplift"].is_number());
}

#[test]
fn bad_settings_name_their_option() {
    let share = BayesSettings { feedback_share: 0.0, ..settings() };
    assert!(BayesFeedback::check(&share).unwrap_err().to_string().contains("--feedback-share"));
    let weight = BayesSettings { penalty_weight: -1.0, ..settings() };
    assert!(BayesFeedback::check(&weight).unwrap_err().to_string().contains("--penalty-weight"));
    let mc = BayesSettings { mc: 0, ..settings() };
    assert!(BayesFeedback::check(&mc).unwrap_err().to_string().contains("--mc"));
    let images = (ImageSet { train: split(10, 0), test: split(5, 1) }, None);
    let error = BayesFeedback::run(&settings(), &images, &ticking(&|| {})).unwrap_err().to_string();
    assert!(error.contains("at least 20 training"), "{error}");
}
