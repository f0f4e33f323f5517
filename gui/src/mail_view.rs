//! The E-mails tab: be the user in CAIPI's loop on real e-mails.
//!
//! The e-mail on screen is shown with its headers (when the model sees
//! them) and body; every word the model knows can be clicked to mark it as
//! irrelevant ("this word is not why it is spam"), and the explanation's
//! words are listed with their contributions (red: towards spam, blue:
//! towards ham) and highlighted in the text. Submitting adds the e-mail with
//! the label and, when words are marked, the e-mail without them as a
//! counterexample; the model refits and the plot gains a point. The session
//! runs on its own worker ([`serve_mail`](crate::mail_session::serve_mail)), which reads the corpus the first
//! time the tab is opened; it is saved after every decision
//! (`mail-session.json` beside the colors session) and resumed on the next
//! start.

use crate::mail_session::{MailDecision, MailSettings, MailView, Mails, ShownMail};
use crate::progress::Progress;
use crate::remote::{Answer, Command, Remote};
use crate::sessions_view::{Asked, NamedSessions, act, history};
use eframe::egui;
use egui_plot::{Legend, Line, Plot, PlotPoints};
use std::path::PathBuf;
use xil_bench::protocols::caipi_text::tfidf::{HEADER_PREFIX, tokens, words_and_gaps};

/// Red for words towards spam, blue for words towards ham.
fn word_colour(contribution: f32) -> egui::Color32 {
    if contribution > 0.0 { egui::Color32::from_rgb(150, 30, 30) } else { egui::Color32::from_rgb(30, 60, 150) }
}

/// The E-mails tab's state; its worker starts on first use.
pub struct MailTab {
    remote: Remote<Mails>,
    named: NamedSessions,
    settings: MailSettings,
    answer: Answer<String>,
}

impl MailTab {
    /// A tab whose session is saved at `path`; nothing is read yet.
    pub fn new(path: PathBuf) -> Self {
        Self {
            remote: Remote::new(path),
            named: NamedSessions::default(),
            settings: MailSettings::default(),
            answer: Answer::default(),
        }
    }

    /// Starts the worker (once) and resumes the saved session or starts a
    /// new one; `repaint` is called after every view.
    pub fn open(&mut self, repaint: impl Fn() + Send + 'static) {
        if let Some(settings) = self.remote.open("e-mail", repaint) {
            self.settings = settings;
        }
    }

    /// Takes the worker's latest view; saves the session when it changed.
    pub fn receive(&mut self) {
        self.remote.receive();
    }

    /// Whether the worker is busy (reading the corpus or refitting).
    pub fn busy(&self) -> bool {
        self.remote.busy()
    }

    /// The latest view.
    pub fn view(&self) -> Option<&MailView> {
        self.remote.view()
    }

    /// The words marked as irrelevant.
    pub fn marked(&self) -> &[String] {
        &self.answer.marked
    }

    /// The tab's last message.
    pub fn message(&self) -> Option<&str> {
        self.remote.message()
    }

    fn shown(&self) -> Option<&ShownMail> {
        self.remote.view()?.shown.as_ref()
    }

    /// Marks or unmarks a word of the e-mail on screen (words the model does
    /// not know are ignored).
    pub fn toggle(&mut self, word: &str) {
        if self.shown().is_none_or(|s| s.known.binary_search_by(|k| k.as_str().cmp(word)).is_err()) {
            return;
        }
        match self.answer.marked.iter().position(|w| w == word) {
            Some(i) => {
                self.answer.marked.remove(i);
            }
            None => self.answer.marked.push(word.to_string()),
        }
    }

    /// Does what the user asked: label (0 ham, 1 spam), accept, submit the
    /// label and the marked words, undo, save.
    pub fn act(&mut self, asked: Asked) {
        let prediction = self.shown().map(|s| s.prediction);
        let decision = |label, removed| MailDecision { label, removed };
        act(&mut self.remote, &mut self.answer, asked, prediction, decision, "give a label first (0 ham, 1 spam)");
    }

