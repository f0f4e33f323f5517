//! Saving and opening sessions by name, the same on every interactive tab:
//! a name field with "Save as", and a list of the saved names to open.

use crate::remote::{Protocol, Remote};
use eframe::egui;

/// The name being typed.
#[derive(Debug, Clone, Default)]
pub struct NamedSessions {
    name: String,
}

impl NamedSessions {
    /// Draws the controls for `remote`'s sessions; returns the settings of a
    /// session just opened (the tab shows them and clears its marks).
    pub fn ui<P: Protocol>(&mut self, ui: &mut egui::Ui, remote: &mut Remote<P>) -> Option<P::Settings> {
        ui.horizontal(|ui| {
            let label = ui.label("name");
            ui.add(egui::TextEdit::singleline(&mut self.name).desired_width(110.0)).labelled_by(label.id);
            if ui.button("Save as").clicked() {
                remote.save_as(&self.name);
            }
        });
        let names = remote.names();
        if names.is_empty() {
            return None;
        }
        let mut chosen = None;
        egui::ComboBox::from_label("open").selected_text("a saved session").show_ui(ui, |ui| {
            for name in &names {
                if ui.selectable_label(false, name).clicked() {
                    chosen = Some(name.clone());
                }
            }
        });
        chosen.and_then(|name| remote.open_named(&name))
    }
}
