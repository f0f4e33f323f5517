//! The device's fixed-vocabulary text path (xil-core) agrees with the
//! desktop's TF-IDF (xil-bench) on ASCII mail, and a core learner trained on
//! it explains with words.

use nalgebra::SVector;
use xil_bench::protocols::caipi_text::tfidf::{Limits, Vocabulary as DesktopVocabulary, tokens};
use xil_core::tasks::text::{TfIdf, Vocabulary};
use xil_core::{Decision, Example, FeatureMap, Featurized, Fit, LogisticRegression};

const MESSAGES: [&str; 8] = [
    "Cheap pills, limited offer: buy now",
    "Project meeting moved to Monday",
    "Buy cheap watches, special offer",
    "The project report is attached for the meeting",
    "Offer ends soon, buy cheap",
    "Minutes: project meeting",
    "cheap cheap cheap offer now",
    "Meeting agenda and project plan",
];

fn desktop() -> DesktopVocabulary {
    let documents: Vec<Vec<String>> = MESSAGES.iter().map(|m| tokens(m).collect()).collect();
    DesktopVocabulary::build(&documents, Limits { min_df: 2, max_df: 0.8 })
}

/// The desktop vocabulary as the device's two arrays.
fn device_arrays(desktop: &DesktopVocabulary) -> ([&str; 6], [f32; 6]) {
    (std::array::from_fn(|i| desktop.word(i as u32)), std::array::from_fn(|i| desktop.idf(i as u32)))
}

#[test]
fn core_tf_idf_features_equal_the_desktop_rows() {
    let desktop = desktop();
    assert_eq!(desktop.len(), 6, "buy, cheap, meeting, now, offer, project");
    let (words, idf) = device_arrays(&desktop);
    let vocabulary = Vocabulary::new(&words).unwrap();
    let map = TfIdf::new(&idf).unwrap();
    for message in MESSAGES {
        let expected = desktop.row(&desktop.bag(&tokens(message).collect::<Vec<_>>()));
        let features: SVector<f32, 7> = map.features(&vocabulary.count(message));
        let mut dense = [0.0f32; 7];
        for (&i, &v) in expected.indices.iter().zip(&expected.values) {
            dense[i as usize] = v;
        }
        for j in 0..7 {
            assert!(
                approx::abs_diff_eq!(features[j], dense[j], epsilon = 1e-6),
                "{message}: feature {j} {} vs {}",
                features[j],
                dense[j]
            );
        }
    }
}

#[test]
fn a_core_logistic_regression_on_word_counts_explains_with_words() {
    let desktop = desktop();
    let (words, idf) = device_arrays(&desktop);
    let vocabulary = Vocabulary::new(&words).unwrap();
    let map = TfIdf::new(&idf).unwrap();
    let examples: Vec<Example<[u16; 6]>> = MESSAGES
        .iter()
        .enumerate()
        .map(|(i, m)| Example::labelled(vocabulary.count(m), u8::from(i % 2 == 0)))
        .collect();
    let model = Fit::<7, 8>::fit(&LogisticRegression::new().c(10.0), &Featurized::new(&examples, &map)).unwrap();
    let spam: SVector<f32, 7> = map.features(&vocabulary.count("cheap offer"));
    let contributions = model.contributions(&spam);
    let top = (0..6).max_by(|&a, &b| contributions[a].total_cmp(&contributions[b])).unwrap();
    assert!(["cheap", "offer"].contains(&words[top]), "top word {}", words[top]);
    assert!(model.decision(&spam) > 0.0);
}
