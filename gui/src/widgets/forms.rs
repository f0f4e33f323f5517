//! The settings forms of the bench's protocols, as the Watch tab shows them.

use crate::widgets::choices::{choice, named_choice, rule_choice};
use eframe::egui;
use xil_bench::protocols::active::session::BatchSettings;
use xil_bench::protocols::active::{ActiveData, ActiveModel, ActiveSettings, Strategy};
use xil_bench::protocols::attributions::DataSet;
use xil_bench::protocols::attributions::methods::Method;
use xil_bench::protocols::caipi_colors::{CaipiSettings, Learner};
use xil_bench::protocols::caipi_text::data::Headers;
use xil_bench::protocols::caipi_text::{QueryExplainer, TextSettings};
use xil_bench::protocols::cali::CaliSettings;
use xil_bench::protocols::decoy_fashion::{DecoySettings, Setting};
use xil_core::tasks::colors::{ONE_HOT, PIXELS};
use xil_core::{CaliStrategy, ExplanationLoss, QueryStrategy};

/// Seed, folds and queries per fold.
fn seed_and_folds(ui: &mut egui::Ui, seed: &mut u64, folds: &mut usize, iterations: &mut usize) {
    ui.add(egui::Slider::new(seed, 0..=1000).text("seed"))
        .on_hover_text("Same seed, same numbers: every fold draws from its own seeded stream");
    ui.add(egui::Slider::new(folds, 2..=10).text("folds"))
        .on_hover_text("Stratified folds: each is the test set once, the others the pool; curves average over them");
    ui.add(egui::Slider::new(iterations, 1..=300).text("queries per fold"))
        .on_hover_text("Queries the simulated user answers in each fold");
}

/// Seed, folds, queries per fold and images.
fn seed_and_size(ui: &mut egui::Ui, seed: &mut u64, folds: &mut usize, iterations: &mut usize, images: &mut usize) {
    seed_and_folds(ui, seed, folds, iterations);
    ui.add(egui::Slider::new(images, 100..=40_000).logarithmic(true).text("images"))
        .on_hover_text("Images generated for the run (the paper: 40,000)");
}

/// CAIPI on colors: rule, learner, LIME, query strategy, corrections, sizes.
pub fn caipi_form(ui: &mut egui::Ui, s: &mut CaipiSettings) {
    rule_choice(ui, &mut s.rule);
    egui::ComboBox::from_label("learner")
        .selected_text(s.learner.name())
        .show_ui(ui, |ui| {
            for learner in [Learner::L1Svm, Learner::L2Svm, Learner::Logreg] {
                ui.selectable_value(&mut s.learner, learner, learner.name());
            }
        })
        .response
        .on_hover_text("The model CAIPI refits on the 300 same-colour pair features (the paper: the L1 SVM)");
    ui.label("explainer: LIME");
    ui.add(egui::Slider::new(&mut s.lime_samples, 10..=5000).logarithmic(true).text("LIME samples"))
        .on_hover_text("Perturbed copies LIME scores per explanation (the paper: 2,000)");
    ui.add(egui::Slider::new(&mut s.lime_repeats, 1..=10).text("LIME repeats"))
        .on_hover_text("LIME runs per explanation; the pixels most of them name are kept (the paper: 10)");
    named_choice(
        ui,
        ("query", "Which unlabelled image is asked next (the paper: closest to the margin)"),
        &mut s.query,
        &QueryStrategy::ALL,
    );
    ui.checkbox(&mut s.corrections, "corrections")
        .on_hover_text("The simulated user marks the explained pixels outside the rule; off: labels only");
    ui.add(egui::Slider::new(&mut s.k, 1..=PIXELS).text("k (pixels explained)"))
        .on_hover_text("Pixels each explanation names (4 for rule 0, 3 for rule 1 in the paper)");
    ui.add(egui::Slider::new(&mut s.initial_per_class, 1..=10).text("initial labels per class"))
        .on_hover_text("Labelled images of each class a fold starts from");
    seed_and_size(ui, &mut s.seed, &mut s.folds, &mut s.iterations, &mut s.images);
    ui.checkbox(&mut s.mark_all_explained, "authors: mark all explained pixels").on_hover_text(
        "A deviation of the authors' code: the user marks every explained pixel, not only those outside the rule",
    );
    ui.checkbox(&mut s.continuous_perturbation, "authors: continuous perturbation").on_hover_text(
        "A deviation of the authors' code: a perturbed pixel equals no other pixel, as continuous values made it",
    );
}

