//! The E-mails tab: be the user in CAIPI's loop on real e-mails.
//!
//! The e-mail on screen is shown body first, its headers folded below it
//! (open them to see and mark header words), each new e-mail from its top,
//! runs of blank lines shown as one; every word the model knows can be
//! clicked to mark it as
//! irrelevant ("this word is not why it is spam"), and the explanation's
//! words are listed with their contributions (red: towards spam, blue:
//! towards ham) and highlighted in the text. Submitting adds the e-mail with
//! the label and, when words are marked, the e-mail without them as a
//! counterexample; the model refits and the plot gains a point. The session
//! runs on its own worker ([`serve_mail`](crate::sessions::mail::serve_mail)), which reads the corpus the first
//! time the tab is opened; it is saved after every decision
//! (`mail-session.json` beside the colors session) and resumed on the next
//! start.

use crate::export::{ExportJob, Progress, export_or_explain};
use crate::sessions::mail::{MailDecision, Mails, ShownMail};
use crate::tabs::session::SessionTab;
use crate::tabs::{Tab, Worker};
use crate::widgets::plots;
use crate::widgets::sessions::{Asked, answer_label};
use eframe::egui;
use egui_plot::{Line, PlotPoints};
use std::path::PathBuf;
use xil_bench::protocols::caipi_text::tfidf::{HEADER_PREFIX, tokens, words_and_gaps};

/// Red for words towards spam, blue for words towards ham.
fn word_colour(contribution: f32) -> egui::Color32 {
    if contribution > 0.0 { egui::Color32::from_rgb(150, 30, 30) } else { egui::Color32::from_rgb(30, 60, 150) }
}

/// The E-mails tab's state; its worker starts on first use.
pub struct MailTab {
    session: SessionTab<Mails, String>,
}

impl MailTab {
    /// A tab whose session is saved at `path`; nothing is read yet.
    pub fn new(path: PathBuf) -> Self {
        Self { session: SessionTab::new(path, "e-mail") }
    }

    /// The session: its view, marks and messages.
    pub fn session(&self) -> &SessionTab<Mails, String> {
        &self.session
    }

    fn shown(&self) -> Option<&ShownMail> {
        self.session.view()?.shown.as_ref()
    }

    /// Marks or unmarks a word of the e-mail on screen (words the model does
    /// not know are ignored).
    pub fn toggle(&mut self, word: &str) {
        if self.shown().is_none_or(|s| s.known.binary_search_by(|k| k.as_str().cmp(word)).is_err()) {
            return;
        }
        self.session.toggle(word.to_string());
    }

    /// Does what the user asked: label (0 ham, 1 spam), accept, submit the
    /// label and the marked words, undo, save.
    pub fn act(&mut self, asked: Asked) {
        let prediction = self.shown().map(|s| s.prediction);
        let decision = |label, removed| MailDecision { label, removed };
        self.session.act(asked, prediction, decision, "give a label first (0 ham, 1 spam)");
    }

    /// The session's points, for export.
    pub fn progress(&self) -> Option<Progress> {
        let view = self.session.view()?;
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

    /// `text` with the words the model knows clickable (`prefix` is `h:` in
    /// headers) and the explained ones highlighted.
    fn words(&mut self, ui: &mut egui::Ui, shown: &ShownMail, text: &str, prefix: &str) {
        let mut toggled = None;
        // Text nobody can click goes out in runs, one label each, not one
        // label per character: far fewer widgets to lay out.
        let mut plain = String::new();
        let flush = |ui: &mut egui::Ui, plain: &mut String| {
            if !plain.is_empty() {
                ui.label(std::mem::take(plain));
            }
        };
        // Line breaks in a row: the first ends the line, the second leaves
        // one blank line, the rest are dropped (no screens of blank lines).
        let mut breaks = 0;
        for (piece, is_word) in words_and_gaps(text) {
            if piece == "\n" {
                flush(ui, &mut plain);
                breaks += 1;
                if breaks <= 2 {
                    ui.end_row();
                }
                continue;
            }
            if is_word || !piece.trim().is_empty() {
                breaks = 0;
            }
            let word = is_word.then(|| tokens(piece).next().map(|t| format!("{prefix}{t}"))).flatten();
            let Some(word) = word.filter(|w| shown.known.binary_search(w).is_ok()) else {
                plain.push_str(if piece.trim().is_empty() { " " } else { piece });
                continue;
            };
            flush(ui, &mut plain);
            let mut text = egui::RichText::new(piece);
            if let Some((_, contribution)) = shown.explanation.iter().find(|(w, _)| *w == word) {
                text = text.background_color(word_colour(*contribution)).color(egui::Color32::WHITE);
            }
            if self.session.answer.marked.contains(&word) {
                text = text.strikethrough();
            }
            if ui.add(egui::Label::new(text).sense(egui::Sense::click())).clicked() {
                toggled = Some(word);
            }
        }
        flush(ui, &mut plain);
        if let Some(word) = toggled {
            self.toggle(&word);
        }
    }

    fn plot(&self, ui: &mut egui::Ui) {
        let Some(view) = self.session.view() else { return };
        let line = |value: fn(&crate::sessions::mail::MailPoint) -> f32| -> PlotPoints {
            view.points.iter().map(|p| [p.queries as f64, f64::from(value(p))]).collect()
        };
        plots::counted("mail progress", "answers", "F1; share", 160.0).legend(plots::legend()).show(ui, |plot| {
            plot.line(Line::new("test F1 (spam)", line(|p| p.test_f1)));
            plot.line(Line::new("test explanation F1", line(|p| p.test_explanation_f1)));
            plot.line(Line::new("header share", line(|p| p.header_share)));
        });
    }
}

impl Tab for MailTab {
    fn worker(&mut self) -> &mut dyn Worker {
        &mut self.session
    }

