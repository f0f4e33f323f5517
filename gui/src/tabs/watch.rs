//! The Watch tab: pick a protocol and its settings, start a simulated run,
//! pause, resume or stop it, and see every metric plotted live, with earlier
//! runs overlaid (legend entries toggle them).
//!
//! The runs themselves are [`Run`]s on worker threads; this file only edits
//! settings, forwards the buttons and draws. Curves are the mean over the
//! folds that have reached each query, the same statistic as xil-bench's
//! figures, which [`Watching::export`] writes (PNG, SVG) with the rows (CSV).

use crate::error::{Error, Result};
use crate::export::ExportJob;
use crate::sessions::experiment::{
    Experiment, default_active, default_caipi, default_cali, default_decoy, default_text,
};
use crate::sessions::runs::{Run, SavedRun, Status};
use crate::sessions::storage::{self, Saved, VERSION};
use crate::tabs::{Repaint, Tab, Worker};
use crate::widgets::choices::choice;
use crate::widgets::forms::{active_form, caipi_form, cali_form, decoy_form, text_form};
use crate::widgets::plots;
use eframe::egui;
use egui_plot::{FilledArea, Line, PlotPoints};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use xil_bench::harness::record::table_to_csv;
use xil_bench::protocols::active::ActiveSettings;
use xil_bench::protocols::caipi_colors::CaipiSettings;
use xil_bench::protocols::caipi_text::TextSettings;
use xil_bench::protocols::caipi_text::data::Headers;
use xil_bench::protocols::cali::CaliSettings;
use xil_bench::protocols::decoy_fashion::DecoySettings;
use xil_bench::report::figures::{Figure, PALETTE, Series};

/// The protocols a run can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExperimentKind {
    Caipi,
    Cali,
    Decoy,
    Text,
    Active,
}

impl ExperimentKind {
    const ALL: [ExperimentKind; 5] = [
        ExperimentKind::Caipi,
        ExperimentKind::Cali,
        ExperimentKind::Decoy,
        ExperimentKind::Text,
        ExperimentKind::Active,
    ];

    fn name(self) -> &'static str {
        match self {
            ExperimentKind::Caipi => "CAIPI colors",
            ExperimentKind::Cali => "CALI (SENN) colors",
            ExperimentKind::Decoy => "decoy Fashion-MNIST",
            ExperimentKind::Text => "CAIPI e-mails",
            ExperimentKind::Active => "active learning (ALEX, retrieval, ...)",
        }
    }
}

/// The Watch tab's state: the settings being edited and the runs so far.
pub struct Watching {
    protocol: ExperimentKind,
    caipi: CaipiSettings,
    cali: CaliSettings,
    decoy: DecoySettings,
    text: TextSettings,
    headers: Headers,
    active: ActiveSettings,
    runs: Vec<Run>,
    /// The runs "Clear ended runs" took away last, to bring back.
    cleared: Vec<Run>,
    /// The weight of the past in the curves' exponential smoothing, as
    /// `TensorBoard`'s slider (0: none).
    smoothing: f32,
    message: Option<String>,
    /// Asks the window for a frame; set when the tab is first shown.
    repaint: Option<Repaint>,
    /// Where the runs are saved between sessions of the app, if anywhere.
    file: Option<PathBuf>,
    /// What was last saved (runs, rows, ended runs) and when.
    saved: ((usize, usize, usize), Instant),
}

/// How often the runs are saved while rows arrive (an ended, cleared or
/// restored run is saved at once).
const SAVE_EVERY: Duration = Duration::from_secs(2);

impl Default for Watching {
    fn default() -> Self {
        Self {
            protocol: ExperimentKind::Caipi,
            caipi: default_caipi(),
            cali: default_cali(),
            decoy: default_decoy(),
            text: default_text(),
            headers: Headers::Strip,
            active: default_active(),
            runs: Vec::new(),
            cleared: Vec::new(),
            smoothing: 0.0,
            message: None,
            repaint: None,
            file: None,
            saved: ((0, 0, 0), Instant::now()),
        }
    }
}

