//! The window's shell: the tab bar with the current tab's message (for 12 s), the keys
//! every tab shares (`e` export), and the side and central panels of the tab
//! on screen. Every tab is a [`Tab`]; the app holds one of each, keeps them
//! all polling (a tab left keeps working), and opens the one on screen (a
//! tab's worker starts the first time it is shown).

use crate::tabs::batches::BatchTab;
use crate::tabs::cali::CaliTab;
use crate::tabs::colors::ColorsTab;
use crate::tabs::images::ImageTab;
use crate::tabs::mail::MailTab;
use crate::tabs::watch::Watching;
use crate::tabs::{Repaint, Tab, TabId};
use crate::widgets::help;
use eframe::egui;
use std::path::PathBuf;
use std::sync::Arc;

/// The app's state.
pub struct XilApp {
    ctx: egui::Context,
    tab: TabId,
    colors: ColorsTab,
    watching: Watching,
    mail: MailTab,
    images: ImageTab,
    batches: BatchTab,
    cali: CaliTab,
    /// Where exports go: `export/` beside the session files.
    export_dir: PathBuf,
    /// The result of the last export or frame-log problem, shown until the
    /// tab changes.
    notice: Option<String>,
    /// Whether the help window is open (`F1`).
    help: bool,
    frame_log: Option<(std::fs::File, std::time::Instant)>,
    /// The message on the tab bar, its tab and when it first showed.
    shown: Option<(TabId, String, std::time::Instant)>,
    /// How long a message stays on the tab bar.
    message_life: std::time::Duration,
    /// The export being written on its own thread: its message comes here.
    exporting: Option<std::sync::mpsc::Receiver<String>>,
}

/// How long a message stays on the tab bar unless set otherwise.
const MESSAGE_LIFE: std::time::Duration = std::time::Duration::from_secs(12);

impl XilApp {
    /// Starts the app; the colors session saved at `path` is resumed when
    /// its tab is first drawn, the other tabs' sessions (saved beside it)
    /// when theirs are.
    pub fn new(ctx: &egui::Context, path: PathBuf) -> Self {
        let export_dir = path.parent().map_or_else(|| PathBuf::from("export"), |dir| dir.join("export"));
        Self {
            ctx: ctx.clone(),
            tab: TabId::Colors,
            mail: MailTab::new(path.with_file_name("mail-session.json")),
            images: ImageTab::new(path.with_file_name("image-session.json")),
            batches: BatchTab::new(path.with_file_name("batch-session.json")),
            cali: CaliTab::new(path.with_file_name("cali-session.json")),
            watching: Watching::new(path.with_file_name("watch-runs.json")),
            colors: ColorsTab::new(path),
            export_dir,
            notice: None,
            help: false,
            frame_log: None,
            shown: None,
            message_life: MESSAGE_LIFE,
            exporting: None,
        }
    }

    /// Sets how long a message stays on the tab bar (12 s by default).
    pub fn set_message_life(&mut self, life: std::time::Duration) {
        self.message_life = life;
    }

    /// The message the tab bar shows now: the tab on screen's, for
    /// `message_life` after it first showed; asks for a frame when it is due
    /// to go.
    fn current_message(&mut self, ctx: &egui::Context) -> Option<String> {
        let message = self.message()?;
        let now = std::time::Instant::now();
        let first = match &self.shown {
            Some((tab, text, since)) if *tab == self.tab && *text == message => *since,
            _ => {
                self.shown = Some((self.tab, message.clone(), now));
                now
            }
        };
        let left = self.message_life.checked_sub(now.duration_since(first))?;
        ctx.request_repaint_after(left);
        Some(message)
    }

