//! The eframe app, in two tabs: be the user in CAIPI's loop on colors, or
//! watch a simulated experiment ([`Watching`]).
//!
//! Be the user: the query image is drawn as a 5x5 grid; the pixels the
//! explanation names are framed (red: for the predicted class, blue: against
//! it) and the ones the user marks as irrelevant (click, or drag across) are
//! crossed, with the counterexamples they will generate shown beside.
//! Keyboard: `0`/`1` label, `a` accept (label = prediction, explanation
//! right), `Enter` submit, `Backspace` undo, `s` save, `e` export (CSV, PNG,
//! SVG). The history lists the last decisions; any of them can be taken back
//! with everything after it. The session runs on a worker thread ([`serve`](crate::interactive::serve)),
//! so refits never block a frame. Every decision is saved at once
//! (atomically); on start the saved session is resumed, sessions can be
//! saved and opened by name, and a file that cannot be read is moved aside
//! with a visible message.

use crate::choices::rule_choice;
use crate::grid_view::{paint_explanation, paint_image, paint_marks, pixel_at};
use crate::image_view::ImageTab;
use crate::interactive::{Colors, Decision, Settings, View};
use crate::mail_view::MailTab;
use crate::progress::Progress;
use crate::remote::{Answer, Command, Remote};
use crate::sessions_view::{Asked, NamedSessions, history};
use crate::watch_view::Watching;
use eframe::egui;
use egui_plot::{Legend, Line, Plot, PlotPoints};
use rand_core::SeedableRng;
use std::path::PathBuf;
use xil_core::tasks::colors::{Image, PIXELS};
use xil_core::{Counterexamples, Dataset};

/// Side of the pixel grid in points.
const GRID: f32 = 300.0;

/// Width of the side panel in points (fixed, so the grid's place is known).
const SIDE: f32 = 240.0;

/// Side of a counterexample thumbnail in points.
const THUMBNAIL: f32 = 40.0;

/// The two tabs of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Be the user in the loop.
    Interactive,
    /// Watch a simulated experiment.
    Watch,
    /// Be the user on real e-mails.
    Mail,
    /// Be the user on decoy Fashion-MNIST images.
    Image,
}

/// The app's state.
pub struct XilApp {
    ctx: egui::Context,
    mode: Mode,
    watching: Watching,
    mail: MailTab,
    image: ImageTab,
    named: NamedSessions,
    dragged: Vec<usize>,
    frame_log: Option<(std::fs::File, std::time::Instant)>,
    remote: Remote<Colors>,
    settings: Settings,
    answer: Answer<usize>,
}

impl XilApp {
    /// Starts the app and its worker: resumes the session saved at `path`,
    /// or starts a new one.
    pub fn new(ctx: &egui::Context, path: PathBuf) -> Self {
        let mut app = Self {
            ctx: ctx.clone(),
            mode: Mode::Interactive,
            watching: Watching::default(),
            mail: MailTab::new(path.with_file_name("mail-session.json")),
            image: ImageTab::new(path.with_file_name("image-session.json")),
            named: NamedSessions::default(),
            dragged: Vec::new(),
            frame_log: None,
            remote: Remote::new(path),
            settings: Settings::default(),
            answer: Answer::default(),
        };
        let repaint = ctx.clone();
        if let Some(settings) = app.remote.open("colors", move || repaint.request_repaint()) {
            app.settings = settings;
        }
        app
    }

    /// Appends one line per frame to `path`: seconds since now, the CPU
    /// milliseconds eframe spent on the previous frame, and the rows of the
    /// run going (0 when none). This is how frame times are measured while a
    /// run computes (`scripts/gui_frames`).
    ///
    /// # Errors
    /// A one-line message when the file cannot be created.
    pub fn log_frames(&mut self, path: &std::path::Path) -> Result<(), String> {
        let file = std::fs::File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        self.frame_log = Some((file, std::time::Instant::now()));
        Ok(())
    }

