//! The Label a batch tab: be the annotator of an active learner on MNIST or
//! Fashion-MNIST. The chosen strategy proposes a batch; each proposed image
//! comes with why it was chosen — its uncertainty, ALEX's divergence with
//! its explanation beside the labelled set's mean explanation, or for
//! explanation-based retrieval the explained pair (different predictions,
//! alike explanations) that pulled it in. Give every image its class (click
//! it, then `0`–`9`; the next image is selected; the arrow keys move), `a` fills the rest with the
//! model's predictions, `Enter` submits the batch, `Backspace` takes the last
//! batch back, `s` saves. The model refits on a worker
//! ([`serve_batches`](crate::sessions::batches::serve_batches)); the plot
//! shows test accuracy and macro-F1 after each batch; the session is saved
//! after every batch (`batch-session.json`).

use crate::export::{ExportJob, Progress, export_or_explain};
use crate::sessions::batches::{BatchDecision, BatchLabelling, ProposedImage, ShownBatch};
use crate::tabs::session::SessionTab;
use crate::tabs::{Tab, Worker};
use crate::widgets::forms::batch_form;
use crate::widgets::picture;
use crate::widgets::plots;
use crate::widgets::sessions::{Asked, DIGIT_KEYS};
use eframe::egui;
use egui_plot::{Line, PlotPoints};
use std::path::PathBuf;
use xil_bench::protocols::active::Strategy;
use xil_bench::protocols::active::reasons::Why;
use xil_bench::protocols::attributions::DataSet;

/// Points per pixel of a proposed image and its explanation.
const SCALE: f32 = 3.0;

/// Points per pixel of the images of a retrieved pair.
const PAIR_SCALE: f32 = 2.0;

/// Width of a proposed image's card in points (two pictures and margins).
const CARD_WIDTH: f32 = 2.0 * 28.0 * SCALE + 30.0;

/// The tab's state; its worker starts on first use.
pub struct BatchTab {
    session: SessionTab<BatchLabelling, usize>,
    /// The class given to each proposed image so far.
    labels: Vec<Option<u8>>,
    /// The proposal the labels belong to.
    labelled_proposal: Vec<u32>,
    /// The image the digit keys label.
    selected: usize,
}

impl BatchTab {
    /// A tab whose session is saved at `path`; nothing is read yet.
    pub fn new(path: PathBuf) -> Self {
        Self { session: SessionTab::new(path, "batch"), labels: Vec::new(), labelled_proposal: Vec::new(), selected: 0 }
    }

    /// The session: its view and messages.
    pub fn session(&self) -> &SessionTab<BatchLabelling, usize> {
        &self.session
    }

    /// The classes given so far to the batch on screen.
    pub fn labels(&self) -> &[Option<u8>] {
        &self.labels
    }

    fn shown(&self) -> Option<&ShownBatch> {
        self.session.view()?.shown.as_ref()
    }

    /// Starts the labels afresh when the proposal on screen changed.
    fn follow_proposal(&mut self) {
        let proposal: Vec<u32> = self.shown().map(|s| s.images.iter().map(|i| i.index).collect()).unwrap_or_default();
        if proposal != self.labelled_proposal {
            self.labels = vec![None; proposal.len()];
            self.labelled_proposal = proposal;
            self.selected = 0;
        }
    }

    /// Gives the selected image class `label` and selects the next one
    /// without a class.
    pub fn label_selected(&mut self, label: u8) {
        self.follow_proposal();
        if let Some(slot) = self.labels.get_mut(self.selected) {
            *slot = Some(label);
        }
        let n = self.labels.len();
        if let Some(next) = (1..=n).map(|k| (self.selected + k) % n.max(1)).find(|&i| self.labels[i].is_none()) {
            self.selected = next;
        }
    }

    /// Selects proposed image `position`.
    pub fn select(&mut self, position: usize) {
        self.follow_proposal();
        if position < self.labels.len() {
            self.selected = position;
        }
    }

