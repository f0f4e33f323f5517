//! The colors tab: be the user in CAIPI's loop on colors.
//!
//! The query image is drawn as a 5x5 grid; the pixels the explanation names
//! are ringed, with a `+` badge when they speak for the predicted class and
//! `−` when against (see [`grid`](crate::widgets::grid): visible on every
//! colour), and the ones the user marks as irrelevant (click, or drag
//! across: every pixel the stroke crosses) are crossed, with
//! the counterexamples they will generate shown beside. Keyboard: `0`/`1`
//! label, `a` accept (label = prediction, explanation right), `Enter`
//! submit, `Backspace` undo, `s` save. The history lists the last decisions;
//! any of them can be taken back with everything after it. The session runs
//! on a worker thread ([`serve`](crate::sessions::colors::serve)), so refits
//! never block a frame; every decision is saved at once (atomically), and on
//! start the saved session is resumed.

use crate::export::{ExportJob, Progress, export_or_explain};
use crate::sessions::colors::{Colors, Decision};
use crate::tabs::session::SessionTab;
use crate::tabs::{Tab, Worker};
use crate::widgets::choices::rule_choice;
use crate::widgets::grid::{LEGEND, fitted_side, paint_explanation, paint_image, paint_marks, pixel_at};
use crate::widgets::plots;
use crate::widgets::sessions::{Asked, answer_label};
use crate::widgets::stroke::Stroke;
use eframe::egui;
use egui_plot::{Line, PlotPoints};
use rand_core::SeedableRng;
use std::path::PathBuf;
use xil_core::tasks::colors::{Image, PIXELS};
use xil_core::{Counterexamples, Dataset};

/// Least side of the pixel grid in points (larger in a large window).
const GRID: f32 = 300.0;

/// Side of a counterexample thumbnail in points.
const THUMBNAIL: f32 = 40.0;

/// The colors tab's state.
pub struct ColorsTab {
    session: SessionTab<Colors, usize>,
    /// The pixels the drag going on has crossed.
    dragged: Vec<usize>,
    /// The drag going on.
    stroke: Stroke,
}

impl ColorsTab {
    /// A tab whose session is saved at `path`; nothing is read yet.
    pub fn new(path: PathBuf) -> Self {
        Self { session: SessionTab::new(path, "colors"), dragged: Vec::new(), stroke: Stroke::default() }
    }

    /// The session: its view, marked pixels and messages.
    pub fn session(&self) -> &SessionTab<Colors, usize> {
        &self.session
    }

    /// The session, to save, open or start.
    pub fn session_mut(&mut self) -> &mut SessionTab<Colors, usize> {
        &mut self.session
    }

    /// Marks or unmarks a pixel.
    pub fn toggle(&mut self, pixel: usize) {
        if pixel < PIXELS {
            self.session.toggle(pixel);
        }
    }

    /// Does what the user asked: label, accept, submit the label and the
    /// marked pixels, undo, save.
    pub fn act(&mut self, asked: Asked) {
        let prediction = self.session.view().and_then(|v| v.shown.as_ref()).map(|s| s.prediction);
        let decision = |label, irrelevant| Decision { label, irrelevant };
        self.session.act(asked, prediction, decision, "give a label first (0 or 1)");
    }