impl Watching {
    /// A Watch tab whose runs are saved at `file` and restored from it: the
    /// runs of an earlier session of the app come back ended, with their
    /// rows (a file that cannot be read is moved aside, with a message).
    pub fn new(file: PathBuf) -> Self {
        let mut watching = Self::default();
        match storage::load::<(), SavedRun>(&file) {
            Ok(Some(saved)) => watching.runs = saved.decisions.into_iter().map(Run::restored).collect(),
            Ok(None) => {}
            Err(e) => watching.message = Some(e.to_string()),
        }
        watching.saved = (watching.state(), Instant::now());
        watching.file = Some(file);
        watching
    }

    /// What saving depends on: runs, rows, ended runs.
    fn state(&self) -> (usize, usize, usize) {
        let rows = self.runs.iter().map(|run| run.measurements().len()).sum();
        (self.runs.len(), rows, self.runs.iter().filter(|run| !run.active()).count())
    }

    /// Saves the runs when they changed: at once when one ended or the list
    /// changed, else at most every [`SAVE_EVERY`].
    fn save_if_changed(&mut self) {
        if self.file.is_none() {
            return;
        }
        let now = self.state();
        let (before, when) = self.saved;
        let listed = (now.0, now.2) != (before.0, before.2);
        if now == before || !(listed || when.elapsed() >= SAVE_EVERY) {
            return;
        }
        self.save();
    }

    /// Saves the runs now (with a message when the file cannot be written).
    fn save(&mut self) {
        let Some(file) = &self.file else { return };
        let saved = Saved { version: VERSION, settings: (), decisions: self.runs.iter().map(Run::saved).collect() };
        if let Err(e) = storage::save(file, &saved) {
            self.message = Some(e.to_string());
        }
        self.saved = (self.state(), Instant::now());
    }

    /// The experiment the settings describe (without corrections, CALI's
    /// label loss has all the weight, as on the command line).
    pub fn experiment(&self) -> Experiment {
        match self.protocol {
            ExperimentKind::Caipi => Experiment::Caipi(self.caipi.clone()),
            ExperimentKind::Cali => {
                let lambda = if self.cali.corrections { self.cali.lambda } else { 1.0 };
                Experiment::Cali(CaliSettings { lambda, ..self.cali.clone() })
            }
            ExperimentKind::Decoy => Experiment::Decoy(self.decoy.clone()),
            ExperimentKind::Text => Experiment::Text(self.text.clone(), self.headers),
            ExperimentKind::Active => Experiment::Active(self.active.clone()),
        }
    }

    /// Replaces the settings being edited.
    pub fn set_experiment(&mut self, experiment: Experiment) {
        self.protocol = match experiment {
            Experiment::Caipi(settings) => {
                self.caipi = settings;
                ExperimentKind::Caipi
            }
            Experiment::Cali(settings) => {
                self.cali = settings;
                ExperimentKind::Cali
            }
            Experiment::Decoy(settings) => {
                self.decoy = settings;
                ExperimentKind::Decoy
            }
            Experiment::Text(settings, headers) => {
                (self.text, self.headers) = (settings, headers);
                ExperimentKind::Text
            }
            Experiment::Active(settings) => {
                self.active = settings;
                ExperimentKind::Active
            }
        };
    }