/// CALIMOCHO: rule, depth, strategy, explanation loss, corrections, sizes.
pub fn cali_form(ui: &mut egui::Ui, s: &mut CaliSettings) {
    rule_choice(ui, &mut s.rule);
    egui::ComboBox::from_label("depth of w(x)")
        .selected_text(s.depth.to_string())
        .show_ui(ui, |ui| {
            for depth in [1, 3, 5] {
                ui.selectable_value(&mut s.depth, depth, depth.to_string());
            }
        })
        .response
        .on_hover_text("Layers of the network that computes the explanation w(x) (the paper: 1, 3 and 5)");
    named_choice(
        ui,
        ("query", "Which unlabelled image is asked next: at random, or the one the network is least sure of"),
        &mut s.strategy,
        &CaliStrategy::ALL,
    );
    named_choice(
        ui,
        ("explanation loss", "How a corrected explanation enters the loss (see docs/results/cali.md)"),
        &mut s.explanation_loss,
        &ExplanationLoss::ALL,
    );
    ui.checkbox(&mut s.corrections, "corrections")
        .on_hover_text("The simulated user corrects the explanation w(x) of each query; off: labels only");
    ui.add(egui::Slider::new(&mut s.corrected_entries, 1..=ONE_HOT).text("c (entries corrected)"))
        .on_hover_text("The simulated user corrects the c entries of w(x) farthest from the truth");
    ui.add(egui::Slider::new(&mut s.lambda, 0.0..=1.0).text("lambda (label-loss weight)"))
        .on_hover_text("The loss is lambda x label loss + (1 - lambda) x explanation loss (the paper: 0.9)");
    ui.add(egui::Slider::new(&mut s.initial, 1..=50).text("initial labels"))
        .on_hover_text("Labelled images a fold starts from");
    ui.add(egui::Slider::new(&mut s.steps_per_fit, 1..=500).text("Adam steps per fit"))
        .on_hover_text("Adam steps after each answer (the paper: 100)");
    seed_and_size(ui, &mut s.seed, &mut s.folds, &mut s.iterations, &mut s.images);
}

/// Decoy Fashion-MNIST: the correction, epochs, training images, seed.
pub fn decoy_form(ui: &mut egui::Ui, s: &mut DecoySettings) {
    ui.label("data: Fashion-MNIST ($XIL_FASHION_MNIST or Debian's dataset-fashion-mnist)");
    choice(
        ui,
        ("correction", "How the decoy is corrected: not at all, by counterexamples, or by the input-gradient penalty"),
        &mut s.setting,
        &Setting::ALL,
        |v| v.label(),
    );
    ui.add(egui::Slider::new(&mut s.epochs, 1..=64).text("epochs")).on_hover_text("Passes over the training images");
    let mut limited = s.train_limit.is_some();
    ui.checkbox(&mut limited, "use only the first training images")
        .on_hover_text("Train on fewer images for a quicker run");
    s.train_limit = match (limited, s.train_limit) {
        (true, Some(limit)) => {
            let mut limit = limit;
            ui.add(egui::Slider::new(&mut limit, 1000..=60_000).logarithmic(true).text("training images"))
                .on_hover_text("How many of the 60,000 training images");
            Some(limit)
        }
        (true, None) => Some(10_000),
        (false, _) => None,
    };
    ui.add(egui::Slider::new(&mut s.batch, 2..=1024).logarithmic(true).text("batch"))
        .on_hover_text("Images per Adam step");
    ui.add(egui::Slider::new(&mut s.learning_rate, 1e-5..=1e-1).logarithmic(true).text("learning rate"))
        .on_hover_text("Adam's step size");
    ui.add(egui::Slider::new(&mut s.penalty, 1.0..=1e5).logarithmic(true).text("input-gradient penalty"))
        .on_hover_text(
            "Weight of the right-reasons penalty on the decoy's input gradients (used by that correction only)",
        );
    ui.add(egui::Slider::new(&mut s.seed, 0..=1000).text("seed")).on_hover_text("Same seed, same numbers");
}

