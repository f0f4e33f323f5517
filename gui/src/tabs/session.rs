//! What every tab with the user in the loop holds and does, once: the
//! session on its worker, the settings of the next session, the answer being
//! prepared (label and marks), and the named sessions. The colors, E-mails
//! and Images tabs add only their own drawing and what a mark is.

use crate::sessions::remote::{Answer, Command, Interactive, Remote, ViewOf};
use crate::tabs::{Repaint, Worker};
use crate::widgets::sessions::{Asked, NamedSessions, act, history};
use eframe::egui;
use std::path::PathBuf;

/// A step that replaces what is on screen, waiting for the user's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Replacing {
    /// Start a new session.
    Start,
    /// Open the session saved under this name.
    Open(String),
    /// Take back this decision (from 1) and every later one.
    TakeBack(usize),
}

/// Where the session on screen came from, as its side panel says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    /// Started here, not saved under a name.
    New,
    /// Resumed from the autosaved file.
    Resumed,
    /// Opened from the session saved under this name.
    Opened(String),
    /// Saved under this name.
    SavedAs(String),
}

/// An interactive session as a tab holds it; `M` is what the user marks
/// (a pixel, a word).
pub struct SessionTab<P: Interactive, M> {
    remote: Remote<P>,
    named: NamedSessions,
    /// The step that waits for the user's yes.
    asking: Option<Replacing>,
    /// Where the session on screen came from.
    origin: Origin,
    /// What the session is called in messages and thread names.
    kind: &'static str,
    /// The settings of the next session (the side panel edits them).
    pub settings: P::Settings,
    /// The answer being prepared on screen.
    pub answer: Answer<M>,
}

impl<P: Interactive, M: PartialEq> Worker for SessionTab<P, M> {
    fn open(&mut self, repaint: Repaint) {
        let saved = self.remote.path().exists();
        if let Some(settings) = self.remote.open(self.kind, move || repaint()) {
            self.settings = settings;
            self.origin = if saved { Origin::Resumed } else { Origin::New };
        }
    }

    fn poll(&mut self) {
        self.remote.receive();
    }
}

impl<P: Interactive, M: PartialEq> SessionTab<P, M> {
    /// A session of `kind` saved at `path`; nothing is read yet.
    pub fn new(path: PathBuf, kind: &'static str) -> Self {
        Self {
            remote: Remote::new(path),
            named: NamedSessions::default(),
            asking: None,
            origin: Origin::New,
            kind,
            settings: P::Settings::default(),
            answer: Answer::default(),
        }
    }

    /// Whether the worker is busy with a command.
    pub fn busy(&self) -> bool {
        self.remote.busy()
    }

    /// The latest view of the session.
    pub fn view(&self) -> Option<&ViewOf<P>> {
        self.remote.view()
    }

    /// The marks of the answer on screen.
    pub fn marked(&self) -> &[M] {
        &self.answer.marked
    }

    /// The message shown to the user (errors, resumes, saves).
    pub fn message(&self) -> Option<&str> {
        self.remote.message()
    }

    /// Replaces the message.
    pub fn say(&mut self, message: String) {
        self.remote.set_message(message);
    }

    /// Marks `mark`, or unmarks it when it is marked.
    pub fn toggle(&mut self, mark: M) {
        match self.answer.marked.iter().position(|m| *m == mark) {
            Some(i) => {
                self.answer.marked.remove(i);
            }
            None => self.answer.marked.push(mark),
        }
    }

    /// Starts a new session with the side panel's settings.
    pub fn start(&mut self) {
        self.answer = Answer::default();
        self.origin = Origin::New;
        self.remote.send(Command::Start(self.settings.clone(), Vec::new()));
    }

    /// Does what the user asked: label, accept `prediction`, submit the
    /// label and the marks (`decision` builds the decision; `no_label` is
    /// said without a label), undo, save.
    pub fn act(
        &mut self,
        asked: Asked,
        prediction: Option<u8>,
        decision: impl Fn(u8, Vec<M>) -> P::Decision,
        no_label: &str,
    ) {
        act(&mut self.remote, &mut self.answer, asked, prediction, decision, no_label);
    }

    /// Sends a whole decision (tabs whose answer is not one label and marks).
    pub fn decide(&mut self, decision: P::Decision) {
        self.remote.send(Command::Decide(decision));
    }

    /// Takes back the last decision.
    pub fn undo(&mut self) {
        self.remote.send(Command::Undo);
    }