    /// The runs, oldest first.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    fn active(&mut self) -> Option<&mut Run> {
        self.runs.iter_mut().rev().find(|run| run.active())
    }

    /// Starts a run of the edited settings (one run at a time); the window
    /// is repainted after each row.
    pub fn start(&mut self) {
        let repaint = self.repaint.clone();
        let repaint = move || repaint.as_ref().map_or((), |repaint| repaint());
        if self.active().is_some() {
            self.message = Some("a run is going: stop it first".into());
            return;
        }
        self.message = match Run::start(self.experiment(), repaint) {
            Ok(run) => {
                self.runs.push(run);
                None
            }
            Err(e) => Some(e.to_string()),
        };
    }

    /// Pauses the run that is going.
    pub fn pause(&mut self) {
        if let Some(run) = self.active() {
            run.pause();
        }
    }

    /// Resumes the paused run.
    pub fn resume(&mut self) {
        if let Some(run) = self.active() {
            run.resume();
        }
    }

    /// Stops the run that is going; its rows stay.
    pub fn stop(&mut self) {
        if let Some(run) = self.active() {
            run.stop();
        }
    }

    /// Takes the runs that ended off the plots; [`bring_back`](Self::bring_back)
    /// undoes it (until the next clear).
    pub fn clear(&mut self) {
        let (going, ended): (Vec<Run>, Vec<Run>) = std::mem::take(&mut self.runs).into_iter().partition(Run::active);
        self.runs = going;
        if !ended.is_empty() {
            self.cleared = ended;
        }
    }

    /// Puts the runs the last clear took away back, before the others.
    pub fn bring_back(&mut self) {
        let going = std::mem::take(&mut self.runs);
        self.runs = std::mem::take(&mut self.cleared);
        self.runs.extend(going);
    }

    /// Legend text of run `index`.
    fn legend(index: usize, run: &Run) -> String {
        format!("#{} {}", index + 1, run.experiment().describe())
    }

    /// Plot titles in order of first appearance over the runs.
    fn panels(&self) -> Vec<&'static str> {
        let mut panels = Vec::new();
        for metric in self.runs.iter().flat_map(|run| run.experiment().metrics()) {
            if !panels.contains(&metric.panel) {
                panels.push(metric.panel);
            }
        }
        panels
    }

    /// The x axis's title of `panel`: the step of the runs drawn in it
    /// (queries, epochs, ...), or "steps" when they differ.
    fn x_title(&self, panel: &str) -> &'static str {
        let mut steps = self
            .runs
            .iter()
            .filter(|run| run.experiment().metrics().iter().any(|m| m.panel == panel))
            .map(|run| run.experiment().step());
        let first = steps.next().unwrap_or("steps");
        if steps.all(|step| step == first) { first } else { "steps" }
    }

    /// The curves of one plot. The legend is the run's number, or with
    /// `described` its description, followed by the metric's name when the
    /// plot has several of the run's metrics.
    fn curves_of(&self, panel: &str, described: bool) -> Vec<Curve<'_>> {
        let mut curves = Vec::new();
        for (index, run) in self.runs.iter().enumerate() {
            let metrics = run.experiment().metrics();
            let shared = metrics.iter().filter(|m| m.panel == panel).count() > 1;
            for (order, (metric, about)) in metrics.iter().enumerate().filter(|(_, m)| m.panel == panel).enumerate() {
                let run_name = if described { Self::legend(index, run) } else { format!("#{}", index + 1) };
                let legend = if shared { format!("{run_name} {}", about.name) } else { run_name };
                curves.push(Curve { legend, metric, run, index, order });
            }
        }
        curves
    }

    /// Every run's rows and one figure per plot (mean ± one deviation over
    /// folds), taken now; the job writes them as `watch/runs.csv` and
    /// `watch/<plot>.png` and `.svg` under the export folder.
    ///
    /// # Errors
    /// [`Error::NothingToExport`] without runs; a one-line message when the
    /// table cannot be made.
    pub fn export_runs(&self) -> Result<ExportJob> {
        if self.runs.is_empty() {
            return Err(Error::NothingToExport("start a run first"));
        }
        let mut rows = Vec::new();
        for (index, run) in self.runs.iter().enumerate() {
            let description = run.experiment().describe();
            for m in run.measurements() {
                for (metric, value) in run.experiment().metrics().iter().zip(&m.values) {
                    let fields = [(index + 1).to_string(), description.clone(), m.fold.to_string()];
                    rows.push(
                        fields
                            .into_iter()
                            .chain([m.iteration.to_string(), metric.name.into(), value.to_string()])
                            .collect(),
                    );
                }
            }
        }
        let header = ["run", "experiment", "fold", "iteration", "metric", "value"].map(String::from);
        let csv = table_to_csv(header, rows)?;
        let figures: Vec<(String, Figure)> = self
            .panels()
            .into_iter()
            .map(|panel| {
                let series = self
                    .curves_of(panel, true)
                    .into_iter()
                    .map(|curve| Series {
                        colour: {
                            let (r, g, b) = curve_colour(curve.index, curve.order);
                            let mut colour = PALETTE[0];
                            (colour.0, colour.1, colour.2) = (r, g, b);
                            colour
                        },
                        dashed: curve.order > 0 || curve.index >= PALETTE.len(),
                        points: curve.run.curve(curve.metric),
                        label: curve.legend,
                    })
                    .collect();
                let x_label = self.x_title(panel).into();
                let stem: String = panel.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
                (stem, Figure { title: panel.into(), x_label, y_label: panel.into(), series })
            })
            .collect();
        Ok(Box::new(move |dir: &Path| {
            let write = || -> Result<String> {
                let dir = dir.join("watch");
                xil_bench::report::files::prepare_dir(&dir)?;
                xil_bench::report::files::write_atomically(&dir.join("runs.csv"), &csv)?;
                for (stem, figure) in &figures {
                    figure.save(&dir.join(stem))?;
                }
                Ok(format!("exported runs.csv and {} figures to {}", figures.len(), dir.display()))
            };
            write().unwrap_or_else(|e| e.to_string())
        }))
    }

    /// The settings form and the run buttons (the left panel).
    pub fn controls(&mut self, ui: &mut egui::Ui) {
        let going = self.runs.iter().rev().find(|run| run.active()).map(|run| run.status().clone());
        ui.horizontal_wrapped(|ui| {
            if ui.add_enabled(going.is_none(), egui::Button::new("Start run")).on_hover_text("Key Enter").clicked() {
                self.start();
            }
            if ui
                .add_enabled(going == Some(Status::Running), egui::Button::new("Pause"))
                .on_hover_text("Key Space")
                .clicked()
            {
                self.pause();
            }
            if ui
                .add_enabled(going == Some(Status::Paused), egui::Button::new("Resume"))
                .on_hover_text("Key Space")
                .clicked()
            {
                self.resume();
            }
            let stoppable = matches!(going, Some(Status::Running | Status::Paused));
            if ui.add_enabled(stoppable, egui::Button::new("Stop")).on_hover_text("Key Escape").clicked() {
                self.stop();
            }
            if ui
                .button("Clear ended runs")
                .on_hover_text("Take the finished and stopped runs off the plots (\"Bring back\" undoes it)")
                .clicked()
            {
                self.clear();
            }
            if !self.cleared.is_empty()
                && ui
                    .button(format!("Bring back {} cleared", self.cleared.len()))
                    .on_hover_text("Undo the last \"Clear ended runs\"")
                    .clicked()
            {
                self.bring_back();
            }
        });
        for (index, run) in self.runs.iter().enumerate().rev() {
            ui.label(format!("{} — {}", Self::legend(index, run), status_text(run.status())));
            let rows = run.measurements().len();
            let text = if run.loaded() || run.status() != &Status::Running {
                let left = run.remaining().map(|left| format!(", {} left", duration_text(left))).unwrap_or_default();
                format!("{rows} / {} rows, {}{left}", run.experiment().rows(), duration_text(run.elapsed()))
            } else {
                "reading the data…".to_string()
            };
            ui.add(egui::ProgressBar::new(run.progress()).text(text));
        }
        ui.separator();
        ui.label("Simulated experiment");
        choice(
            ui,
            ("protocol", "The experiment to run; its settings follow below"),
            &mut self.protocol,
            &ExperimentKind::ALL,
            |v| v.name(),
        );
        match self.protocol {
            ExperimentKind::Caipi => caipi_form(ui, &mut self.caipi),
            ExperimentKind::Cali => cali_form(ui, &mut self.cali),
            ExperimentKind::Decoy => decoy_form(ui, &mut self.decoy),
            ExperimentKind::Text => text_form(ui, &mut self.text, &mut self.headers),
            ExperimentKind::Active => active_form(ui, &mut self.active),
        }
    }

    /// The live plots (the central panel).
    pub fn plots(&mut self, ui: &mut egui::Ui) {
        if let Some(message) = &self.message {
            ui.colored_label(ui.visuals().warn_fg_color, message);
        }
        let panels = self.panels();
        if panels.is_empty() {
            ui.label("No run yet: choose the settings on the left and start one. Runs stay for comparison.");
            return;
        }
        ui.label(
            "Curves: mean over the folds (or runs) that have reached each point, shaded ± one deviation; #N is the \
             run of that number in the table, in its colour on every plot (a run's second metric in a plot dashed).",
        );
        self.runs_table(ui);
        ui.add(egui::Slider::new(&mut self.smoothing, 0.0..=0.95).text("smoothing")).on_hover_text(
            "Exponential smoothing of the mean curves, as TensorBoard's: the weight of the past (0: the raw means; \
             the bands and exports stay raw)",
        );
        let rows = panels.len().div_ceil(2);
        let height = ((ui.available_height() - 20.0) / rows as f32 - 24.0).max(140.0);
        egui::ScrollArea::vertical().show(ui, |ui| {
            for pair in panels.chunks(2) {
                ui.columns(2, |columns| {
                    for (column, panel) in columns.iter_mut().zip(pair) {
                        column.label(self.panel_title(panel));
                        plots::counted(panel, self.x_title(panel), panel, height).show(column, |plot| {
                            for curve in self.curves_of(panel, false) {
                                let points = curve.run.curve(curve.metric);
                                let (r, g, b) = curve_colour(curve.index, curve.order);
                                let colour = egui::Color32::from_rgb(r, g, b);
                                let column = |pick: fn(&(f32, f32, f32, f32)) -> f32| -> Vec<f64> {
                                    points.iter().map(|p| f64::from(pick(p))).collect()
                                };
                                let (xs, low, high) = (column(|p| p.0), column(|p| p.2), column(|p| p.3));
                                plot.add(
                                    FilledArea::new(curve.legend.clone(), &xs, &low, &high)
                                        .fill_color(colour.gamma_multiply(0.2)),
                                );
                                let means = smoothed(&column(|p| p.1), f64::from(self.smoothing));
                                let line: PlotPoints = xs.iter().zip(means).map(|(&x, y)| [x, y]).collect();
                                plot.line(Line::new(curve.legend, line).color(colour).style(curve_style(curve.order)));
                            }
                        });
                    }
                });
            }
        });
    }

    /// A plot's title, with how each metric is drawn when a run has several
    /// in it ("alpha0 solid, alpha1 dashed, residual dotted").
    fn panel_title(&self, panel: &str) -> String {
        let mut styles: Vec<String> = Vec::new();
        let curves = self.curves_of(panel, false);
        let first = curves.first().map(|curve| curve.index);
        for curve in curves.iter().filter(|curve| Some(curve.index) == first) {
            let metric = curve.run.experiment().metrics();
            if let Some(about) = metric.get(curve.metric) {
                let entry = format!("{} {}", about.name, style_name(curve.order));
                if !styles.contains(&entry) {
                    styles.push(entry);
                }
            }
        }
        if styles.len() > 1 { format!("{panel}: {}", styles.join(", ")) } else { panel.to_string() }
    }

    /// The runs as a table, as `TensorBoard`'s hyper-parameter view: colour,
    /// number, status, rows, time worked and left, and the settings (those
    /// that differ between the runs when there are several).
    fn runs_table(&self, ui: &mut egui::Ui) {
        let settings: Vec<Vec<(String, String)>> = self.runs.iter().map(|r| r.experiment().settings()).collect();
        let names = compared(&settings);
        egui::ScrollArea::horizontal().id_salt("runs table").show(ui, |ui| {
            egui::Grid::new("runs").striped(true).show(ui, |ui| {
                for title in ["", "run", "status", "rows", "worked", "left"] {
                    ui.strong(title);
                }
                for name in &names {
                    ui.strong(name.as_str());
                }
                ui.end_row();
                for (index, (run, settings)) in self.runs.iter().zip(&settings).enumerate() {
                    let (swatch, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
                    ui.painter().rect_filled(swatch, 2.0, run_colour(index));
                    ui.label(format!("#{}", index + 1));
                    ui.label(status_text(run.status()));
                    ui.label(format!("{} / {}", run.measurements().len(), run.experiment().rows()));
                    ui.label(duration_text(run.elapsed()));
                    ui.label(run.remaining().map_or("–".to_string(), duration_text));
                    for name in &names {
                        ui.label(setting(settings, name));
                    }
                    ui.end_row();
                }
            });
        });
    }
}