    fn log_frame(&mut self, cpu_seconds: Option<f32>) {
        use std::io::Write;
        let Some((file, started)) = self.frame_log.as_mut() else { return };
        let rows = self.watching.runs().iter().rev().find(|run| run.active()).map_or(0, |run| run.measurements().len());
        let cpu = cpu_seconds.unwrap_or(f32::NAN) * 1000.0;
        if writeln!(file, "{:.4}\t{cpu:.3}\t{rows}", started.elapsed().as_secs_f64()).is_err() {
            self.frame_log = None;
            self.say("the frame log could not be written; logging stopped".into());
        }
    }

    /// Takes the worker's latest view; saves it when it changed the session.
    pub fn receive(&mut self) {
        self.remote.receive();
    }

    /// Whether the worker is still busy with a command.
    pub fn busy(&self) -> bool {
        self.remote.busy()
    }

    /// The latest view of the session.
    pub fn view(&self) -> Option<&View> {
        self.remote.view()
    }

    /// The pixels marked as irrelevant for the query on screen.
    pub fn marked(&self) -> &[usize] {
        &self.answer.marked
    }

    /// The message shown to the user (errors, resumes, saves).
    pub fn message(&self) -> Option<&str> {
        self.remote.message()
    }

    fn say(&mut self, message: String) {
        self.remote.set_message(message);
    }

    /// The tab on screen.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Switches tabs (each keeps going in the background); the E-mails tab
    /// reads the corpus the first time it is opened.
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// The E-mails tab.
    pub fn mail(&self) -> &MailTab {
        &self.mail
    }

    /// The E-mails tab, to act on.
    pub fn mail_mut(&mut self) -> &mut MailTab {
        &mut self.mail
    }

    /// The Images tab.
    pub fn image(&self) -> &ImageTab {
        &self.image
    }

    /// The Images tab, to act on.
    pub fn image_mut(&mut self) -> &mut ImageTab {
        &mut self.image
    }

    /// The Watch tab.
    pub fn watching(&self) -> &Watching {
        &self.watching
    }

    /// The Watch tab, to change.
    pub fn watching_mut(&mut self) -> &mut Watching {
        &mut self.watching
    }

    /// Starts a simulated run of the Watch tab's settings.
    pub fn start_run(&mut self) {
        let repaint = self.ctx.clone();
        self.watching.start(move || repaint.request_repaint());
    }

    /// Starts a new session with the settings of the side panel.
    pub fn start(&mut self) {
        self.answer = Answer::default();
        self.remote.send(Command::Start(self.settings.clone(), Vec::new()));
    }

    /// Marks or unmarks a pixel.
    pub fn toggle(&mut self, pixel: usize) {
        if pixel >= PIXELS {
            return;
        }
        match self.answer.marked.iter().position(|&p| p == pixel) {
            Some(i) => {
                self.answer.marked.remove(i);
            }
            None => self.answer.marked.push(pixel),
        }
    }

    /// Does what the user asked: label, accept, submit the label and the
    /// marked pixels, undo, save.
    pub fn act(&mut self, asked: Asked) {
        if let Some(label) = asked.label {
            self.answer.label = Some(label);
        }
        let decision = |label, irrelevant| Decision { label, irrelevant };
        if asked.accept {
            let prediction = self.remote.view().and_then(|v| v.shown.as_ref()).map(|s| s.prediction);
            self.remote.accept(&mut self.answer, prediction, decision);
        }
        if asked.submit {
            self.remote.submit(&mut self.answer, decision, "give a label first (0 or 1)");
        }
        if asked.undo && !self.remote.busy() {
            self.say("undoing the last decision".into());
            self.remote.undo(&mut self.answer);
        }
        if asked.save {
            self.save();
            self.say(format!("saved to {}", self.remote.path().display()));
        }
    }

    /// Takes back decision `number` (from 1) and every later one.
    pub fn rewind(&mut self, number: usize) {
        if !self.remote.busy() {
            self.say(format!("back to before decision {number}"));
            self.remote.take_back(&mut self.answer, number);
        }
    }

