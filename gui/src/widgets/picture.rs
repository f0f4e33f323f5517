//! 28 x 28 images and their explanations, drawn at any scale: grey pixels,
//! and relevance as red (raises the class) or blue (lowers it), each pixel's
//! strength the square root of its share of the largest magnitude.

use eframe::egui;
use xil_bench::data::fashion::SIDE;

/// The square of `pixel` in an image drawn in `rect` at `scale` points per
/// pixel.
pub fn cell(rect: egui::Rect, pixel: usize, scale: f32) -> egui::Rect {
    let (row, column) = ((pixel / SIDE) as f32, (pixel % SIDE) as f32);
    egui::Rect::from_min_size(rect.min + egui::vec2(column * scale, row * scale), egui::vec2(scale, scale))
}

/// Allocates a `SIDE x SIDE` picture at `scale`, named `name` for screen
/// readers and tests.
pub fn allocate(ui: &mut egui::Ui, scale: f32, name: &str, sense: egui::Sense) -> (egui::Response, egui::Painter) {
    let size = egui::vec2(SIDE as f32 * scale, SIDE as f32 * scale);
    let (response, painter) = ui.allocate_painter(size, sense);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, name));
    (response, painter)
}

/// Grey pixels (`0` black, `255` white).
pub fn grey(painter: &egui::Painter, rect: egui::Rect, pixels: &[u8], scale: f32) {
    for (pixel, &value) in pixels.iter().enumerate() {
        painter.rect_filled(cell(rect, pixel, scale), 0.0, egui::Color32::from_gray(value));
    }
}

/// A relevance map: red raises the class, blue lowers it, scaled to the
/// largest magnitude; returns the response of the allocated area.
pub fn heatmap(ui: &mut egui::Ui, relevance: &[f32], scale: f32, name: &str) -> egui::Response {
    let (response, painter) = allocate(ui, scale, name, egui::Sense::hover());
    let peak = relevance.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(f32::MIN_POSITIVE);
    for (pixel, &value) in relevance.iter().enumerate() {
        let strength = ((value.abs() / peak).sqrt() * 255.0) as u8;
        let colour = if value > 0.0 {
            egui::Color32::from_rgb(strength, 0, 0)
        } else {
            egui::Color32::from_rgb(0, strength / 3, strength)
        };
        painter.rect_filled(cell(response.rect, pixel, scale), 0.0, colour);
    }
    response
}