/// One curve of a plot: its legend, the run's metric it draws, the run,
/// the run's number (from 0) and the metric's order among the run's
/// metrics in this plot.
struct Curve<'a> {
    legend: String,
    metric: usize,
    run: &'a Run,
    index: usize,
    order: usize,
}

/// The colour of run `index` (from 0) on every plot and in the table, as
/// the exported figures use.
fn run_colour(index: usize) -> egui::Color32 {
    let (r, g, b) = curve_colour(index, 0);
    egui::Color32::from_rgb(r, g, b)
}

/// The colour of metric `order` (from 0) of run `index` in a plot with
/// several of its metrics: the run's colour, lighter for each further
/// metric, in the app and in the exports alike.
fn curve_colour(index: usize, order: usize) -> (u8, u8, u8) {
    let base = PALETTE[index % PALETTE.len()];
    let white = (0.3 * order as f32).min(0.6);
    let mix = |c: u8| (f32::from(c) + (255.0 - f32::from(c)) * white).round() as u8;
    (mix(base.0), mix(base.1), mix(base.2))
}

/// How metric `order` of a run is drawn: solid, dashed, dotted, then dashed
/// again (each a lighter shade of the run's colour).
fn curve_style(order: usize) -> egui_plot::LineStyle {
    match order {
        0 => egui_plot::LineStyle::Solid,
        2 => egui_plot::LineStyle::dotted_dense(),
        _ => egui_plot::LineStyle::dashed_loose(),
    }
}

