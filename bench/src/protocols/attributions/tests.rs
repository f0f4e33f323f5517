//! The attributions run on synthetic images whose only class signal is the
//! decoy: every network that learns them must be explained by the decoy.

use super::*;
use crate::data::decoy::{Decoy, DecoyData, patch};
use crate::data::fashion::{ImageSet, PIXELS, SIDE, Split};
use crate::data::idx::Images as Pixels;
use crate::harness::observe::ticking;

/// `n` images of faint noise with labels 0–9 and nothing else to learn from.
fn noise(n: usize, offset: usize) -> Split {
    let pixels = (0..n * PIXELS).map(|i| ((i * 7919 + offset) % 61) as u8).collect();
    Split { images: Pixels { rows: SIDE, columns: SIDE, pixels }, labels: (0..n).map(|i| (i % 10) as u8).collect() }
}

#[test]
fn four_corner_decoys_mark_every_corner_with_the_label() {
    let train = DecoyData::with_decoy(&noise(40, 0), Decoy::FourCorners, true, 1);
    for i in 0..train.len() {
        assert_eq!(train.decoy_pixels(i).len(), 64);
        for corner in 0..4 {
            assert!(patch(corner).iter().all(|&p| train.image(i)[p] == 255 - 25 * train.labels[i]));
        }
    }
    let test = DecoyData::with_decoy(&noise(1000, 0), Decoy::FourCorners, false, 2);
    let matching = (0..test.len()).filter(|&i| test.image(i)[0] == 255 - 25 * test.labels[i]).count();
    assert!((60..140).contains(&matching), "{matching} of 1000 test decoys show the label");
}

fn settings(model: ModelKind) -> AttributionSettings {
    AttributionSettings {
        epochs: 25,
        batch: 32,
        learning_rate: 3e-3,
        explained: 12,
        shap_samples: 300,
        lime_samples: 300,
        ..AttributionSettings::new(DataSet::Mnist, Decoy::FourCorners, model, 3)
    }
}

#[test]
fn a_network_that_can_only_use_the_decoy_is_explained_by_it() {
    let images = ImageSet { train: noise(400, 0), test: noise(60, 5) };
    for model in [ModelKind::Mlp, ModelKind::Lenet] {
        let settings = settings(model);
        let outcome = Attributions::run(&settings, &images, &ticking(&|| {})).unwrap();
        assert!(outcome.train_accuracy > 0.9, "{model:?}: train accuracy {}", outcome.train_accuracy);
        // Test decoys show a random class: a decoy reader is right 1 time in 10.
        assert!(outcome.test_accuracy < 0.3, "{model:?}: test accuracy {}", outcome.test_accuracy);
        let summary = write::summary(&settings, &outcome);
        let chance = 64.0 / 784.0;
        for method in Method::ALL {
            let value = &summary["methods"][method.name()];
            if model == ModelKind::Mlp && method == Method::GradCam {
                assert!(value.is_null(), "the perceptron has no convolution");
                continue;
            }
            let overlap = value["overlap"].as_f64().unwrap();
            // Methods that split the logit among the pixels (input x gradient,
            // DeepLIFT, occlusion, Kernel SHAP, LIME) put about half of it on
            // the decoy here; saliency (sensitivity, also to noise pixels)
            // about twice chance. Grad-CAM's 10 x 10 map puts less than chance
            // there (0.03), as seed 003's Table 2 also finds for a decoy-trained
            // LeNet (0.063), so it is not held to this.
            let least = match method {
                Method::GradCam => 0.0,
                Method::Saliency => 1.5 * chance,
                _ => 4.0 * chance,
            };
            assert!(overlap > least, "{model:?}, {}: overlap {overlap}", method.name());
        }
        let again = Attributions::run(&settings, &images, &ticking(&|| {})).unwrap();
        let overlaps = |o: &Outcome| o.methods.iter().flatten().map(|r| r.overlap).collect::<Vec<_>>();
        assert_eq!(overlaps(&outcome), overlaps(&again), "{model:?}: same seed, same maps");
        assert_eq!(outcome.test_accuracy, again.test_accuracy);
    }
}

#[test]
fn impossible_settings_name_their_option() {
    for (bad, option) in [
        (AttributionSettings { explained: 0, ..settings(ModelKind::Mlp) }, "--explained"),
        (AttributionSettings { shap_samples: 0, ..settings(ModelKind::Mlp) }, "--shap-samples"),
        (AttributionSettings { epochs: 0, ..settings(ModelKind::Mlp) }, "--epochs"),
    ] {
        assert!(Attributions::check(&bad).unwrap_err().to_string().contains(option), "{option}");
    }
    let images = ImageSet { train: noise(10, 0), test: noise(5, 0) };
    let too_many = AttributionSettings { train_limit: Some(11), ..settings(ModelKind::Mlp) };
    let error = Attributions::run(&too_many, &images, &ticking(&|| {})).unwrap_err().to_string();
    assert!(error.contains("--train-limit"), "{error}");
}
