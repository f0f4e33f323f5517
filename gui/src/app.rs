//! The eframe app: be the user in CAIPI's loop on colors.
//!
//! The query image is drawn as a 5x5 grid; the pixels the explanation names
//! are framed (red: for the predicted class, blue: against it) and the ones
//! the user marks as irrelevant are crossed. Keyboard: `0`/`1` label, `a`
//! accept (label = prediction, explanation right), click pixels to mark,
//! `Enter` submit, `Backspace` undo, `s` save, `e` export (CSV, PNG, SVG). The session runs on a worker
//! thread ([`serve`]), so refits never block a frame. Every decision is saved
//! at once (atomically); on start the saved session is resumed, and a file
//! that cannot be read is moved aside with a visible message.

use crate::interactive::{Command, Decision, Settings, View, serve};
use crate::storage::{self, Saved, VERSION};
use eframe::egui;
use egui_plot::{Legend, Line, Plot, PlotPoints};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use xil_bench::figures::{Figure, PALETTE as PALETTE_LINES, Series};
use xil_core::colors::{PALETTE, PIXELS};

/// Side of the pixel grid in points.
const GRID: f32 = 300.0;

/// The app's state.
pub struct XilApp {
    commands: Sender<Command>,
    views: Receiver<View>,
    view: Option<View>,
    busy: bool,
    settings: Settings,
    label: Option<u8>,
    marked: Vec<usize>,
    message: Option<String>,
    path: PathBuf,
}

impl XilApp {
    /// Starts the app and its worker: resumes the session saved at `path`,
    /// or starts a new one.
    pub fn new(ctx: &egui::Context, path: PathBuf) -> Self {
        let (commands, inbox) = channel();
        let (outbox, views) = channel();
        let repaint = ctx.clone();
        std::thread::spawn(move || serve(&inbox, &outbox, &|| repaint.request_repaint()));
        let mut app = Self {
            commands,
            views,
            view: None,
            busy: false,
            settings: Settings::default(),
            label: None,
            marked: Vec::new(),
            message: None,
            path,
        };
        let (settings, decisions) = match storage::load(&app.path) {
            Ok(Some(saved)) => {
                app.message = Some(format!("resuming a session of {} decisions", saved.decisions.len()));
                (saved.settings, saved.decisions)
            }
            Ok(None) => (Settings::default(), Vec::new()),
            Err(e) => {
                app.message = Some(e);
                (Settings::default(), Vec::new())
            }
        };
        app.settings = settings.clone();
        app.send(Command::Start(settings, decisions));
        app
    }

    fn send(&mut self, command: Command) {
        if self.commands.send(command).is_ok() {
            self.busy = true;
        } else {
            self.message = Some("the session worker stopped; restart the app".into());
        }
    }

    /// Takes the worker's latest view; saves it when it changed the session.
    pub fn receive(&mut self) {
        while let Ok(view) = self.views.try_recv() {
            self.busy = false;
            if let Some(error) = &view.error {
                self.message = Some(error.clone());
            } else if view.decisions.len() > self.view.as_ref().map_or(0, |v| v.decisions.len()) {
                self.message = Some(format!("answer taken, {} counterexamples added", view.added));
            }
            self.view = Some(view);
            self.save();
        }
    }

    /// Whether the worker is still busy with a command.
    pub fn busy(&self) -> bool {
        self.busy
    }

    /// The latest view of the session.
    pub fn view(&self) -> Option<&View> {
        self.view.as_ref()
    }

    /// The pixels marked as irrelevant for the query on screen.
    pub fn marked(&self) -> &[usize] {
        &self.marked
    }

    /// The message shown to the user (errors, resumes, saves).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Starts a new session with the settings of the side panel.
    pub fn start(&mut self) {
        self.label = None;
        self.marked.clear();
        self.send(Command::Start(self.settings.clone(), Vec::new()));
    }

    /// Marks or unmarks a pixel.
    pub fn toggle(&mut self, pixel: usize) {
        if pixel >= PIXELS {
            return;
        }
        match self.marked.iter().position(|&p| p == pixel) {
            Some(i) => {
                self.marked.remove(i);
            }
            None => self.marked.push(pixel),
        }
    }

    /// Sets the label of the query on screen.
    pub fn set_label(&mut self, label: u8) {
        self.label = Some(label);
    }

    /// Accepts the prediction and its explanation.
    pub fn accept(&mut self) {
        if let Some(prediction) = self.view.as_ref().and_then(|v| v.shown.as_ref()).map(|s| s.prediction) {
            self.label = Some(prediction);
            self.marked.clear();
            self.submit();
        }
    }