/// CAIPI on e-mails: explainer, headers, corrections, sizes.
pub fn text_form(ui: &mut egui::Ui, s: &mut TextSettings, headers: &mut Headers) {
    ui.label("data: SpamAssassin ($XIL_SPAM_ASSASSIN or scripts/fetch_spam_assassin's folder)");
    egui::ComboBox::from_label("explainer")
        .selected_text(format!("{:?}", s.explainer).to_lowercase())
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut s.explainer, QueryExplainer::Exact, "exact");
            ui.selectable_value(&mut s.explainer, QueryExplainer::Lime, "lime");
            ui.selectable_value(&mut s.explainer, QueryExplainer::KernelShap, "kernelshap");
        })
        .response
        .on_hover_text("What explains each query: the model's exact word weights, LIME or Kernel SHAP");
    ui.label("query: probability closest to 1/2");
    ui.checkbox(&mut s.corrections, "corrections")
        .on_hover_text("The simulated user removes the explained words that are not gold; off: labels only");
    egui::ComboBox::from_label("headers")
        .selected_text(format!("{headers:?}").to_lowercase())
        .show_ui(ui, |ui| {
            ui.selectable_value(headers, Headers::Keep, "keep");
            ui.selectable_value(headers, Headers::Strip, "strip");
        })
        .response
        .on_hover_text("Keep the e-mails' headers as words, or strip them as the paper did");
    ui.add(egui::Slider::new(&mut s.c, 0.1..=100.0).logarithmic(true).text("C"))
        .on_hover_text("The logistic regression's C: larger fits the labels more closely (weaker penalty)");
    ui.add(egui::Slider::new(&mut s.initial_per_class, 1..=20).text("initial labels per class"))
        .on_hover_text("Labelled e-mails of each class a fold starts from");
    seed_and_folds(ui, &mut s.seed, &mut s.folds, &mut s.iterations);
}

/// Active learning: data, network, strategy, seed set, steps, runs,
/// explainer.
pub fn active_form(ui: &mut egui::Ui, s: &mut ActiveSettings) {
    choice(ui, ("data", "The images the learner is trained on"), &mut s.data, &ActiveData::ALL, |v| v.label());
    learner_choices(ui, (&mut s.model, &mut s.strategy, &mut s.explainer));
    ui.add(egui::Slider::new(&mut s.q, 1..=20).text("seeds/class (q)"))
        .on_hover_text("Labelled images of each class a run starts from");
    ui.add(egui::Slider::new(&mut s.steps, 1..=20).text("steps"))
        .on_hover_text("Batches the strategy proposes and gets labelled");
    ui.add(egui::Slider::new(&mut s.runs, 1..=20).text("runs"))
        .on_hover_text("Runs with different seed sets; curves average over them");
    ui.add(egui::Slider::new(&mut s.epochs, 1..=50).text("epochs")).on_hover_text("Training epochs at each refit");
    ui.add(egui::Slider::new(&mut s.seed, 0..=1000).text("seed")).on_hover_text("Same seed, same numbers");
}

/// The model, strategy and explainer of an active learner (the Watch tab's
/// runs and the Label a batch tab's sessions).
pub fn learner_choices(
    ui: &mut egui::Ui,
    (model, strategy, explainer): (&mut ActiveModel, &mut Strategy, &mut Method),
) {
    choice(ui, ("model", "The network that learns from the labelled images"), model, &ActiveModel::ALL, |v| v.name());
    choice(
        ui,
        ("strategy", "How the next batch is chosen (ALEX: by explanations; retrieval: by similar explanations)"),
        strategy,
        &Strategy::ALL,
        |v| v.label(),
    );
    choice(
        ui,
        ("explainer (ALEX, retrieval)", "The attribution method the explanation-based strategies use"),
        explainer,
        &Method::ALL,
        |v| v.label(),
    );
}

/// Labelling batches by hand: images, learner, seed set, batch, epochs.
pub fn batch_form(ui: &mut egui::Ui, s: &mut BatchSettings) {
    choice(ui, ("images", "The images to label"), &mut s.data, &DataSet::ALL, |v| v.label());
    learner_choices(ui, (&mut s.model, &mut s.strategy, &mut s.explainer));
    ui.add(egui::Slider::new(&mut s.q, 1..=20).text("seeds/class (q)"))
        .on_hover_text("Labelled images of each class the session starts from");
    ui.add(egui::Slider::new(&mut s.batch, 1..=40).text("batch"))
        .on_hover_text("Images proposed for labelling at a time");
    ui.add(egui::Slider::new(&mut s.epochs, 1..=50).text("epochs")).on_hover_text("Training epochs at each refit");
    ui.add(egui::Slider::new(&mut s.seed, 0..=1000).text("seed")).on_hover_text("Same seed, same numbers");
}