    /// The counterexamples the marked pixels will add with the chosen label
    /// (the prediction until a label is given): each other colour of each
    /// marked pixel, as the session generates them.
    pub fn preview(&self) -> Vec<Image> {
        let Some(shown) = self.session.view().and_then(|v| v.shown.as_ref()) else { return Vec::new() };
        let label = self.session.answer.label.unwrap_or(shown.prediction);
        let mut out: Dataset<Image, { 3 * PIXELS }> = Dataset::new();
        // All alternatives are enumerated in order: the generator is not used.
        let mut unused = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0);
        match Counterexamples::default().generate(
            &shown.image,
            label,
            &self.session.answer.marked,
            |_| true,
            &mut out,
            &mut unused,
        ) {
            Ok(_) => out.as_slice().iter().map(|e| e.instance).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The session's points, for export.
    pub fn progress(&self) -> Option<Progress> {
        self.session.view().map(|view| Progress {
            title: "CAIPI on colors, interactive".into(),
            columns: vec!["test accuracy", "counterexamples"],
            rows: view.points.iter().map(|p| (p.queries, vec![p.test_accuracy, p.counterexamples as f32])).collect(),
        })
    }

    fn grid(&mut self, ui: &mut egui::Ui, side: f32) {
        let Some(view) = self.session.view() else {
            ui.label("Starting the session…");
            return;
        };
        let Some(shown) = view.shown.clone() else {
            ui.label("The pool is exhausted.");
            return;
        };
        let (response, painter) = ui.allocate_painter(egui::vec2(side, side), egui::Sense::click_and_drag());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Pixel grid"));
        let rect = response.rect;
        if response.clicked()
            && let Some(pixel) = response.interact_pointer_pos().and_then(|p| pixel_at(rect, p))
        {
            self.toggle(pixel);
        }
        // A drag marks (or unmarks) each pixel it crosses once, from the one
        // where the button went down, however fast it goes.
        if response.drag_started() {
            self.dragged.clear();
        }
        let crossed = self.stroke.points(ui, &response, side / 5.0 / 4.0);
        for pixel in crossed.into_iter().filter_map(|p| pixel_at(rect, p)) {
            if !self.dragged.contains(&pixel) {
                self.dragged.push(pixel);
                self.toggle(pixel);
            }
        }
        paint_image(&painter, rect, &shown.image);
        paint_explanation(&painter, rect, &shown.selected, &shown.relevance, shown.prediction);
        paint_marks(&painter, rect, &self.session.answer.marked);
        ui.horizontal(|ui| {
            ui.label(format!("Prediction: {}", shown.prediction));
            if let Some(r) = shown.fidelity {
                ui.label(format!("(explanation R² {r:.2})")).on_hover_text(
                    "How well LIME's linear surrogate matches the model around this image (weighted R², 0 to 1). \
                     Near 1: the named pixels account for the model's behaviour here. Near 0: the model is not \
                     linear in the pixels around this image, so the explanation says little about it; trust it \
                     less and prefer to correct only clearly wrong pixels.",
                );
            }
        });
        ui.add(egui::Label::new(egui::RichText::new(LEGEND).small()).wrap());
    }

    /// Thumbnails of the counterexamples the marks will add.
    fn counterexamples(&self, ui: &mut egui::Ui) {
        let preview = self.preview();
        if preview.is_empty() {
            ui.label("Mark pixels the label does not depend on: each other colour of each becomes a counterexample.");
            return;
        }
        let prediction = self.session.view().and_then(|v| v.shown.as_ref()).map(|s| s.prediction);
        let label = self.session.answer.label.or(prediction).unwrap_or(0);
        ui.label(format!("Submitting adds these {} counterexamples, labelled {label}:", preview.len()));
        ui.horizontal_wrapped(|ui| {
            for image in &preview {
                let (rect, _) = ui.allocate_exact_size(egui::vec2(THUMBNAIL, THUMBNAIL), egui::Sense::hover());
                paint_image(ui.painter(), rect, image);
            }
        });
    }

    fn plot(&self, ui: &mut egui::Ui) {
        let Some(view) = self.session.view() else { return };
        let accuracy: PlotPoints = view.points.iter().map(|p| [p.queries as f64, f64::from(p.test_accuracy)]).collect();
        let most = view.points.iter().map(|p| p.counterexamples).max().unwrap_or(0).max(1) as f64;
        let counterexamples: PlotPoints =
            view.points.iter().map(|p| [p.queries as f64, p.counterexamples as f64 / most]).collect();
        plots::counted("progress", "answers", "0 to 1 (counts scaled)", (ui.available_height() - 8.0).max(200.0))
            .legend(plots::legend())
            .show(ui, |plot| {
                plot.line(Line::new("test accuracy", accuracy));
                plot.line(Line::new(format!("counterexamples (/ {most})"), counterexamples));
            });
    }
}

impl Tab for ColorsTab {
    fn worker(&mut self) -> &mut dyn Worker {
        &mut self.session
    }

