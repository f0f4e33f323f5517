//! Choices among the variants of a settings enum: the colors rule as two
//! buttons with its meaning on hover, any other named enum as a combo box
//! listing its variants by name.

use eframe::egui;
use std::fmt::Display;
use xil_core::tasks::colors::Rule;

/// Shows the two rules side by side after a label and sets `rule` to the
/// one clicked.
pub fn rule_choice(ui: &mut egui::Ui, rule: &mut Rule) {
    ui.horizontal(|ui| {
        ui.label("rule");
        for choice in Rule::ALL {
            let meaning = match choice {
                Rule::Zero => "the four corners share a colour",
                Rule::One => "the three top-middle pixels differ",
            };
            ui.selectable_value(rule, choice, choice.to_string()).on_hover_text(meaning);
        }
    });
}

/// A combo box labelled `label` over `all`, each shown by its name, with
/// `hint` on hover.
pub fn named_choice<T: Copy + PartialEq + Display>(ui: &mut egui::Ui, labels: (&str, &str), value: &mut T, all: &[T]) {
    choice(ui, labels, value, all, |v| v.to_string());
}

/// A combo box labelled `label` over `all`, each shown as `name` says, with
/// `hint` on hover.
pub fn choice<T: Copy + PartialEq, N: Into<String>>(
    ui: &mut egui::Ui,
    (label, hint): (&str, &str),
    value: &mut T,
    all: &[T],
    name: impl Fn(T) -> N,
) {
    egui::ComboBox::from_label(label)
        .selected_text(name(*value).into())
        .show_ui(ui, |ui| {
            for &option in all {
                ui.selectable_value(value, option, name(option).into());
            }
        })
        .response
        .on_hover_text(hint);
}
