//! 28 x 28 images and their explanations, drawn at any scale: grey pixels,
//! and relevance as red (raises the class) or blue (lowers it), each pixel's
//! strength the square root of its share of the largest magnitude, with a
//! colour scale under the map.

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

/// The colour of `value` on a map whose largest magnitude is `peak`: red
/// raises the class, blue lowers it, black is nothing; the strength is the
/// square root of the share of `peak`.
pub fn relevance_colour(value: f32, peak: f32) -> egui::Color32 {
    let strength = ((value.abs() / peak.max(f32::MIN_POSITIVE)).min(1.0).sqrt() * 255.0) as u8;
    if value > 0.0 {
        egui::Color32::from_rgb(strength, 0, 0)
    } else {
        egui::Color32::from_rgb(0, strength / 3, strength)
    }
}

/// A relevance map, scaled to its largest magnitude, with its colour scale
/// below; returns the response of the map's area.
pub fn heatmap(ui: &mut egui::Ui, relevance: &[f32], scale: f32, name: &str) -> egui::Response {
    let (response, painter) = allocate(ui, scale, name, egui::Sense::hover());
    let peak = relevance.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(f32::MIN_POSITIVE);
    for (pixel, &value) in relevance.iter().enumerate() {
        painter.rect_filled(cell(response.rect, pixel, scale), 0.0, relevance_colour(value, peak));
    }
    colour_scale(ui, peak, response.rect.width());
    response
}

/// The scale of a map: a bar from `-peak` (blue, lowers the class) through 0
/// (black) to `+peak` (red, raises it), with its ends and middle labelled.
pub fn colour_scale(ui: &mut egui::Ui, peak: f32, width: f32) {
    let (response, painter) = ui.allocate_painter(egui::vec2(width, 12.0), egui::Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Colour scale"));
    let steps = 64;
    let step = width / steps as f32;
    for i in 0..steps {
        let value = peak * (2.0 * (i as f32 + 0.5) / steps as f32 - 1.0);
        let x = response.rect.min.x + i as f32 * step;
        let band = egui::Rect::from_min_size(egui::pos2(x, response.rect.min.y), egui::vec2(step + 0.5, 12.0));
        painter.rect_filled(band, 0.0, relevance_colour(value, peak));
    }
    ui.horizontal(|ui| {
        ui.set_width(width);
        ui.small(format!("−{peak:.2e} lowers"));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| ui.small(format!("raises +{peak:.2e}")));
    });
}
