//! The Images tab: be the user on decoy Fashion-MNIST or MNIST by painting.
//!
//! The network is the decoy experiment's perceptron (the painted pixels
//! enter its loss as an input-gradient penalty) or seed 003's Bayesian
//! `LeNet-5` (they select the activations that get the evidence "= 0" in its
//! ELBO; the view then shows its uncertainty over Monte Carlo samples).
//! The 28x28 image is drawn large with, beside it, the explanation of the
//! prediction (red: pixels that raise the predicted class, blue: lower it)
//! by the attribution method chosen above it (saliency, input x gradient,
//! occlusion, `DeepLIFT`, Kernel SHAP or LIME).
//! Drag over the image to paint the pixels the class must not depend on
//! (hold Shift to erase; the brush size is in the side panel); the decoy
//! patch is usually the one to paint. Keys: `0`–`9` class, `a` accept,
//! `Enter` submit, `Backspace` undo, `c` clear the paint, `s` save. The
//! session runs on its own worker ([`serve_images`](crate::sessions::images::serve_images)),
//! which reads the data set and trains the first network the first time
//! the tab is opened, and is saved after every answer (`image-session.json`).

use crate::export::{ExportJob, Progress, export_or_explain};
use crate::sessions::images::{ImageDecision, Images, ShownImage};
use crate::tabs::session::SessionTab;
use crate::tabs::{Tab, Worker};
use crate::widgets::choices::choice;
use crate::widgets::picture;
use crate::widgets::plots;
use crate::widgets::sessions::{Asked, answer_label};
use crate::widgets::stroke::Stroke;
use eframe::egui;
use egui_plot::{Line, PlotPoints};
use std::path::PathBuf;
use xil_bench::data::fashion::{PIXELS, SIDE};
use xil_bench::protocols::attributions::DataSet;
use xil_bench::protocols::attributions::methods::Method;
use xil_bench::protocols::decoy_fashion::session::SessionModel;

/// Points per pixel before the first frame.
const SCALE: f32 = 10.0;

/// The range of points per pixel: the image and its map share the central
/// panel's width (at 800 x 600 the smallest, at 1920 x 1080 the largest).
const SCALES: std::ops::RangeInclusive<f32> = 6.0..=16.0;

/// The Images tab's state; its worker starts on first use.
pub struct ImageTab {
    session: SessionTab<Images, usize>,
    brush: usize,
    /// The drag going on.
    stroke: Stroke,
    /// Points per pixel this frame, fitted to the central panel.
    scale: f32,
    method: Method,
}

impl ImageTab {
    /// A tab whose session is saved at `path`; nothing is read yet.
    pub fn new(path: PathBuf) -> Self {
        Self {
            session: SessionTab::new(path, "image"),
            brush: 1,
            stroke: Stroke::default(),
            scale: SCALE,
            method: Method::default(),
        }
    }

    /// The session: its view, painted pixels (sorted) and messages.
    pub fn session(&self) -> &SessionTab<Images, usize> {
        &self.session
    }

    /// The attribution method whose map is shown.
    pub fn method(&self) -> Method {
        self.method
    }

    fn shown(&self) -> Option<&ShownImage> {
        self.session.view()?.shown.as_ref()
    }