    /// The counterexamples the marked pixels will add with the chosen label
    /// (the prediction until a label is given): each other colour of each
    /// marked pixel, as the session generates them.
    pub fn preview(&self) -> Vec<Image> {
        let Some(shown) = self.remote.view().and_then(|v| v.shown.as_ref()) else { return Vec::new() };
        let label = self.answer.label.unwrap_or(shown.prediction);
        let mut out: Dataset<Image, { 3 * PIXELS }> = Dataset::new();
        // All alternatives are enumerated in order: the generator is not used.
        let mut unused = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0);
        match Counterexamples::default().generate(
            &shown.image,
            label,
            &self.answer.marked,
            |_| true,
            &mut out,
            &mut unused,
        ) {
            Ok(_) => out.as_slice().iter().map(|e| e.instance).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Saves the session under `name` (letters, digits, `-`, `_`).
    pub fn save_as(&mut self, name: &str) {
        self.remote.save_as(name);
    }

    /// Opens the session saved under `name` (it replaces the one on screen,
    /// which stays saved in its own file).
    pub fn open(&mut self, name: &str) {
        if let Some(settings) = self.remote.open_named(name) {
            self.opened(settings);
        }
    }

    fn opened(&mut self, settings: Settings) {
        self.settings = settings;
        self.answer = Answer::default();
    }

    /// The names of the saved sessions.
    pub fn saved_names(&self) -> Vec<String> {
        self.remote.names()
    }

    /// Saves the session now (it is also saved after every decision).
    pub fn save(&mut self) {
        if self.remote.view().is_some_and(|view| !view.points.is_empty()) {
            self.remote.save();
        }
    }

    /// The folder exports go to: `export/` beside the session file.
    pub fn export_dir(&self) -> PathBuf {
        self.remote.path().parent().map_or_else(|| PathBuf::from("export"), |dir| dir.join("export"))
    }

    /// Writes the tab's plot data as CSV and the plot as PNG and SVG
    /// (xil-bench's figure style) to [`export_dir`](Self::export_dir):
    /// `progress.*` for colors, `mail-progress.*`, `image-progress.*`; on the
    /// Watch tab, the runs (see [`Watching::export`]).
    pub fn export(&mut self) {
        if self.mode == Mode::Watch {
            self.say(self.watching.export(&self.export_dir()).unwrap_or_else(|e| e));
            return;
        }
        let dir = self.export_dir();
        let progress = match self.mode {
            Mode::Interactive => self.remote.view().map(|view| Progress {
                title: "CAIPI on colors, interactive".into(),
                columns: vec!["test accuracy", "counterexamples"],
                rows: view
                    .points
                    .iter()
                    .map(|p| (p.queries, vec![p.test_accuracy, p.counterexamples as f32]))
                    .collect(),
            }),
            Mode::Mail => self.mail.progress(),
            Mode::Image => self.image.progress(),
            Mode::Watch => None,
        };
        let stem = match self.mode {
            Mode::Mail => "mail-progress",
            Mode::Image => "image-progress",
            Mode::Interactive | Mode::Watch => "progress",
        };
        if let Some(progress) = progress {
            self.say(progress.export(&dir, stem).unwrap_or_else(|e| e));
        }
    }

    fn keyboard(&mut self, ui: &egui::Ui) {
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        let pressed = |key| ui.input(|i| i.key_pressed(key));
        if pressed(egui::Key::E) {
            self.export();
        }
        match self.mode {
            Mode::Interactive => {}
            Mode::Mail => return self.mail.keyboard(ui),
            Mode::Image => return self.image.keyboard(ui),
            Mode::Watch => return,
        }
        self.act(Asked::keys(ui, 2));
    }

    fn grid(&mut self, ui: &mut egui::Ui) {
        let Some(view) = self.remote.view() else {
            ui.label("Starting the session…");
            return;
        };
        let Some(shown) = view.shown.clone() else {
            ui.label("The pool is exhausted.");
            return;
        };
        let (response, painter) = ui.allocate_painter(egui::vec2(GRID, GRID), egui::Sense::click_and_drag());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Pixel grid"));
        let rect = response.rect;
        if response.clicked()
            && let Some(pixel) = response.interact_pointer_pos().and_then(|p| pixel_at(rect, p))
        {
            self.toggle(pixel);
        }
        // A drag marks (or unmarks) each pixel it crosses once, from the one
        // where the button went down.
        let mut crossed = Vec::new();
        if response.drag_started() {
            self.dragged.clear();
            crossed.extend(ui.input(|i| i.pointer.press_origin()));
        }
        if response.dragged() {
            crossed.extend(response.interact_pointer_pos());
        }
        for pixel in crossed.into_iter().filter_map(|p| pixel_at(rect, p)) {
            if !self.dragged.contains(&pixel) {
                self.dragged.push(pixel);
                self.toggle(pixel);
            }
        }
        paint_image(&painter, rect, &shown.image);
        paint_explanation(&painter, rect, &shown.selected, &shown.relevance, shown.prediction);
        paint_marks(&painter, rect, &self.answer.marked);
        ui.label(format!(
            "Prediction: {}{}",
            shown.prediction,
            shown.fidelity.map(|r| format!(" (explanation R² {r:.2})")).unwrap_or_default()
        ));
    }

    /// Thumbnails of the counterexamples the marks will add.
    fn counterexamples(&self, ui: &mut egui::Ui) {
        let preview = self.preview();
        if preview.is_empty() {
            ui.label("Mark pixels the label does not depend on: each other colour of each becomes a counterexample.");
            return;
        }
        let label = self.answer.label.or_else(|| self.remote.view()?.shown.as_ref().map(|s| s.prediction)).unwrap_or(0);
        ui.label(format!("Submitting adds these {} counterexamples, labelled {label}:", preview.len()));
        ui.horizontal_wrapped(|ui| {
            for image in &preview {
                let (rect, _) = ui.allocate_exact_size(egui::vec2(THUMBNAIL, THUMBNAIL), egui::Sense::hover());
                paint_image(ui.painter(), rect, image);
            }
        });
    }

    fn history(&mut self, ui: &mut egui::Ui) {
        let taken_back = history(ui, &self.remote, "take back", |decision: &Decision| {
            let what = if decision.irrelevant.is_empty() {
                "accepted".to_string()
            } else {
                format!("marked {:?}", decision.irrelevant)
            };
            format!("label {}, {what}", decision.label)
        });
        if let Some(number) = taken_back {
            self.rewind(number);
        }
    }

    fn plot(&self, ui: &mut egui::Ui) {
        let Some(view) = self.remote.view() else { return };
        let accuracy: PlotPoints = view.points.iter().map(|p| [p.queries as f64, f64::from(p.test_accuracy)]).collect();
        let most = view.points.iter().map(|p| p.counterexamples).max().unwrap_or(0).max(1) as f64;
        let counterexamples: PlotPoints =
            view.points.iter().map(|p| [p.queries as f64, p.counterexamples as f64 / most]).collect();
        Plot::new("progress").legend(Legend::default()).height(200.0).show(ui, |plot| {
            plot.line(Line::new("test accuracy", accuracy));
            plot.line(Line::new(format!("counterexamples (/ {most})"), counterexamples));
        });
    }

    fn interactive_panels(&mut self, ui: &mut egui::Ui) {
        egui::Panel::left("settings").exact_size(SIDE).resizable(false).show(ui, |ui| {
            ui.label("New session");
            ui.add(egui::Slider::new(&mut self.settings.seed, 0..=1000).text("seed"));
            rule_choice(ui, &mut self.settings.rule);
            ui.add(egui::Slider::new(&mut self.settings.k, 1..=PIXELS).text("k"));
            if ui.button("Start new session").clicked() {
                self.start();
            }
            ui.separator();
            if let Some(settings) = self.named.ui(ui, &mut self.remote) {
                self.opened(settings);
            }
            ui.separator();
            if self.remote.busy() {
                ui.spinner();
            }
            if let Some(view) = self.remote.view() {
                ui.label(format!("decisions: {}", view.decisions.len()));
                if let Some(point) = view.points.last() {
                    ui.label(format!("test accuracy: {:.3}", point.test_accuracy));
                    ui.label(format!("counterexamples: {}", point.counterexamples));
                }
            }
            ui.separator();
            self.history(ui);
            ui.separator();
            ui.label("Keys: 0/1 label, a accept, click or drag over pixels to mark, Enter submit, Backspace undo, s save, e export");
        });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.vertical(|ui| self.grid(ui));
                ui.vertical(|ui| self.counterexamples(ui));
            });
            ui.horizontal(|ui| {
                let label = self.answer.label.map_or("none".to_string(), |l| l.to_string());
                ui.label(format!("label: {label}"));
                if ui.button("Label 0").clicked() {
                    self.answer.label = Some(0);
                }
                if ui.button("Label 1").clicked() {
                    self.answer.label = Some(1);
                }
                let asked = Asked::buttons(ui);
                self.act(asked);
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

    fn watch_panels(&mut self, ui: &mut egui::Ui) {
        egui::Panel::left("watch settings").default_size(SIDE + 60.0).show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                if ui.button("Export runs").clicked() {
                    self.export();
                }
                let repaint = self.ctx.clone();
                self.watching.controls(ui, move || repaint.request_repaint());
            });
        });
        egui::CentralPanel::default().show(ui, |ui| self.watching.plots(ui));
    }
}