/// "solid", "dashed" or "dotted": how [`curve_style`] draws metric `order`.
fn style_name(order: usize) -> &'static str {
    match order {
        0 => "solid",
        2 => "dotted",
        _ => "dashed",
    }
}

/// The value of setting `name` in a run's settings, or a dash.
fn setting(run: &[(String, String)], name: &str) -> String {
    run.iter().find(|(n, _)| n == name).map_or("–".to_string(), |(_, v)| v.clone())
}

/// The settings the runs table shows: every setting of a lone run; of
/// several, those whose values differ between them (in order of first
/// appearance), as a hyper-parameter view compares runs.
fn compared(settings: &[Vec<(String, String)>]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (name, _) in settings.iter().flatten() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    if let Some(first) = settings.first().filter(|_| settings.len() > 1) {
        names.retain(|name| settings.iter().any(|run| setting(run, name) != setting(first, name)));
    }
    names
}

/// `values` smoothed exponentially with `weight` on the past, debiased at
/// the start as `TensorBoard` does (the first value is itself).
fn smoothed(values: &[f64], weight: f64) -> Vec<f64> {
    let mut average = 0.0;
    let mut debias = 1.0;
    values
        .iter()
        .map(|&v| {
            average = weight * average + (1.0 - weight) * v;
            debias *= weight;
            if debias < 1.0 { average / (1.0 - debias) } else { v }
        })
        .collect()
}