    /// Paints (or with `erase`, clears) the brush around `pixel`.
    pub fn paint(&mut self, pixel: usize, erase: bool) {
        if pixel >= PIXELS {
            return;
        }
        let (row, column) = ((pixel / SIDE) as isize, (pixel % SIDE) as isize);
        let reach = self.brush as isize - 1;
        for r in (row - reach).max(0)..=(row + reach).min(SIDE as isize - 1) {
            for c in (column - reach).max(0)..=(column + reach).min(SIDE as isize - 1) {
                let p = (r as usize) * SIDE + c as usize;
                match (self.session.answer.marked.binary_search(&p), erase) {
                    (Err(at), false) => self.session.answer.marked.insert(at, p),
                    (Ok(at), true) => {
                        self.session.answer.marked.remove(at);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Does what the user asked: class, accept, submit the class and the
    /// painted pixels, undo, save.
    pub fn act(&mut self, asked: Asked) {
        let prediction = self.shown().map(|s| s.prediction);
        let decision = |label, irrelevant| ImageDecision { label, irrelevant };
        self.session.act(asked, prediction, decision, "give the class first (keys 0-9)");
    }

    /// The session's points, for export.
    pub fn progress(&self) -> Option<Progress> {
        let view = self.session.view()?;
        Some(Progress {
            title: format!("decoy {}, interactive", view.settings.data.label()),
            columns: vec!["test accuracy", "explanation share on the decoy"],
            rows: view.points.iter().map(|p| (p.queries, vec![p.test_accuracy, p.decoy_share])).collect(),
        })
    }

    fn canvas(&mut self, ui: &mut egui::Ui, shown: &ShownImage) {
        let scale = self.scale;
        let (response, painter) = picture::allocate(ui, scale, "Image canvas", egui::Sense::click_and_drag());
        let rect = response.rect;
        let erase = ui.input(|i| i.modifiers.shift);
        let pixel_at = |position: egui::Pos2| {
            let offset = (position - rect.min) / scale;
            ((0.0..SIDE as f32).contains(&offset.x) && (0.0..SIDE as f32).contains(&offset.y))
                .then(|| offset.y as usize * SIDE + offset.x as usize)
        };
        // A drag paints from where the button went down, then every pixel
        // it crosses, however fast it goes; a click paints where it is.
        let mut touched = self.stroke.points(ui, &response, scale / 4.0);
        if response.clicked() {
            touched.extend(response.interact_pointer_pos());
        }
        for pixel in touched.into_iter().filter_map(pixel_at) {
            self.paint(pixel, erase);
        }
        picture::grey(&painter, rect, &shown.pixels, scale);
        for &pixel in &self.session.answer.marked {
            let paint = egui::Color32::from_rgba_unmultiplied(255, 200, 0, 140);
            painter.rect_filled(picture::cell(rect, pixel, scale), 0.0, paint);
        }
        // The brush's outline where the pointer is: what a click would paint.
        if let Some(pixel) = response.hover_pos().and_then(pixel_at) {
            let reach = self.brush.saturating_sub(1);
            let (row, column) = (pixel / SIDE, pixel % SIDE);
            let corner = |r: usize, c: usize| picture::cell(rect, r * SIDE + c, scale);
            let first = corner(row.saturating_sub(reach), column.saturating_sub(reach));
            let last = corner((row + reach).min(SIDE - 1), (column + reach).min(SIDE - 1));
            let outline = first.union(last);
            let colour =
                if erase { egui::Color32::from_rgb(0, 160, 255) } else { egui::Color32::from_rgb(255, 200, 0) };
            painter.rect_stroke(outline, 0.0, egui::Stroke::new(3.0, egui::Color32::BLACK), egui::StrokeKind::Outside);
            painter.rect_stroke(outline, 0.0, egui::Stroke::new(1.5, colour), egui::StrokeKind::Outside);
        }
    }

    /// The chosen method's map (or why it is missing), with the method
    /// selector above it.
    fn explanation(&mut self, ui: &mut egui::Ui, shown: &ShownImage) {
        ui.vertical(|ui| {
            let chosen = self.method;
            egui::ComboBox::from_label("explanation")
                .selected_text(chosen.label())
                .show_ui(ui, |ui| {
                    for (method, _) in &shown.maps {
                        ui.selectable_value(&mut self.method, *method, method.label());
                    }
                })
                .response
                .on_hover_text("The attribution method whose map is shown beside the image");
            match shown.maps.iter().find(|(method, _)| *method == self.method).map(|(_, map)| map) {
                Some(Ok(map)) => {
                    picture::heatmap(ui, map, self.scale, "Explanation");
                }
                Some(Err(message)) => {
                    ui.colored_label(ui.visuals().error_fg_color, message);
                }
                None => {
                    ui.label(format!("{} does not apply to this network", self.method.label()));
                }
            }
        });
    }

    fn plot(&self, ui: &mut egui::Ui) {
        let Some(view) = self.session.view() else { return };
        let line = |value: fn(&crate::sessions::images::ImagePoint) -> f32| -> PlotPoints {
            view.points.iter().map(|p| [p.queries as f64, f64::from(value(p))]).collect()
        };
        plots::counted("image progress", "answers", "accuracy; share", 180.0).legend(plots::legend()).show(
            ui,
            |plot| {
                plot.line(Line::new("test accuracy", line(|p| p.test_accuracy)));
                plot.line(Line::new("explanation share on the decoy", line(|p| p.decoy_share)));
            },
        );
    }
}

impl Tab for ImageTab {
    fn worker(&mut self) -> &mut dyn Worker {
        &mut self.session
    }

    fn task(&self) -> &'static str {
        "The network learnt from images whose small corner squares (the decoys) give their class away. The \
         heatmap beside the image shows where its explanation method says the prediction comes from (red for \
         the predicted class, blue against it). Give the class (0-9); when the prediction rests on a decoy, \
         paint over it with the brush (hold Shift to erase) and submit: the network is corrected not to depend \
         on the painted pixels."
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("0 - 9", "label the image"),
            ("a", "accept the prediction as the label"),
            ("Enter", "submit the label and the paint"),
            ("Backspace", "undo the last decision"),
            ("c", "clear the paint"),
            ("s", "save now (every answer is saved anyway)"),
        ]
    }

    /// Keys of the tab: `0`–`9` class, `a` accept, `Enter` submit,
    /// `Backspace` undo, `c` clear the paint, `s` save.
    fn keyboard(&mut self, ui: &egui::Ui) {
        if ui.input(|i| i.key_pressed(egui::Key::C)) {
            self.session.answer.marked.clear();
        }
        self.act(Asked::keys(ui, 10));
    }

    /// The side panel: settings, counts, history.
    fn side(&mut self, ui: &mut egui::Ui) {
        ui.label("New image session (decoy images)");
        let s = &mut self.session.settings;
        choice(
            ui,
            ("images", "The data set of a new session, with a decoy patch that gives the class away"),
            &mut s.data,
            &DataSet::ALL,
            |v| v.label(),
        );
        choice(ui, ("network", "The network of a new session"), &mut s.model, &SessionModel::ALL, |v| v.label());
        ui.add(egui::Slider::new(&mut s.seed, 0..=1000).text("seed"))
            .on_hover_text("The random seed of a new session: decoys, initial weights, order");
        ui.add(egui::Slider::new(&mut s.pretrain_images, 100..=50_000).logarithmic(true).text("first images"))
            .on_hover_text("Decoyed training images the network first learns from");
        ui.add(egui::Slider::new(&mut s.pretrain_epochs, 1..=20).text("first epochs"))
            .on_hover_text("Epochs of that first training");
        ui.add(egui::Slider::new(&mut s.steps_per_answer, 1..=200).text("steps/answer"))
            .on_hover_text("Training steps after each answer");
        if s.model == SessionModel::Perceptron {
            ui.add(egui::Slider::new(&mut s.penalty, 0.0..=10_000.0).logarithmic(true).text("penalty"))
                .on_hover_text("Weight of the right-reasons penalty on the painted pixels' input gradients");
        }
        ui.add(egui::Slider::new(&mut self.brush, 1..=4).text("brush"))
            .on_hover_text("The brush's size in pixels; hold Shift to erase");
        self.session.start_ui(ui, "Start new image session");
        self.session.status_ui(ui, "reading and training…");
        let Some(view) = self.session.view() else { return };
        ui.label(format!("answers: {}", view.decisions.len()));
        if let Some(p) = view.points.last() {
            ui.label(format!("test accuracy: {:.3}", p.test_accuracy));
            ui.label(format!("explanation on the decoy: {:.3}", p.decoy_share));
        }
        ui.separator();
        let names = view.settings.data.class_names();
        self.session.history_ui(ui, "take back image", |decision: &ImageDecision| {
            let class = names.get(usize::from(decision.label)).copied().unwrap_or("?");
            format!("{class}, {} pixels painted", decision.irrelevant.len())
        });
        ui.separator();
        ui.label(
            "Keys: 0-9 class, a accept, drag to paint (Shift erases), c clear, Enter submit, Backspace undo, s save",
        );
    }

    /// The central panel: the image, its explanation, the buttons, the plot.
    fn central(&mut self, ui: &mut egui::Ui) {
        let Some(shown) = self.shown().cloned() else {
            ui.label(if self.session.busy() || self.session.view().is_none() {
                "Reading the images and training the first network…"
            } else {
                "No image (see the message on the left)."
            });
            return;
        };
        let names = self.session.view().map_or(DataSet::default(), |v| v.settings.data).class_names();
        let class = |c: u8| names.get(usize::from(c)).copied().unwrap_or("?");
        ui.label(format!(
            "Training image {} — prediction: {} ({})",
            shown.index,
            shown.prediction,
            class(shown.prediction)
        ));
        if let Some(u) = shown.uncertainty {
            ui.label(format!(
                "Uncertainty over {} Monte Carlo samples: P({}) = {:.2} ± {:.2}, predictive entropy {:.2} nats \
                 (at most 2.30)",
                xil_bench::protocols::decoy_fashion::corrected::UNCERTAINTY_SAMPLES,
                class(shown.prediction),
                u.probability,
                u.spread,
                u.entropy
            ));
        }
        self.scale = ((ui.available_width() - 24.0) / (2.0 * SIDE as f32)).clamp(*SCALES.start(), *SCALES.end());
        ui.horizontal(|ui| {
            self.canvas(ui, &shown);
            self.explanation(ui, &shown);
        });
        ui.horizontal_wrapped(|ui| {
            let label = self.session.answer.label.map_or("none".to_string(), |l| format!("{l} ({})", class(l)));
            answer_label(ui, format!("class: {label}"), 150.0);
            for c in 0..10u8 {
                if ui.small_button(format!("{c} {}", class(c))).clicked() {
                    self.session.answer.label = Some(c);
                }
            }
        });
        ui.horizontal(|ui| {
            ui.label(format!("{} pixels painted", self.session.answer.marked.len()));
            if ui.button("Clear paint").on_hover_text("Remove all paint from this image (key c)").clicked() {
                self.session.answer.marked.clear();
            }
            self.act(Asked::buttons(ui));
        });
        self.plot(ui);
    }

    fn export(&mut self) -> ExportJob {
        export_or_explain(self.progress(), "image-progress")
    }

    fn message(&self) -> Option<&str> {
        self.session.message()
    }
}
