//! Saying what a tab is for: the task in a sentence or two in a bar below
//! the tab's content, and a help window (`F1` or the Help button) with the task again
//! and every key of the tab and of the app.

use eframe::egui;

/// The keys every tab has.
pub const APP_KEYS: &[(&str, &str)] = &[("F1", "show or hide this help"), ("e", "export what the tab shows")];

/// The task, as wrapped lines in the bar below the tab's content.
pub fn task_banner(ui: &mut egui::Ui, task: &str) {
    ui.add_space(4.0);
    ui.label(egui::RichText::new(task).strong());
    ui.add_space(4.0);
}

/// The help window of a tab titled `title`, while `open`.
pub fn window(ctx: &egui::Context, open: &mut bool, title: &str, task: &str, keys: &[(&str, &str)]) {
    egui::Window::new(format!("Help: {title}")).open(open).collapsible(false).default_width(420.0).show(ctx, |ui| {
        ui.label(task);
        ui.separator();
        egui::Grid::new("help keys").striped(true).show(ui, |ui| {
            for (key, what) in keys.iter().chain(APP_KEYS) {
                ui.monospace(*key);
                ui.label(*what);
                ui.end_row();
            }
        });
    });
}