    /// Submits the label and the marked pixels.
    pub fn submit(&mut self) {
        if self.busy {
            return;
        }
        let Some(label) = self.label else {
            self.message = Some("give a label first (0 or 1)".into());
            return;
        };
        let irrelevant = std::mem::take(&mut self.marked);
        self.send(Command::Decide(Decision { label, irrelevant }));
        self.label = None;
    }

    /// Takes back the last decision.
    pub fn undo(&mut self) {
        if self.busy {
            return;
        }
        self.label = None;
        self.marked.clear();
        self.message = Some("undoing the last decision".into());
        self.send(Command::Undo);
    }

    /// Saves the session now (it is also saved after every decision).
    pub fn save(&mut self) {
        let Some(view) = self.view.as_ref() else { return };
        if view.shown.is_none() && view.points.is_empty() {
            return;
        }
        let saved = Saved { version: VERSION, settings: view.settings.clone(), decisions: view.decisions.clone() };
        if let Err(e) = storage::save(&self.path, &saved) {
            self.message = Some(e);
        }
    }

    /// The folder exports go to: `export/` beside the session file.
    pub fn export_dir(&self) -> PathBuf {
        self.path.parent().map_or_else(|| PathBuf::from("export"), |dir| dir.join("export"))
    }

    /// Writes the plot data as `progress.csv` and the plot as `progress.png`
    /// and `progress.svg` (xil-bench's figure style) to [`export_dir`](Self::export_dir).
    pub fn export(&mut self) {
        let Some(view) = self.view.as_ref() else { return };
        let dir = self.export_dir();
        let mut csv = String::from("queries,test_accuracy,counterexamples\n");
        for p in &view.points {
            csv.push_str(&format!("{},{:.6},{}\n", p.queries, p.test_accuracy, p.counterexamples));
        }
        let line = |label: &str, colour, values: Vec<(f32, f32)>| Series {
            label: label.into(),
            colour,
            dashed: false,
            points: values.into_iter().map(|(x, y)| (x, y, y, y)).collect(),
        };
        let most = view.points.iter().map(|p| p.counterexamples).max().unwrap_or(0).max(1) as f32;
        let figure = Figure {
            title: "CAIPI on colors, interactive".into(),
            x_label: "decisions".into(),
            y_label: "test accuracy / share of counterexamples".into(),
            series: vec![
                line(
                    "test accuracy",
                    PALETTE_LINES[0],
                    view.points.iter().map(|p| (p.queries as f32, p.test_accuracy)).collect(),
                ),
                line(
                    &format!("counterexamples (/ {most})"),
                    PALETTE_LINES[1],
                    view.points.iter().map(|p| (p.queries as f32, p.counterexamples as f32 / most)).collect(),
                ),
            ],
        };
        let written = xil_bench::output::prepare_dir(&dir)
            .and_then(|()| xil_bench::output::write_atomically(&dir.join("progress.csv"), csv.as_bytes()))
            .and_then(|()| figure.save(&dir.join("progress")));
        self.message = Some(match written {
            Ok(()) => format!("exported progress.csv, .png and .svg to {}", dir.display()),
            Err(e) => e,
        });
    }

    fn keyboard(&mut self, ui: &egui::Ui) {
        let pressed = |key| ui.input(|i| i.key_pressed(key));
        if pressed(egui::Key::Num0) {
            self.set_label(0);
        }
        if pressed(egui::Key::Num1) {
            self.set_label(1);
        }
        if pressed(egui::Key::A) {
            self.accept();
        }
        if pressed(egui::Key::Enter) {
            self.submit();
        }
        if pressed(egui::Key::Backspace) {
            self.undo();
        }
        if pressed(egui::Key::E) {
            self.export();
        }
        if pressed(egui::Key::S) {
            self.save();
            self.message = Some(format!("saved to {}", self.path.display()));
        }
    }