    /// Gives every image without a class the model's prediction.
    pub fn accept_predictions(&mut self) {
        self.follow_proposal();
        let predictions: Vec<u8> =
            self.shown().map(|s| s.images.iter().map(ProposedImage::prediction).collect()).unwrap_or_default();
        for (slot, prediction) in self.labels.iter_mut().zip(predictions) {
            slot.get_or_insert(prediction);
        }
    }

    /// Submits the batch when every image has a class (else says which do
    /// not).
    pub fn submit(&mut self) {
        self.follow_proposal();
        if self.session.busy() {
            return;
        }
        let missing: Vec<String> =
            self.labels.iter().enumerate().filter(|(_, l)| l.is_none()).map(|(i, _)| (i + 1).to_string()).collect();
        if self.labels.is_empty() {
            self.session.say("no batch on screen".into());
        } else if missing.is_empty() {
            self.session.decide(BatchDecision { labels: self.labels.iter().flatten().copied().collect() });
        } else {
            self.session.say(format!("give a class to image {} first (click it, then 0-9)", missing.join(", ")));
        }
    }

    /// The session's points, for export.
    pub fn progress(&self) -> Option<Progress> {
        let view = self.session.view()?;
        Some(Progress {
            title: format!("{} labelled by hand, {}", view.settings.data.label(), view.settings.strategy.label()),
            columns: vec!["test accuracy", "test macro-F1", "agreement with the data set"],
            rows: view.points.iter().map(|p| (p.labelled, vec![p.accuracy, p.f1_macro, p.agreement])).collect(),
        })
    }

