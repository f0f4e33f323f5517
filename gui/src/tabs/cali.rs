//! The CALIMOCHO tab: be the user in seed 001's loop, correcting a
//! self-explaining network's explanation itself.
//!
//! The query image is drawn beside the network's exact explanation `w(x)`:
//! one square per pixel split into its four colours (the palette's colour on
//! each quarter's edge), each quarter's entry in red (toward label 1) or
//! blue (toward 0) on a colour scale, the colour the pixel has ringed (the
//! entry the prediction uses). A click cycles a quarter through "should not
//! count" (a cross: the entry becomes 0), "the other way" (an arrow: it
//! flips) and unmarked. Submitting gives the label and, when entries are
//! marked, the corrected explanation; the worker refits with the
//! explanation loss ([`serve`](crate::sessions::cali::serve)). Keys, undo,
//! history, autosave and names as on the other tabs.

use crate::export::{ExportJob, Progress, export_or_explain};
use crate::sessions::cali::{Cali, CaliDecision, Mark, ShownCali};
use crate::tabs::session::SessionTab;
use crate::tabs::{Tab, Worker};
use crate::widgets::choices::rule_choice;
use crate::widgets::grid::{RING, cell, fitted_side, paint_image, pixel_at};
use crate::widgets::picture::{colour_scale, relevance_colour};
use crate::widgets::plots;
use crate::widgets::sessions::{Asked, answer_label};
use eframe::egui;
use egui_plot::{Line, PlotPoints};
use std::path::PathBuf;
use xil_core::tasks::colors::{COLOURS, ONE_HOT, PALETTE, PIXELS};

/// Least side of the image and of the explanation map in points (larger in
/// a large window).
const SIDE: f32 = 260.0;

/// The CALIMOCHO tab's state.
pub struct CaliTab {
    session: SessionTab<Cali, (usize, Mark)>,
}

impl CaliTab {
    /// A tab whose session is saved at `path`; nothing is read yet.
    pub fn new(path: PathBuf) -> Self {
        Self { session: SessionTab::new(path, "CALIMOCHO") }
    }

    /// The session: its view, marks and messages.
    pub fn session(&self) -> &SessionTab<Cali, (usize, Mark)> {
        &self.session
    }

    fn shown(&self) -> Option<&ShownCali> {
        self.session.view()?.shown.as_ref()
    }

    /// Cycles the mark of explanation entry `entry`: none, irrelevant,
    /// flipped, none.
    pub fn cycle(&mut self, entry: usize) {
        if entry >= ONE_HOT {
            return;
        }
        let marked = &mut self.session.answer.marked;
        let at = marked.iter().position(|&(e, _)| e == entry);
        match (at, Mark::next(at.and_then(|i| marked.get(i)).map(|&(_, m)| m))) {
            (Some(i), Some(mark)) => {
                if let Some(slot) = marked.get_mut(i) {
                    slot.1 = mark;
                }
            }
            (Some(i), None) => {
                marked.remove(i);
            }
            (None, Some(mark)) => marked.push((entry, mark)),
            (None, None) => {}
        }
    }

    /// Does what the user asked: label, accept, submit, undo, save.
    pub fn act(&mut self, asked: Asked) {
        let prediction = self.shown().map(|s| s.prediction);
        let decision = |label, marks| CaliDecision { label, marks };
        self.session.act(asked, prediction, decision, "give a label first (0 or 1)");
    }

    /// The session's points, for export.
    pub fn progress(&self) -> Option<Progress> {
        self.session.view().map(|view| Progress {
            title: "CALIMOCHO on colors, interactive".into(),
            columns: vec!["test accuracy", "explanation error"],
            rows: view.points.iter().map(|p| (p.queries, vec![p.test_accuracy, p.explanation_error])).collect(),
        })
    }