    fn task(&self) -> &'static str {
        "Each 5x5 image is labelled 1 when its rule holds (rule 0: the four corners share a colour; rule 1: the \
         three top-middle pixels all differ; the images satisfy both or neither) and 0 otherwise. The model \
         predicts a label and rings the pixels its explanation names: + for the predicted label, − against it. Give \
         the label; when the prediction is right for the wrong reasons, click or drag over the ringed pixels \
         outside the rule you teach (they get a cross) and submit: each becomes counterexamples."
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("0 / 1", "label the image"),
            ("a", "accept the prediction as the label"),
            ("Enter", "submit the label and the crossed pixels"),
            ("Backspace", "undo the last decision"),
            ("s", "save now (every answer is saved anyway)"),
        ]
    }

    /// `0`/`1` label, `a` accept, `Enter` submit, `Backspace` undo, `s` save.
    fn keyboard(&mut self, ui: &egui::Ui) {
        self.act(Asked::keys(ui, 2));
    }

    fn side(&mut self, ui: &mut egui::Ui) {
        ui.label("New session");
        ui.add(egui::Slider::new(&mut self.session.settings.seed, 0..=1000).text("seed"))
            .on_hover_text("The random seed of a new session: its images, pool and LIME draws");
        rule_choice(ui, &mut self.session.settings.rule);
        ui.add(egui::Slider::new(&mut self.session.settings.k, 1..=PIXELS).text("k"))
            .on_hover_text("How many pixels the explanation names (4 for rule 0, 3 for rule 1 in the paper)");
        self.session.start_ui(ui, "Start new session");
        self.session.status_ui(ui, "starting…");
        if let Some(view) = self.session.view() {
            ui.label(format!("decisions: {}", view.decisions.len()));
            if let Some(point) = view.points.last() {
                ui.label(format!("test accuracy: {:.3}", point.test_accuracy));
                ui.label(format!("counterexamples: {}", point.counterexamples));
            }
        }
        ui.separator();
        self.session.history_ui(ui, "take back", |decision: &Decision| {
            let what = if decision.irrelevant.is_empty() {
                "accepted".to_string()
            } else {
                format!("marked {:?}", decision.irrelevant)
            };
            format!("label {}, {what}", decision.label)
        });
        ui.separator();
        ui.label("Keys: 0/1 label, a accept, click or drag over pixels to mark, Enter submit, Backspace undo, s save, e export");
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        let side = fitted_side(ui, 0.4, GRID);
        ui.horizontal(|ui| {
            ui.vertical(|ui| self.grid(ui, side));
            ui.vertical(|ui| self.counterexamples(ui));
        });
        ui.horizontal(|ui| {
            let label = self.session.answer.label.map_or("none".to_string(), |l| l.to_string());
            answer_label(ui, format!("label: {label}"), 70.0);
            if ui.button("Label 0").on_hover_text("The rule does not hold (key 0)").clicked() {
                self.session.answer.label = Some(0);
            }
            if ui.button("Label 1").on_hover_text("The rule holds (key 1)").clicked() {
                self.session.answer.label = Some(1);
            }
            let asked = Asked::buttons(ui);
            self.act(asked);
            if ui.button("Save").on_hover_text("Save now; every answer is saved anyway (key s)").clicked() {
                self.act(Asked { save: true, ..Asked::default() });
            }
        });
        self.plot(ui);
    }

    fn export(&mut self) -> ExportJob {
        export_or_explain(self.progress(), "progress")
    }

    fn message(&self) -> Option<&str> {
        self.session.message()
    }
}