    /// One proposed image: the picture (click to select), the prediction,
    /// why it was chosen and its class.
    fn card(&mut self, ui: &mut egui::Ui, position: usize, image: &ProposedImage, why: Option<&Why<784>>) {
        let names = self.session.view().map_or(DataSet::default(), |v| v.settings.data).class_names();
        let class = |c: u8| names.get(usize::from(c)).copied().unwrap_or("?");
        let strategy = self.session.view().map_or(Strategy::Random, |v| v.settings.strategy);
        let selected = position == self.selected;
        let stroke = if selected { egui::Stroke::new(2.0, egui::Color32::YELLOW) } else { egui::Stroke::NONE };
        egui::Frame::group(ui.style()).stroke(stroke).show(ui, |ui| {
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    let name = format!("Proposed image {}", position + 1);
                    let (response, painter) = picture::allocate(ui, SCALE, &name, egui::Sense::click());
                    picture::grey(&painter, response.rect, &image.pixels, SCALE);
                    if response.clicked() {
                        self.select(position);
                    }
                    if let Some(Why::Divergent { distribution, .. }) = why {
                        picture::heatmap(ui, distribution.as_slice(), SCALE, "Its explanation");
                    }
                });
                let prediction = image.prediction();
                ui.label(format!(
                    "{}. predicted {} ({:.2})",
                    position + 1,
                    class(prediction),
                    image.probabilities[usize::from(prediction)]
                ));
                self.reason(ui, strategy, why);
                let chosen = self.labels.get(position).copied().flatten();
                let text = chosen.map_or("class: ?".to_string(), |c| format!("class: {}", class(c)));
                egui::ComboBox::from_id_salt(("batch class", position))
                    .selected_text(text)
                    .width(110.0)
                    .show_ui(ui, |ui| {
                        for c in 0..10u8 {
                            if ui.selectable_label(chosen == Some(c), format!("{c} {}", class(c))).clicked() {
                                self.select(position);
                                self.label_selected(c);
                            }
                        }
                    })
                    .response
                    .on_hover_text("This image's class (or select it and press 0-9)");
            });
        });
    }

    /// Why an image was chosen, in words (and for retrieval the pair).
    fn reason(&self, ui: &mut egui::Ui, strategy: Strategy, why: Option<&Why<784>>) {
        let Some(why) = why else { return };
        match why {
            Why::Drawn => {
                ui.label("drawn at random");
            }
            Why::Uncertain(score) => {
                let measure = match strategy {
                    Strategy::Margin => "margin −(p1 − p2)",
                    Strategy::Entropy => "entropy",
                    _ => "1 − p(top)",
                };
                ui.label(format!("{measure}: {score:.3}"));
            }
            Why::Dense { uncertainty, distance } => {
                ui.label(format!("1 − p(top) {uncertainty:.3}, distance² to its cluster {distance:.1}"));
            }
            Why::Divergent { divergence, .. } => {
                ui.label(format!("KL to the labelled: {divergence:.3}"));
            }
            Why::Retrieved { score, pair } => {
                ui.label(format!("W = {score:.2}"));
                match pair {
                    Some(pair) => {
                        ui.label("pulled in by this pair:");
                        ui.horizontal(|ui| {
                            for member in pair.iter() {
                                ui.vertical(|ui| {
                                    let pixels = self.shown().and_then(|s| {
                                        s.pair_pixels.iter().find(|(i, _)| *i == member.index).map(|(_, p)| p.clone())
                                    });
                                    let (response, painter) =
                                        picture::allocate(ui, PAIR_SCALE, "Pair image", egui::Sense::hover());
                                    picture::grey(&painter, response.rect, &pixels.unwrap_or_default(), PAIR_SCALE);
                                    picture::heatmap(ui, member.explanation.as_slice(), PAIR_SCALE, "Pair explanation");
                                    ui.small(format!("predicted {}", member.prediction));
                                });
                            }
                        });
                    }
                    None => {
                        ui.label("(the sample agreed everywhere)");
                    }
                }
            }
        }
    }

    fn plot(&self, ui: &mut egui::Ui) {
        let Some(view) = self.session.view() else { return };
        let line = |value: fn(&xil_bench::protocols::active::session::BatchPoint) -> f32| -> PlotPoints {
            view.points.iter().map(|p| [p.labelled as f64, f64::from(value(p))]).collect()
        };
        plots::counted("batch progress", "images labelled", "accuracy; macro-F1", 170.0).legend(plots::legend()).show(
            ui,
            |plot| {
                plot.line(Line::new("test accuracy", line(|p| p.accuracy)));
                plot.line(Line::new("test macro-F1", line(|p| p.f1_macro)));
            },
        );
    }
}

impl Tab for BatchTab {
    fn worker(&mut self) -> &mut dyn Worker {
        &mut self.session
    }