    /// Appends one line per frame to `path`: seconds since now, the CPU
    /// milliseconds eframe spent on the previous frame, and the rows of the
    /// run going (0 when none). This is how frame times are measured while a
    /// run computes (`scripts/gui_frames`).
    ///
    /// # Errors
    /// A one-line message when the file cannot be created.
    pub fn log_frames(&mut self, path: &std::path::Path) -> crate::error::Result<()> {
        let file = std::fs::File::create(path).map_err(|e| crate::error::Error::io("create", path, e))?;
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
            self.notice = Some("the frame log could not be written; logging stopped".into());
        }
    }

    /// The tab on screen.
    pub fn tab(&self) -> TabId {
        self.tab
    }

    /// Switches tabs (each keeps going in the background).
    pub fn set_tab(&mut self, tab: TabId) {
        if tab != self.tab {
            self.notice = None;
        }
        self.tab = tab;
    }

    /// The colors tab.
    pub fn colors(&self) -> &ColorsTab {
        &self.colors
    }

    /// The colors tab, to act on.
    pub fn colors_mut(&mut self) -> &mut ColorsTab {
        &mut self.colors
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
    pub fn images(&self) -> &ImageTab {
        &self.images
    }

    /// The Images tab, to act on.
    pub fn images_mut(&mut self) -> &mut ImageTab {
        &mut self.images
    }

    /// The Label a batch tab.
    pub fn batches(&self) -> &BatchTab {
        &self.batches
    }

    /// The Label a batch tab, to act on.
    pub fn batches_mut(&mut self) -> &mut BatchTab {
        &mut self.batches
    }

    /// The CALIMOCHO tab.
    pub fn cali(&self) -> &CaliTab {
        &self.cali
    }

    /// The CALIMOCHO tab, to act on.
    pub fn cali_mut(&mut self) -> &mut CaliTab {
        &mut self.cali
    }

    /// The Watch tab.
    pub fn watching(&self) -> &Watching {
        &self.watching
    }

    /// The Watch tab, to change.
    pub fn watching_mut(&mut self) -> &mut Watching {
        &mut self.watching
    }

    /// The tab `id`.
    pub fn tab_mut(&mut self, id: TabId) -> &mut dyn Tab {
        match id {
            TabId::Colors => &mut self.colors,
            TabId::Watch => &mut self.watching,
            TabId::Mail => &mut self.mail,
            TabId::Images => &mut self.images,
            TabId::Batches => &mut self.batches,
            TabId::Cali => &mut self.cali,
        }
    }

    /// The message on the tab bar: the last export's, else the tab's own.
    pub fn message(&mut self) -> Option<String> {
        let tab = self.tab;
        self.notice.clone().or_else(|| self.tab_mut(tab).message().map(str::to_string))
    }

    /// Writes what the tab on screen shows to `export/` beside the session
    /// files: `progress.*` for colors, `mail-progress.*`, `image-progress.*`,
    /// `cali-progress.*`, `batch-progress.*` and `watch/` for the runs (CSV,
    /// PNG, SVG). What is shown is taken now; the files are written on a
    /// thread of their own (the tab bar says "exporting…" until they are),
    /// so the window never waits. One export at a time.
    pub fn export(&mut self) {
        if self.exporting.is_some() {
            self.notice = Some("an export is being written: wait for it".into());
            return;
        }
        let dir = self.export_dir.clone();
        let tab = self.tab;
        let job = self.tab_mut(tab).export();
        let (done, message) = std::sync::mpsc::channel();
        let ctx = self.ctx.clone();
        let spawned = std::thread::Builder::new().name("xil-export".into()).spawn(move || {
            let _ = done.send(job(&dir));
            ctx.request_repaint();
        });
        self.notice = Some(match spawned {
            Ok(_) => {
                self.exporting = Some(message);
                "exporting…".into()
            }
            Err(e) => format!("cannot start the export: {e}"),
        });
    }

    /// Whether an export is being written.
    pub fn exporting(&self) -> bool {
        self.exporting.is_some()
    }

    /// Takes the message of an export that has been written.
    fn poll_export(&mut self) {
        let Some(receiver) = &self.exporting else { return };
        match receiver.try_recv() {
            Ok(message) => {
                self.notice = Some(message);
                self.exporting = None;
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.notice = Some("the export stopped without a word".into());
                self.exporting = None;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
    }

    /// Draws one frame of the app into `ui` and handles its input: what
    /// eframe calls every frame, less the frame log. Tests drive the app
    /// through this (`egui_kittest`'s `build_ui_state`), so they need neither
    /// eframe's window integration nor its system libraries.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = self.ctx.clone();
        let repaint: Repaint = Arc::new(move || ctx.request_repaint());
        let shown = self.tab;
        self.tab_mut(shown).worker().open(repaint);
        for id in TabId::ALL {
            self.tab_mut(id).worker().poll();
        }
        self.poll_export();
        if !ui.ctx().egui_wants_keyboard_input() {
            if ui.input(|i| i.key_pressed(egui::Key::E)) {
                self.export();
            }
            if ui.input(|i| i.key_pressed(egui::Key::F1)) {
                self.help = !self.help;
            }
            self.tab_mut(shown).keyboard(ui);
        }
        egui::Panel::top("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("xil");
                let mut chosen = self.tab;
                for id in TabId::ALL {
                    ui.selectable_value(&mut chosen, id, id.title());
                }
                self.set_tab(chosen);
                if ui
                    .button("Export (e)")
                    .on_hover_text("Write what this tab shows (CSV, PNG, SVG) to export/")
                    .clicked()
                {
                    self.export();
                }
                if ui.button("Help (F1)").on_hover_text("What this tab is for, and its keys").clicked() {
                    self.help = !self.help;
                }
                if let Some(message) = self.current_message(ui.ctx()) {
                    // Cut to the bar's width (the whole text on hover).
                    ui.add(egui::Label::new(message).truncate());
                }
            });
        });
        let title = self.tab.title();
        let mut help = self.help;
        let tab = self.tab_mut(self.tab);
        help::window(ui.ctx(), &mut help, title, tab.task(), tab.keys());
        // Below the tab, so that what the tab draws stays where it is.
        egui::Panel::bottom("task").show(ui, |ui| help::task_banner(ui, tab.task()));
        let width = tab.side_width();
        egui::Panel::left("side panel").exact_size(width).resizable(false).show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("side").show(ui, |ui| tab.side(ui));
        });
        egui::CentralPanel::default().show(ui, |ui| tab.central(ui));
        self.help = help;
    }
}

impl eframe::App for XilApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.log_frame(frame.info().cpu_usage);
        self.show(ui);
    }
}