    /// Starts a new session with the side panel's settings.
    pub fn start(&mut self) {
        self.answer = Answer::default();
        self.remote.send(Command::Start(self.settings.clone(), Vec::new()));
    }

    /// The session's points, for export.
    pub fn progress(&self) -> Option<Progress> {
        let view = self.remote.view()?;
        Some(Progress {
            title: "CAIPI on e-mails, interactive".into(),
            columns: vec!["test F1", "test explanation F1", "header share", "counterexamples"],
            rows: view
                .points
                .iter()
                .map(|p| (p.queries, vec![p.test_f1, p.test_explanation_f1, p.header_share, p.counterexamples as f32]))
                .collect(),
        })
    }

    /// Keys of the tab: `0`/`1` label, `a` accept, `Enter` submit,
    /// `Backspace` undo, `s` save.
    pub fn keyboard(&mut self, ui: &egui::Ui) {
        self.act(Asked::keys(ui, 2));
    }

    /// The side panel: settings, counts, history.
    pub fn side(&mut self, ui: &mut egui::Ui) {
        ui.label("New e-mail session (SpamAssassin)");
        ui.add(egui::Slider::new(&mut self.settings.seed, 0..=1000).text("seed"));
        ui.add(egui::Slider::new(&mut self.settings.k, 1..=30).text("k (words)"));
        ui.add(egui::Slider::new(&mut self.settings.c, 0.1..=100.0).logarithmic(true).text("C"));
        ui.add(egui::Slider::new(&mut self.settings.initial_per_class, 1..=20).text("initial per class"));
        ui.checkbox(&mut self.settings.keep_headers, "the model sees headers");
        if ui.button("Start new e-mail session").clicked() {
            self.start();
        }
        ui.separator();
        if let Some(settings) = self.named.ui(ui, &mut self.remote) {
            self.settings = settings;
            self.answer = Answer::default();
        }
        ui.separator();
        if self.remote.busy() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(if self.remote.view().is_none() { "reading the e-mails…" } else { "refitting…" });
            });
        }
        if let Some(message) = self.remote.message() {
            ui.label(message);
        }
        let Some(view) = self.remote.view() else { return };
        ui.label(format!("decisions: {}", view.decisions.len()));
        if let Some(p) = view.points.last() {
            ui.label(format!("test F1 (spam): {:.3}", p.test_f1));
            ui.label(format!("test explanation F1: {:.3}", p.test_explanation_f1));
            ui.label(format!("header share: {:.3}", p.header_share));
            ui.label(format!("counterexamples: {}", p.counterexamples));
        }
        ui.separator();
        let spam_or_ham = |label: u8| if label == 1 { "spam" } else { "ham" };
        let taken_back = history(ui, &self.remote, "take back e-mail", |decision: &MailDecision| {
            let what = if decision.removed.is_empty() {
                "accepted".to_string()
            } else {
                format!("removed {}", decision.removed.join(", "))
            };
            format!("{}, {what}", spam_or_ham(decision.label))
        });
        if let Some(number) = taken_back {
            self.remote.take_back(&mut self.answer, number);
        }
        ui.separator();
        ui.label("Keys: 0 ham, 1 spam, a accept, click words to mark, Enter submit, Backspace undo, s save");
    }

    /// The central panel: the e-mail, its explanation, the buttons, the plot.
    pub fn central(&mut self, ui: &mut egui::Ui) {
        let Some(shown) = self.shown().cloned() else {
            ui.label(match (self.remote.view(), self.remote.busy()) {
                (None, _) | (_, true) => "Reading the SpamAssassin corpus and fitting the first model…",
                (Some(v), false) if v.error.is_some() => "The session could not start (see the message on the left).",
                _ => "The pool is exhausted.",
            });
            return;
        };
        ui.label(format!("{} — prediction: {}", shown.name, if shown.prediction == 1 { "spam" } else { "ham" }));
        ui.horizontal_wrapped(|ui| {
            ui.label("Why (click to mark as irrelevant):");
            for (word, contribution) in &shown.explanation {
                let marked = self.answer.marked.contains(word);
                let mut text = egui::RichText::new(format!("{word} {contribution:+.3}")).color(egui::Color32::WHITE);
                text = text.background_color(word_colour(*contribution));
                if marked {
                    text = text.strikethrough();
                }
                if ui.add(egui::Button::new(text)).clicked() {
                    self.toggle(word);
                }
            }
        });
        if !self.answer.marked.is_empty() {
            let label = self.answer.label.unwrap_or(shown.prediction);
            ui.label(format!(
                "Submitting adds a counterexample: this e-mail without {}, labelled {}.",
                self.answer.marked.join(", "),
                if label == 1 { "spam" } else { "ham" }
            ));
        }
        ui.horizontal(|ui| {
            let label = self.answer.label.map_or("none", |l| if l == 1 { "spam" } else { "ham" });
            ui.label(format!("label: {label}"));
            if ui.button("Ham (0)").clicked() {
                self.answer.label = Some(0);
            }
            if ui.button("Spam (1)").clicked() {
                self.answer.label = Some(1);
            }
            self.act(Asked::buttons(ui));
        });
        self.plot(ui);
        ui.separator();
        egui::ScrollArea::vertical().id_salt("mail text").show(ui, |ui| {
            for (name, value) in &shown.headers {
                ui.horizontal_wrapped(|ui| {
                    ui.spacing_mut().item_spacing.x = 0.0;
                    ui.label(egui::RichText::new(format!("{name}: ")).strong());
                    self.words(ui, &shown, value, HEADER_PREFIX);
                });
            }
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing.x = 0.0;
                self.words(ui, &shown, &shown.body, "");
            });
        });
    }

    /// `text` with the words the model knows clickable (`prefix` is `h:` in
    /// headers) and the explained ones highlighted.
    fn words(&mut self, ui: &mut egui::Ui, shown: &ShownMail, text: &str, prefix: &str) {
        let mut toggled = None;
        for (piece, is_word) in words_and_gaps(text) {
            if !is_word {
                if piece == "\n" {
                    ui.end_row();
                } else {
                    ui.label(if piece.trim().is_empty() { " " } else { piece });
                }
                continue;
            }
            let word = tokens(piece).next().map(|t| format!("{prefix}{t}"));
            let known = word.as_ref().filter(|w| shown.known.binary_search(w).is_ok());
            let Some(word) = known else {
                ui.label(piece);
                continue;
            };
            let mut text = egui::RichText::new(piece);
            if let Some((_, contribution)) = shown.explanation.iter().find(|(w, _)| w == word) {
                text = text.background_color(word_colour(*contribution)).color(egui::Color32::WHITE);
            }
            if self.answer.marked.contains(word) {
                text = text.strikethrough();
            }
            if ui.add(egui::Label::new(text).sense(egui::Sense::click())).clicked() {
                toggled = Some(word.clone());
            }
        }
        if let Some(word) = toggled {
            self.toggle(&word);
        }
    }

    fn plot(&self, ui: &mut egui::Ui) {
        let Some(view) = self.remote.view() else { return };
        let line = |value: fn(&crate::mail_session::MailPoint) -> f32| -> PlotPoints {
            view.points.iter().map(|p| [p.queries as f64, f64::from(value(p))]).collect()
        };
        Plot::new("mail progress").legend(Legend::default()).height(160.0).show(ui, |plot| {
            plot.line(Line::new("test F1 (spam)", line(|p| p.test_f1)));
            plot.line(Line::new("test explanation F1", line(|p| p.test_explanation_f1)));
            plot.line(Line::new("header share", line(|p| p.header_share)));
        });
    }
}
