//! The controls every interactive tab shares: sessions saved and opened by
//! name, the history of the last decisions with "take back", the Accept /
//! Submit / Undo buttons and the answer keys.

use crate::sessions::remote::{Answer, Interactive, Remote};
use eframe::egui;

/// Decisions the history lists.
const HISTORY: usize = 12;

/// The keys `0`–`9`, in order.
pub const DIGIT_KEYS: [egui::Key; 10] = [
    egui::Key::Num0,
    egui::Key::Num1,
    egui::Key::Num2,
    egui::Key::Num3,
    egui::Key::Num4,
    egui::Key::Num5,
    egui::Key::Num6,
    egui::Key::Num7,
    egui::Key::Num8,
    egui::Key::Num9,
];

/// What the user asked for this frame, by key or button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Asked {
    /// A label (a digit key below the number of classes).
    pub label: Option<u8>,
    /// Accept the prediction (`a`).
    pub accept: bool,
    /// Submit the answer (`Enter`).
    pub submit: bool,
    /// Undo the last decision (`Backspace`).
    pub undo: bool,
    /// Save now (`s`).
    pub save: bool,
}

impl Asked {
    /// The answer keys pressed this frame; digits count up to `classes`.
    pub fn keys(ui: &egui::Ui, classes: u8) -> Self {
        let pressed = |key| ui.input(|i| i.key_pressed(key));
        Self {
            label: (0..classes).zip(DIGIT_KEYS).filter(|&(_, key)| pressed(key)).map(|(class, _)| class).next_back(),
            accept: pressed(egui::Key::A),
            submit: pressed(egui::Key::Enter),
            undo: pressed(egui::Key::Backspace),
            save: pressed(egui::Key::S),
        }
    }

    /// The Accept, Submit and Undo buttons (in the row being laid out).
    pub fn buttons(ui: &mut egui::Ui) -> Self {
        let accept = ui
            .button("Accept")
            .on_hover_text("The prediction is right for the right reasons: take it as the label (key a)")
            .clicked();
        let submit = ui
            .button("Submit")
            .on_hover_text("Take the label and the marks, add counterexamples, refit (key Enter)")
            .clicked();
        let undo = ui
            .button("Undo")
            .on_hover_text("Back to the state before the last decision, exactly (key Backspace)")
            .clicked();
        Self { accept, submit, undo, ..Self::default() }
    }
}

/// The answer's label in a box of fixed `width`, so that the buttons after
/// it stay where they are when it changes ("none" to "1", or to a class
/// name); a longer text is cut, whole on hover.
pub fn answer_label(ui: &mut egui::Ui, text: String, width: f32) {
    ui.add_sized(egui::vec2(width, ui.spacing().interact_size.y), egui::Label::new(text).truncate());
}

/// Does what the user asked on a tab whose answers are `answer`: label,
/// accept `prediction`, submit (`decision` builds the decision from the label
/// and the marks; `no_label` is said when there is no label), undo, save.
pub fn act<P: Interactive, M>(
    remote: &mut Remote<P>,
    answer: &mut Answer<M>,
    asked: Asked,
    prediction: Option<u8>,
    decision: impl Fn(u8, Vec<M>) -> P::Decision,
    no_label: &str,
) {
    if let Some(label) = asked.label {
        answer.label = Some(label);
    }
    if asked.accept {
        remote.accept(answer, prediction, &decision);
    }
    if asked.submit {
        remote.submit(answer, &decision, no_label);
    }
    if asked.undo {
        remote.undo(answer);
    }
    if asked.save {
        remote.save();
        let saved = format!("saved to {}", remote.path().display());
        remote.set_message(saved);
    }
}

/// Lists the last decisions of `remote`'s session (newest first, `describe`
/// saying what each was) with a "`take_back` #n" button each; returns the
/// number whose button was clicked.
pub fn history<P: Interactive>(
    ui: &mut egui::Ui,
    remote: &Remote<P>,
    take_back: &str,
    describe: impl Fn(&P::Decision) -> String,
) -> Option<usize> {
    ui.label("History");
    let decisions = remote.view().map(|view| view.decisions.as_slice()).unwrap_or_default();
    let mut chosen = None;
    for (number, decision) in decisions.iter().enumerate().map(|(i, d)| (i + 1, d)).rev().take(HISTORY) {
        ui.horizontal(|ui| {
            ui.label(format!("#{number}: {}", describe(decision)));
            if ui
                .small_button(format!("{take_back} #{number}"))
                .on_hover_text("Undo this decision and every later one")
                .clicked()
            {
                chosen = Some(number);
            }
        });
    }
    if decisions.len() > HISTORY {
        ui.label(format!("… and {} earlier", decisions.len() - HISTORY));
    }
    chosen
}

/// The name being typed.
#[derive(Debug, Clone, Default)]
pub struct NamedSessions {
    name: String,
}

impl NamedSessions {
    /// Draws the controls for `remote`'s sessions: the name typed (Enter or
    /// "Save as" saves under it) and the saved ones. Returns the name saved
    /// under (`Ok`) or the name of a saved session the user picked to open
    /// (`Err`: the tab asks first).
    pub fn ui<P: Interactive>(&mut self, ui: &mut egui::Ui, remote: &mut Remote<P>) -> Option<Result<String, String>> {
        let mut saved = None;
        ui.horizontal(|ui| {
            let label = ui.label("name");
            let typed = ui
                .add(egui::TextEdit::singleline(&mut self.name).desired_width(110.0))
                .labelled_by(label.id)
                .on_hover_text("Letters, digits, - and _; Enter saves under it");
            let entered = typed.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let clicked = ui
                .button("Save as")
                .on_hover_text("Save this session under the name typed beside it (Enter)")
                .clicked();
            if (entered || clicked) && remote.save_as(&self.name) {
                saved = Some(Ok(self.name.clone()));
            }
        });
        if saved.is_some() {
            return saved;
        }
        let names = remote.names();
        if names.is_empty() {
            return None;
        }
        let mut chosen = None;
        egui::ComboBox::from_label("open")
            .selected_text("a saved session")
            .show_ui(ui, |ui| {
                for name in &names {
                    if ui.selectable_label(false, name).clicked() {
                        chosen = Some(name.clone());
                    }
                }
            })
            .response
            .on_hover_text("Open a session saved under a name in place of the one on screen (asks first)");
        chosen.map(Err)
    }
}