    /// Takes back decision `number` (from 1) and every later one.
    pub fn rewind(&mut self, number: usize) {
        if !self.remote.busy() {
            self.say(format!("back to before decision {number}"));
            self.remote.take_back(&mut self.answer, number);
        }
    }

    /// Saves the session now (it is also saved after every decision).
    pub fn save(&mut self) {
        self.remote.save();
    }

    /// Saves the session under `name` (letters, digits, `-`, `_`).
    pub fn save_as(&mut self, name: &str) {
        if self.remote.save_as(name) {
            self.origin = Origin::SavedAs(name.to_string());
        }
    }

    /// Opens the session saved under `name` (it replaces the one on screen,
    /// which stays saved in its own file).
    pub fn open_named(&mut self, name: &str) {
        if let Some(settings) = self.remote.open_named(name) {
            self.opened(settings);
            self.origin = Origin::Opened(name.to_string());
        }
    }

    /// What the side panel says of the session on screen.
    pub fn origin(&self) -> String {
        match &self.origin {
            Origin::New => "new, not saved under a name".into(),
            Origin::Resumed => "resumed where the app last stopped".into(),
            Origin::Opened(name) => format!("\"{name}\" (opened)"),
            Origin::SavedAs(name) => format!("\"{name}\" (saved as)"),
        }
    }

    /// The names of the saved sessions.
    pub fn saved_names(&self) -> Vec<String> {
        self.remote.names()
    }

    /// The controls of the named sessions; opening one asks first.
    pub fn named_ui(&mut self, ui: &mut egui::Ui) {
        match self.named.ui(ui, &mut self.remote) {
            Some(Ok(name)) => self.origin = Origin::SavedAs(name),
            Some(Err(name)) => self.asking = Some(Replacing::Open(name)),
            None => {}
        }
    }

    /// The last decisions, `describe`d, each with a "`take_back` #n" button
    /// that takes it back with everything after it (after asking).
    pub fn history_ui(&mut self, ui: &mut egui::Ui, take_back: &str, describe: impl Fn(&P::Decision) -> String) {
        if let Some(number) = history(ui, &self.remote, take_back, describe) {
            self.asking = Some(Replacing::TakeBack(number));
        }
    }

    /// Which session is on screen, the "Start new …" button (`start` is its
    /// text), the question a replacing step asks, and the named sessions,
    /// between separators.
    pub fn start_ui(&mut self, ui: &mut egui::Ui, start: &str) {
        ui.label(format!("Session: {}", self.origin()));
        if ui
            .button(start)
            .on_hover_text("Start again from the settings above: the session on screen is replaced (asks first)")
            .clicked()
        {
            self.asking = Some(Replacing::Start);
        }
        self.confirm_ui(ui);
        ui.separator();
        self.named_ui(ui);
        ui.separator();
    }

    /// The question of a step that replaces the session on screen, with its
    /// "Yes" and "Cancel" buttons; nothing is replaced before "Yes".
    fn confirm_ui(&mut self, ui: &mut egui::Ui) {
        let Some(asking) = self.asking.clone() else { return };
        let keep = "Keep it first with Save as, under a name.";
        let (question, yes) = match &asking {
            Replacing::Start => (format!("Start a new session? The one on screen is replaced. {keep}"), "Yes, start"),
            Replacing::Open(name) => {
                (format!("Open \"{name}\"? The session on screen is replaced. {keep}"), "Yes, open")
            }
            Replacing::TakeBack(number) => (
                format!("Take back decision #{number} and every later one? Undo cannot bring them back."),
                "Yes, take back",
            ),
        };
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(question);
            ui.horizontal(|ui| {
                if ui.button(yes).clicked() {
                    self.asking = None;
                    match asking {
                        Replacing::Start => self.start(),
                        Replacing::Open(name) => self.open_named(&name),
                        Replacing::TakeBack(number) => self.rewind(number),
                    }
                }
                if ui.button("Cancel").on_hover_text("Keep the session on screen as it is").clicked() {
                    self.asking = None;
                }
            });
        });
    }

    /// A spinner with `loading` until the first view (then "refitting…")
    /// while the worker is busy (the session's message is on the tab bar).
    pub fn status_ui(&mut self, ui: &mut egui::Ui, loading: &str) {
        if self.remote.busy() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(if self.remote.view().is_none() { loading } else { "refitting…" });
            });
        }
    }

    fn opened(&mut self, settings: P::Settings) {
        self.settings = settings;
        self.answer = Answer::default();
    }
}