    fn task(&self) -> &'static str {
        "Is this e-mail spam (1) or ham (0)? The model's prediction comes with the words that weigh most in it: \
         red pushes toward spam, blue toward ham. Give the label; when a highlighted word is not why (a header \
         word such as h:received is the classic wrong reason), click it to strike it out and submit: the e-mail \
         without the struck words becomes a counterexample."
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("0 / 1", "label: ham / spam"),
            ("a", "accept the prediction as the label"),
            ("Enter", "submit the label and the struck words"),
            ("Backspace", "undo the last decision"),
            ("s", "save now (every answer is saved anyway)"),
        ]
    }

    /// Keys of the tab: `0`/`1` label, `a` accept, `Enter` submit,
    /// `Backspace` undo, `s` save.
    fn keyboard(&mut self, ui: &egui::Ui) {
        self.act(Asked::keys(ui, 2));
    }

    /// The side panel: settings, counts, history.
    fn side(&mut self, ui: &mut egui::Ui) {
        ui.label("New e-mail session (SpamAssassin)");
        ui.add(egui::Slider::new(&mut self.session.settings.seed, 0..=1000).text("seed"))
            .on_hover_text("The random seed of a new session: its first labels and its pool's order");
        ui.add(egui::Slider::new(&mut self.session.settings.k, 1..=30).text("k (words)"))
            .on_hover_text("How many words the explanation lists");
        ui.add(egui::Slider::new(&mut self.session.settings.c, 0.1..=100.0).logarithmic(true).text("C"))
            .on_hover_text("The logistic regression's C: larger fits the labels more closely (weaker penalty)");
        ui.add(egui::Slider::new(&mut self.session.settings.initial_per_class, 1..=20).text("initial per class"))
            .on_hover_text("Labelled e-mails of each class the model starts from");
        ui.checkbox(&mut self.session.settings.keep_headers, "the model sees headers")
            .on_hover_text("Header words (h:...) separate ham from spam in this corpus without being why: the classic wrong reason to correct");
        self.session.start_ui(ui, "Start new e-mail session");
        self.session.status_ui(ui, "reading the e-mails…");
        let Some(view) = self.session.view() else { return };
        ui.label(format!("decisions: {}", view.decisions.len()));
        if let Some(p) = view.points.last() {
            ui.label(format!("test F1 (spam): {:.3}", p.test_f1));
            ui.label(format!("test explanation F1: {:.3}", p.test_explanation_f1));
            ui.label(format!("header share: {:.3}", p.header_share));
            ui.label(format!("counterexamples: {}", p.counterexamples));
        }
        ui.separator();
        let spam_or_ham = |label: u8| if label == 1 { "spam" } else { "ham" };
        self.session.history_ui(ui, "take back e-mail", |decision: &MailDecision| {
            let what = if decision.removed.is_empty() {
                "accepted".to_string()
            } else {
                format!("removed {}", decision.removed.join(", "))
            };
            format!("{}, {what}", spam_or_ham(decision.label))
        });
        ui.separator();
        ui.label("Keys: 0 ham, 1 spam, a accept, click words to mark, Enter submit, Backspace undo, s save");
    }

    /// The central panel: the e-mail, its explanation, the buttons, the plot.
    fn central(&mut self, ui: &mut egui::Ui) {
        let Some(shown) = self.shown().cloned() else {
            ui.label(match (self.session.view(), self.session.busy()) {
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
                let marked = self.session.answer.marked.contains(word);
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
        if !self.session.answer.marked.is_empty() {
            let label = self.session.answer.label.unwrap_or(shown.prediction);
            ui.label(format!(
                "Submitting adds a counterexample: this e-mail without {}, labelled {}.",
                self.session.answer.marked.join(", "),
                if label == 1 { "spam" } else { "ham" }
            ));
        }
        ui.horizontal(|ui| {
            let label = self.session.answer.label.map_or("none", |l| if l == 1 { "spam" } else { "ham" });
            answer_label(ui, format!("label: {label}"), 80.0);
            if ui.button("Ham (0)").on_hover_text("Not spam (key 0)").clicked() {
                self.session.answer.label = Some(0);
            }
            if ui.button("Spam (1)").on_hover_text("Spam (key 1)").clicked() {
                self.session.answer.label = Some(1);
            }
            self.act(Asked::buttons(ui));
        });
        self.plot(ui);
        ui.separator();
        // A scroll area of its own per e-mail: each new one opens at the top.
        egui::ScrollArea::vertical().id_salt(("mail text", &shown.name)).show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing.x = 0.0;
                self.words(ui, &shown, &shown.body, "");
            });
            if !shown.headers.is_empty() {
                let explained = shown.explanation.iter().filter(|(word, _)| word.starts_with(HEADER_PREFIX)).count();
                egui::CollapsingHeader::new(format!(
                    "Headers ({} lines, {explained} of the explanation's words)",
                    shown.headers.len()
                ))
                .id_salt(("mail headers", &shown.name))
                .default_open(false)
                .show(ui, |ui| {
                    for (name, value) in &shown.headers {
                        ui.horizontal_wrapped(|ui| {
                            ui.spacing_mut().item_spacing.x = 0.0;
                            ui.label(egui::RichText::new(format!("{name}: ")).strong());
                            self.words(ui, &shown, value, HEADER_PREFIX);
                        });
                    }
                });
            }
        });
    }

    fn export(&mut self) -> ExportJob {
        export_or_explain(self.progress(), "mail-progress")
    }

    fn message(&self) -> Option<&str> {
        self.session.message()
    }
}