/// A run's status in a word.
fn status_text(status: &Status) -> String {
    match status {
        Status::Running => "running".into(),
        Status::Paused => "paused".into(),
        Status::Stopping => "stopping".into(),
        Status::Stopped => "stopped".into(),
        Status::Finished => "finished".into(),
        Status::Failed(why) => format!("failed: {why}"),
    }
}

/// `1 h 02 min`, `3 min 05 s` or `42 s`.
fn duration_text(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {:02} s", seconds / 60, seconds % 60),
        _ => format!("{} h {:02} min", seconds / 3600, seconds % 3600 / 60),
    }
}

impl Drop for Watching {
    /// The app closes: the runs are saved as they are (one going is saved
    /// as stopped, with its rows so far).
    fn drop(&mut self) {
        if self.state() != self.saved.0 {
            self.save();
        }
    }
}

impl Worker for Watching {
    fn open(&mut self, repaint: Repaint) {
        self.repaint.get_or_insert(repaint);
    }

    /// Takes the rows every run measured since the last frame, and saves
    /// the runs when they changed.
    fn poll(&mut self) {
        for run in &mut self.runs {
            run.poll();
        }
        self.save_if_changed();
    }
}

impl Tab for Watching {
    fn worker(&mut self) -> &mut dyn Worker {
        self
    }