impl eframe::App for XilApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.log_frame(frame.info().cpu_usage);
        self.show(ui);
    }
}

impl XilApp {
    /// Draws one frame of the app into `ui` and handles its input: what
    /// eframe calls every frame, less the frame log. Tests drive the app
    /// through this (`egui_kittest`'s `build_ui_state`), so they need neither
    /// eframe's window integration nor its system libraries.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.receive();
        self.watching.poll();
        let repaint = self.ctx.clone();
        match self.mode {
            Mode::Mail => self.mail.open(move || repaint.request_repaint()),
            Mode::Image => self.image.open(move || repaint.request_repaint()),
            Mode::Interactive | Mode::Watch => {}
        }
        self.mail.receive();
        self.image.receive();
        self.keyboard(ui);
        egui::Panel::top("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("xil");
                ui.selectable_value(&mut self.mode, Mode::Interactive, "Be the user");
                ui.selectable_value(&mut self.mode, Mode::Watch, "Watch a run");
                ui.selectable_value(&mut self.mode, Mode::Mail, "E-mails");
                ui.selectable_value(&mut self.mode, Mode::Image, "Images");
                if matches!(self.mode, Mode::Mail | Mode::Image) && ui.button("Export (e)").clicked() {
                    self.export();
                }
                if let Some(message) = self.remote.message() {
                    ui.label(message);
                }
            });
        });
        match self.mode {
            Mode::Interactive => self.interactive_panels(ui),
            Mode::Watch => self.watch_panels(ui),
            Mode::Mail => {
                egui::Panel::left("mail settings").exact_size(SIDE).resizable(false).show(ui, |ui| {
                    egui::ScrollArea::vertical().id_salt("mail side").show(ui, |ui| self.mail.side(ui));
                });
                egui::CentralPanel::default().show(ui, |ui| self.mail.central(ui));
            }
            Mode::Image => {
                egui::Panel::left("image settings").exact_size(SIDE).resizable(false).show(ui, |ui| {
                    egui::ScrollArea::vertical().id_salt("image side").show(ui, |ui| self.image.side(ui));
                });
                egui::CentralPanel::default().show(ui, |ui| self.image.central(ui));
            }
        }
    }
}