    /// The explanation map: click a quarter to cycle its mark.
    fn map(&mut self, ui: &mut egui::Ui, shown: &ShownCali, side: f32) {
        let (response, painter) = ui.allocate_painter(egui::vec2(side, side), egui::Sense::click());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Explanation map"));
        let rect = response.rect;
        if response.clicked()
            && let Some(position) = response.interact_pointer_pos()
            && let Some(entry) = entry_at(rect, position)
        {
            self.cycle(entry);
        }
        let peak = shown.explanation.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(f32::MIN_POSITIVE);
        let [outside, inside] = RING;
        for pixel in 0..PIXELS {
            for colour in 0..usize::from(COLOURS) {
                let entry = pixel * usize::from(COLOURS) + colour;
                let square = quarter(rect, pixel, colour);
                let value = shown.explanation.get(entry).copied().unwrap_or(0.0);
                painter.rect_filled(square.shrink(0.5), 0.0, relevance_colour(value, peak));
                let [r, g, b] = PALETTE.get(colour).copied().unwrap_or([0, 0, 0]);
                let tag = egui::Rect::from_min_size(square.min, egui::vec2(square.width(), 3.0));
                painter.rect_filled(tag, 0.0, egui::Color32::from_rgb(r, g, b));
                if shown.image.cells().get(pixel).is_some_and(|&c| usize::from(c) == colour) {
                    painter.rect_stroke(
                        square.shrink(1.0),
                        0.0,
                        egui::Stroke::new(2.0, inside),
                        egui::StrokeKind::Inside,
                    );
                }
                let mark = self.session.answer.marked.iter().find(|&&(e, _)| e == entry).map(|&(_, m)| m);
                paint_mark(&painter, square, mark, [outside, inside]);
            }
            painter.rect_stroke(cell(rect, pixel), 0.0, egui::Stroke::new(1.0, outside), egui::StrokeKind::Inside);
        }
        colour_scale(ui, peak, side);
    }

    fn plot(&self, ui: &mut egui::Ui) {
        let Some(view) = self.session.view() else { return };
        let accuracy: PlotPoints = view.points.iter().map(|p| [p.queries as f64, f64::from(p.test_accuracy)]).collect();
        let most = view.points.iter().map(|p| p.explanation_error).fold(0.0f32, f32::max).max(f32::MIN_POSITIVE);
        let error: PlotPoints =
            view.points.iter().map(|p| [p.queries as f64, f64::from(p.explanation_error / most)]).collect();
        plots::counted("cali progress", "answers", "0 to 1 (error scaled)", (ui.available_height() - 8.0).max(180.0))
            .legend(plots::legend())
            .show(ui, |plot| {
                plot.line(Line::new("test accuracy", accuracy));
                plot.line(Line::new(format!("explanation error (/ {most:.1})"), error));
            });
    }
}

/// The quarter of pixel `pixel`'s square that shows colour `colour`.
fn quarter(rect: egui::Rect, pixel: usize, colour: usize) -> egui::Rect {
    let square = cell(rect, pixel);
    let half = square.width() / 2.0;
    let offset = egui::vec2((colour % 2) as f32 * half, (colour / 2) as f32 * half);
    egui::Rect::from_min_size(square.min + offset, egui::vec2(half, half))
}

/// The explanation entry under `position` in a map drawn in `rect`.
fn entry_at(rect: egui::Rect, position: egui::Pos2) -> Option<usize> {
    let pixel = pixel_at(rect, position)?;
    let square = cell(rect, pixel);
    let half = square.width() / 2.0;
    let (column, row) = (((position.x - square.min.x) / half) as usize, ((position.y - square.min.y) / half) as usize);
    Some(pixel * usize::from(COLOURS) + row.min(1) * 2 + column.min(1))
}

/// A cross for "should not count", a two-headed arrow for "the other way",
/// each black over white.
fn paint_mark(painter: &egui::Painter, square: egui::Rect, mark: Option<Mark>, [over, under]: [egui::Color32; 2]) {
    let inner = square.shrink(square.width() * 0.22);
    let lines: Vec<[egui::Pos2; 2]> = match mark {
        None => return,
        Some(Mark::Irrelevant) => {
            vec![[inner.left_top(), inner.right_bottom()], [inner.right_top(), inner.left_bottom()]]
        }
        Some(Mark::Flipped) => {
            let (left, right) = (inner.left_center(), inner.right_center());
            let tip = inner.width() * 0.3;
            vec![
                [left, right],
                [left, left + egui::vec2(tip, -tip)],
                [left, left + egui::vec2(tip, tip)],
                [right, right + egui::vec2(-tip, -tip)],
                [right, right + egui::vec2(-tip, tip)],
            ]
        }
    };
    for stroke in [egui::Stroke::new(4.5, under), egui::Stroke::new(2.0, over)] {
        for line in &lines {
            painter.line_segment(*line, stroke);
        }
    }
}