    fn task(&self) -> &'static str {
        "Run one of the bench's experiments with a simulated user and watch its curves grow: choose the \
         experiment and its settings on the left and start. Each curve is the mean over folds (or runs) with a \
         band of one standard deviation; earlier runs stay for comparison."
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("Enter", "start a run with the settings on the left"),
            ("Space", "pause or resume the run going"),
            ("Escape", "stop the run going (its rows stay)"),
            ("c", "clear the ended runs (b brings them back)"),
        ]
    }

    /// `Enter` start, `Space` pause or resume, `Escape` stop, `c` clear the
    /// ended runs, `b` bring them back.
    fn keyboard(&mut self, ui: &egui::Ui) {
        let pressed = |key| ui.input(|i| i.key_pressed(key));
        if pressed(egui::Key::Enter) && self.active().is_none() {
            self.start();
        }
        if pressed(egui::Key::Space) {
            match self.active().map(|run| run.status().clone()) {
                Some(Status::Running) => self.pause(),
                Some(Status::Paused) => self.resume(),
                _ => {}
            }
        }
        if pressed(egui::Key::Escape) {
            self.stop();
        }
        if pressed(egui::Key::C) {
            self.clear();
        }
        if pressed(egui::Key::B) && !self.cleared.is_empty() {
            self.bring_back();
        }
    }

    fn side(&mut self, ui: &mut egui::Ui) {
        self.controls(ui);
    }

    /// Wider than the others: the settings forms have long labels.
    fn side_width(&self) -> f32 {
        300.0
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        self.plots(ui);
    }

    fn export(&mut self) -> ExportJob {
        self.export_runs().unwrap_or_else(|e| {
            let message = e.to_string();
            Box::new(move |_: &Path| message)
        })
    }

    /// The message shown above the plots.
    fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::experiment::default_caipi;

    #[test]
    fn smoothing_keeps_constants_starts_at_the_first_value_and_zero_weight_changes_nothing() {
        let values = [1.0, 3.0, 2.0, 5.0];
        assert_eq!(smoothed(&values, 0.0), values.to_vec());
        assert!(smoothed(&[2.0; 6], 0.9).iter().all(|v| (v - 2.0).abs() < 1e-12));
        let smooth = smoothed(&values, 0.5);
        assert!((smooth[0] - 1.0).abs() < 1e-12, "debiased: the first point is itself");
        // By hand: averages 0.5, 1.75, 1.875 debiased by 1 - 0.5^t.
        assert!((smooth[1] - 1.75 / 0.75).abs() < 1e-12);
        assert!((smooth[2] - 1.875 / 0.875).abs() < 1e-12);
    }

    #[test]
    fn the_table_compares_only_the_settings_that_differ() {
        let one = Experiment::Caipi(default_caipi()).settings();
        assert!(one.contains(&("protocol".to_string(), "CAIPI colors".to_string())));
        assert!(one.contains(&("lime_samples".to_string(), "2000".to_string())), "{one:?}");
        assert_eq!(compared(std::slice::from_ref(&one)).len(), one.len(), "a lone run shows everything");
        let other = Experiment::Caipi(CaipiSettings { seed: 7, k: 3, ..default_caipi() }).settings();
        assert_eq!(compared(&[one.clone(), other]), vec!["k".to_string(), "seed".to_string()]);
        assert!(compared(&[one.clone(), one]).is_empty());
    }

    #[test]
    fn durations_read_as_a_person_says_them() {
        use std::time::Duration;
        assert_eq!(duration_text(Duration::from_secs(42)), "42 s");
        assert_eq!(duration_text(Duration::from_secs(185)), "3 min 05 s");
        assert_eq!(duration_text(Duration::from_secs(3720)), "1 h 02 min");
    }
}