    fn grid(&mut self, ui: &mut egui::Ui) {
        let Some(view) = self.view.as_ref() else {
            ui.label("Starting the session…");
            return;
        };
        let Some(shown) = view.shown.clone() else {
            ui.label("The pool is exhausted.");
            return;
        };
        let (response, painter) = ui.allocate_painter(egui::vec2(GRID, GRID), egui::Sense::click());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Pixel grid"));
        let cell = GRID / 5.0;
        let origin = response.rect.min;
        let rect_of = |pixel: usize| {
            let (row, column) = ((pixel / 5) as f32, (pixel % 5) as f32);
            egui::Rect::from_min_size(origin + egui::vec2(column * cell, row * cell), egui::vec2(cell, cell))
        };
        if response.clicked()
            && let Some(position) = response.interact_pointer_pos()
        {
            let offset = position - origin;
            let (row, column) = ((offset.y / cell) as usize, (offset.x / cell) as usize);
            if row < 5 && column < 5 {
                self.toggle(row * 5 + column);
            }
        }
        for (pixel, &colour) in shown.image.cells().iter().enumerate() {
            let [r, g, b] = PALETTE.get(usize::from(colour)).copied().unwrap_or([0, 0, 0]);
            painter.rect_filled(rect_of(pixel).shrink(2.0), 4.0, egui::Color32::from_rgb(r, g, b));
        }
        for &pixel in &shown.selected {
            let towards = (shown.relevance[pixel] > 0.0) == (shown.prediction == 1);
            let colour = if towards { egui::Color32::from_rgb(200, 0, 0) } else { egui::Color32::from_rgb(0, 60, 220) };
            painter.rect_stroke(
                rect_of(pixel).shrink(1.0),
                4.0,
                egui::Stroke::new(4.0, colour),
                egui::StrokeKind::Inside,
            );
        }
        for &pixel in &self.marked {
            let rect = rect_of(pixel).shrink(cell * 0.25);
            let stroke = egui::Stroke::new(5.0, egui::Color32::BLACK);
            painter.line_segment([rect.left_top(), rect.right_bottom()], stroke);
            painter.line_segment([rect.right_top(), rect.left_bottom()], stroke);
        }
        ui.label(format!(
            "Prediction: {}{}",
            shown.prediction,
            shown.fidelity.map(|r| format!(" (explanation R² {r:.2})")).unwrap_or_default()
        ));
    }

    fn plot(&self, ui: &mut egui::Ui) {
        let Some(view) = self.view.as_ref() else { return };
        let accuracy: PlotPoints = view.points.iter().map(|p| [p.queries as f64, f64::from(p.test_accuracy)]).collect();
        let most = view.points.iter().map(|p| p.counterexamples).max().unwrap_or(0).max(1) as f64;
        let counterexamples: PlotPoints =
            view.points.iter().map(|p| [p.queries as f64, p.counterexamples as f64 / most]).collect();
        Plot::new("progress").legend(Legend::default()).height(220.0).show(ui, |plot| {
            plot.line(Line::new("test accuracy", accuracy));
            plot.line(Line::new(format!("counterexamples (/ {most})"), counterexamples));
        });
    }
}

impl eframe::App for XilApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.receive();
        self.keyboard(ui);
        egui::Panel::top("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("xil — CAIPI on colors");
                if let Some(message) = &self.message {
                    ui.label(message);
                }
            });
        });
        egui::Panel::left("settings").show(ui, |ui| {
            ui.label("New session");
            ui.add(egui::Slider::new(&mut self.settings.seed, 0..=1000).text("seed"));
            ui.add(egui::Slider::new(&mut self.settings.rule, 0..=1).text("rule"));
            ui.add(egui::Slider::new(&mut self.settings.k, 1..=PIXELS).text("k"));
            if ui.button("Start new session").clicked() {
                self.start();
            }
            ui.separator();
            if self.busy {
                ui.spinner();
            }
            if let Some(view) = &self.view {
                ui.label(format!("decisions: {}", view.decisions.len()));
                if let Some(point) = view.points.last() {
                    ui.label(format!("test accuracy: {:.3}", point.test_accuracy));
                    ui.label(format!("counterexamples: {}", point.counterexamples));
                }
            }
            ui.separator();
            ui.label("Keys: 0/1 label, a accept, click pixels to mark, Enter submit, Backspace undo, s save, e export");
        });
        egui::CentralPanel::default().show(ui, |ui| {
            self.grid(ui);
            ui.horizontal(|ui| {
                let label = self.label.map_or("none".to_string(), |l| l.to_string());
                ui.label(format!("label: {label}"));
                if ui.button("Label 0").clicked() {
                    self.set_label(0);
                }
                if ui.button("Label 1").clicked() {
                    self.set_label(1);
                }
                if ui.button("Accept").clicked() {
                    self.accept();
                }
                if ui.button("Submit").clicked() {
                    self.submit();
                }
                if ui.button("Undo").clicked() {
                    self.undo();
                }
                if ui.button("Save").clicked() {
                    self.save();
                }
                if ui.button("Export").clicked() {
                    self.export();
                }
            });
            self.plot(ui);
        });
    }
}