impl Tab for CaliTab {
    fn worker(&mut self) -> &mut dyn Worker {
        &mut self.session
    }

    fn task(&self) -> &'static str {
        "The same colors images (label 1 when the rule holds), now for a self-explaining network: its explanation \
         w(x) gives every colour of every pixel a weight, red toward label 1, blue toward 0, and the colour the \
         pixel has (ringed) is what the prediction uses. Give the label; where the explanation is wrong, click a \
         quarter once for \"should not count\" (a cross), twice for \"the other way\" (an arrow), and submit: the network refits \
         toward the corrected explanation."
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("0 / 1", "label the image"),
            ("a", "accept the prediction as the label"),
            ("Enter", "submit the label and the corrected entries"),
            ("Backspace", "undo the last decision"),
            ("s", "save now (every answer is saved anyway)"),
        ]
    }

    fn keyboard(&mut self, ui: &egui::Ui) {
        self.act(Asked::keys(ui, 2));
    }

    fn side(&mut self, ui: &mut egui::Ui) {
        ui.label("New CALIMOCHO session (depth-1 SENN)");
        let s = &mut self.session.settings;
        ui.add(egui::Slider::new(&mut s.seed, 0..=1000).text("seed"))
            .on_hover_text("The random seed of a new session: images, the network's first weights, order");
        rule_choice(ui, &mut s.rule);
        ui.add(egui::Slider::new(&mut s.steps_per_fit, 1..=500).text("Adam steps"))
            .on_hover_text("Adam steps after each answer: how far the network refits (the paper: 100)");
        ui.add(egui::Slider::new(&mut s.lambda, 0.0..=1.0).text("lambda"))
            .on_hover_text("Weight of the label loss; 1 - lambda weighs the explanation loss (the paper: 0.9)");
        ui.add(egui::Slider::new(&mut s.initial, 1..=50).text("initial labels"))
            .on_hover_text("Labelled images the network first learns from");
        self.session.start_ui(ui, "Start new CALIMOCHO session");
        self.session.status_ui(ui, "starting…");
        if let Some(view) = self.session.view() {
            ui.label(format!("decisions: {}", view.decisions.len()));
            if let Some(point) = view.points.last() {
                ui.label(format!("test accuracy: {:.3}", point.test_accuracy));
                ui.label(format!("explanation error: {:.2}", point.explanation_error)).on_hover_text(
                    "Mean squared distance of w(x) to the rule's true explanation on the test images (l_Z)",
                );
            }
        }
        ui.separator();
        self.session.history_ui(ui, "take back", |decision: &CaliDecision| {
            let what = if decision.marks.is_empty() {
                "label only".to_string()
            } else {
                format!("{} entries corrected", decision.marks.len())
            };
            format!("label {}, {what}", decision.label)
        });
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        let Some(shown) = self.shown().cloned() else {
            ui.label(if self.session.view().is_none() { "Starting the session…" } else { "The pool is exhausted." });
            return;
        };
        let side = fitted_side(ui, 0.45, SIDE);
        ui.horizontal(|ui| {
            ui.vertical(|ui| {
                ui.label("The image");
                let (rect, _) = ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
                paint_image(ui.painter(), rect, &shown.image);
            });
            ui.vertical(|ui| {
                ui.label("Its explanation w(x): click to correct");
                self.map(ui, &shown, side);
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(
                            "Each square: its pixel's four colours as quarters (red, green / blue, purple), the strip \
                             on each in its colour; ringed: the colour the pixel has.",
                        )
                        .small(),
                    )
                    .wrap(),
                );
            });
        });
        ui.label(format!(
            "Prediction: {} (probability of 1: {:.2}); {} entries marked",
            shown.prediction,
            shown.probability,
            self.session.answer.marked.len()
        ));
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
        });
        self.plot(ui);
    }

    fn export(&mut self) -> ExportJob {
        export_or_explain(self.progress(), "cali-progress")
    }

    fn message(&self) -> Option<&str> {
        self.session.message()
    }
}
