//! A choice of colors rule: two buttons, `0` and `1`, with the rule's
//! meaning as their hover text.

use eframe::egui;
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