    fn task(&self) -> &'static str {
        "An active learner proposes a batch of images it wants labelled, each with why it chose it (how unsure \
         it is, or how its explanation differs from the labelled set's). Give each image its class (0-9) and \
         submit the batch: the model refits and proposes the next one."
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("0 - 9", "label the selected image"),
            ("Left / Right", "select the previous / next image"),
            ("a", "accept the predictions as the labels"),
            ("Enter", "submit the batch"),
            ("Backspace", "undo the last batch"),
            ("s", "save now (every answer is saved anyway)"),
        ]
    }

    /// Keys of the tab: `0`–`9` label the selected image, the left and
    /// right arrows select,
    /// `a` accept the predictions, `Enter` submit, `Backspace` undo, `s`
    /// save.
    fn keyboard(&mut self, ui: &egui::Ui) {
        let pressed = |key| ui.input(|i| i.key_pressed(key));
        if let Some(label) = (0..10u8).zip(DIGIT_KEYS).filter(|&(_, key)| pressed(key)).map(|(c, _)| c).next_back() {
            self.label_selected(label);
        }
        if pressed(egui::Key::ArrowRight) {
            self.select(self.selected + 1);
        }
        if pressed(egui::Key::ArrowLeft) {
            self.select(self.selected.saturating_sub(1));
        }
        let asked = Asked::keys(ui, 0);
        if asked.accept {
            self.accept_predictions();
        }
        if asked.submit {
            self.submit();
        }
        if asked.undo {
            self.session.undo();
        }
        if asked.save {
            self.session.save();
        }
    }

    /// The side panel: settings, counts, history.
    fn side(&mut self, ui: &mut egui::Ui) {
        ui.label("New batch session (you label)");
        batch_form(ui, &mut self.session.settings);
        self.session.start_ui(ui, "Start new batch session");
        self.session.status_ui(ui, "reading and training…");
        let Some(view) = self.session.view() else { return };
        ui.label(format!("batches labelled: {}", view.decisions.len()));
        if let Some(p) = view.points.last() {
            ui.label(format!("labelled images: {}", p.labelled));
            ui.label(format!("test accuracy: {:.3}, macro-F1 {:.3}", p.accuracy, p.f1_macro));
            ui.label(format!("your labels agree with the data set's: {:.0} %", 100.0 * p.agreement));
        }
        ui.separator();
        self.session.history_ui(ui, "take back batch", |decision: &BatchDecision| {
            format!("{} images labelled", decision.labels.len())
        });
        ui.separator();
        ui.label(
            "Keys: click an image, 0-9 its class (the next is selected), Left / Right select, a accept the \
             predictions, Enter submit, Backspace undo, s save",
        );
    }

    /// The central panel: the proposed batch with reasons, the buttons, the
    /// plot.
    fn central(&mut self, ui: &mut egui::Ui) {
        self.follow_proposal();
        let Some(shown) = self.shown().cloned() else {
            ui.label(if self.session.busy() || self.session.view().is_none() {
                "Reading the images and training the first model…"
            } else {
                "No batch (see the message on the left)."
            });
            return;
        };
        let strategy = self.session.view().map_or(Strategy::Random, |v| v.settings.strategy);
        ui.label(format!(
            "{} images proposed by {} — give each its class: click an image, then 0-9 (or its menu).",
            shown.images.len(),
            strategy.label()
        ));
        let reasons = match &shown.reasons {
            Ok(reasons) => Some(reasons),
            Err(message) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("why they were chosen: {message}"));
                None
            }
        };
        if let Some(mean) = reasons.and_then(|r| r.labelled_mean.as_ref()) {
            ui.horizontal(|ui| {
                picture::heatmap(ui, mean.as_slice(), SCALE, "Labelled mean explanation");
                ui.label("the labelled set's mean explanation: ALEX proposes the images whose explanations diverge most from it (KL)");
            });
        }
        let per_row = ((ui.available_width() / CARD_WIDTH).floor() as usize).max(1);
        egui::ScrollArea::vertical().max_height(ui.available_height() - 220.0).show(ui, |ui| {
            for (row, images) in shown.images.chunks(per_row).enumerate() {
                ui.horizontal(|ui| {
                    for (offset, image) in images.iter().enumerate() {
                        let position = row * per_row + offset;
                        let why = reasons.and_then(|r| r.why.get(position));
                        self.card(ui, position, image, why);
                    }
                });
            }
        });
        ui.horizontal(|ui| {
            let given = self.labels.iter().flatten().count();
            ui.label(format!("{given} of {} given", self.labels.len()));
            if ui
                .button("Accept predictions (a)")
                .on_hover_text("Give every image still without a class its predicted class")
                .clicked()
            {
                self.accept_predictions();
            }
            if ui.add_enabled(given == self.labels.len(), egui::Button::new("Submit batch (Enter)")).clicked() {
                self.submit();
            }
            if ui.button("Undo (Backspace)").on_hover_text("Back to the state before the last batch, exactly").clicked()
            {
                self.session.undo();
            }
        });
        self.plot(ui);
    }

    fn export(&mut self) -> ExportJob {
        export_or_explain(self.progress(), "batch-progress")
    }

    fn message(&self) -> Option<&str> {
        self.session.message()
    }
}
