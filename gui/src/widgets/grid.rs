//! Drawing a colors image: the 5x5 grid of the query, its explanation and
//! the user's marks, and the small thumbnails of counterexamples.
//!
//! The pixels are red, green, blue and purple, so an explanation drawn in a
//! colour would vanish on some of them. Explained pixels get a ring of
//! [`RING`] (black outside, white inside) and a white badge with a black `+`
//! (the pixel speaks for the predicted label) or `−` (against it); marked
//! pixels a cross, black over white. Black or white stands out on every
//! colour of the palette (tested).

use eframe::egui;
use xil_core::tasks::colors::{Image, PALETTE};

/// The side of a picture of the tab's central panel (`ui`), `share` of its
/// width or half its height whichever is less, between `least` and 520
/// points: a large window shows it larger, a small one keeps it whole.
pub fn fitted_side(ui: &egui::Ui, share: f32, least: f32) -> f32 {
    (ui.available_width() * share).min(ui.available_height() * 0.5).clamp(least, least.max(520.0))
}

/// The square of `pixel` in a grid drawn in `rect`.
pub fn cell(rect: egui::Rect, pixel: usize) -> egui::Rect {
    let side = rect.width() / 5.0;
    let (row, column) = ((pixel / 5) as f32, (pixel % 5) as f32);
    egui::Rect::from_min_size(rect.min + egui::vec2(column * side, row * side), egui::vec2(side, side))
}

/// The pixel under `position` in a grid drawn in `rect`, if any.
pub fn pixel_at(rect: egui::Rect, position: egui::Pos2) -> Option<usize> {
    let side = rect.width() / 5.0;
    let offset = position - rect.min;
    if offset.x < 0.0 || offset.y < 0.0 {
        return None;
    }
    let (row, column) = ((offset.y / side) as usize, (offset.x / side) as usize);
    (row < 5 && column < 5).then_some(row * 5 + column)
}

/// Paints the image's colours into `rect`.
pub fn paint_image(painter: &egui::Painter, rect: egui::Rect, image: &Image) {
    let gap = rect.width() / 75.0;
    for (pixel, &colour) in image.cells().iter().enumerate() {
        let [r, g, b] = PALETTE.get(usize::from(colour)).copied().unwrap_or([0, 0, 0]);
        painter.rect_filled(cell(rect, pixel).shrink(gap), gap * 2.0, egui::Color32::from_rgb(r, g, b));
    }
}

/// The ring around an explained pixel: outside, then inside.
pub const RING: [egui::Color32; 2] = [egui::Color32::BLACK, egui::Color32::WHITE];

/// Rings the explained pixels, each with a badge: `+` when it speaks for the
/// predicted class, `−` when against.
pub fn paint_explanation(
    painter: &egui::Painter,
    rect: egui::Rect,
    selected: &[usize],
    relevance: &[f32],
    prediction: u8,
) {
    let [outside, inside] = RING;
    for &pixel in selected {
        let towards = (relevance.get(pixel).copied().unwrap_or(0.0) > 0.0) == (prediction == 1);
        let square = cell(rect, pixel);
        let width = (square.width() / 12.0).max(2.0);
        painter.rect_stroke(square.shrink(1.0), 4.0, egui::Stroke::new(width, outside), egui::StrokeKind::Inside);
        let inner = square.shrink(1.0 + width);
        painter.rect_stroke(inner, 3.0, egui::Stroke::new(width * 0.6, inside), egui::StrokeKind::Inside);
        let radius = (square.width() * 0.17).max(5.0);
        let centre = inner.right_top() + egui::vec2(-radius - width * 0.6, radius + width * 0.6);
        painter.circle(centre, radius, inside, egui::Stroke::new(1.5, outside));
        let (half, bar) = (radius * 0.55, egui::Stroke::new((radius / 3.5).max(1.5), outside));
        painter.line_segment([centre - egui::vec2(half, 0.0), centre + egui::vec2(half, 0.0)], bar);
        if towards {
            painter.line_segment([centre - egui::vec2(0.0, half), centre + egui::vec2(0.0, half)], bar);
        }
    }
}

/// Crosses the pixels marked as irrelevant (black over white).
pub fn paint_marks(painter: &egui::Painter, rect: egui::Rect, marked: &[usize]) {
    let [over, under] = RING;
    for &pixel in marked {
        let square = cell(rect, pixel);
        let inner = square.shrink(square.width() * 0.25);
        let width = (square.width() / 12.0).max(1.5);
        for stroke in [egui::Stroke::new(width * 2.2, under), egui::Stroke::new(width, over)] {
            painter.line_segment([inner.left_top(), inner.right_bottom()], stroke);
            painter.line_segment([inner.right_top(), inner.left_bottom()], stroke);
        }
    }
}

/// What the rings, badges and crosses mean.
pub const LEGEND: &str = "Ringed: the pixels the explanation names; + speaks for the predicted label, − against it. \
                          ×: marked by you as irrelevant.";

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG's contrast ratio of two colours (1 to 21).
    fn contrast(a: egui::Color32, b: egui::Color32) -> f32 {
        let luminance = |c: egui::Color32| {
            let linear = |v: u8| {
                let v = f32::from(v) / 255.0;
                if v <= 0.039_28 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
            };
            0.2126 * linear(c.r()) + 0.7152 * linear(c.g()) + 0.0722 * linear(c.b())
        };
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn the_ring_stands_out_on_every_colour_of_the_palette() {
        for [r, g, b] in PALETTE {
            let pixel = egui::Color32::from_rgb(r, g, b);
            let best = RING.iter().map(|&ring| contrast(ring, pixel)).fold(0.0, f32::max);
            assert!(best >= 4.5, "on {pixel:?} the ring's contrast is only {best:.2}");
        }
        // The frames the app drew before (red, blue) vanished on the red and
        // blue pixels: this check tells them apart.
        let red = egui::Color32::from_rgb(200, 0, 0);
        assert!(contrast(red, egui::Color32::from_rgb(255, 0, 0)) < 4.5);
    }

    #[test]
    fn every_pixel_is_found_at_the_centre_of_its_cell_and_nothing_outside() {
        let rect = egui::Rect::from_min_size(egui::pos2(10.0, 20.0), egui::vec2(300.0, 300.0));
        for pixel in 0..25 {
            assert_eq!(pixel_at(rect, cell(rect, pixel).center()), Some(pixel));
        }
        assert_eq!(pixel_at(rect, egui::pos2(5.0, 30.0)), None);
        assert_eq!(pixel_at(rect, egui::pos2(311.0, 30.0)), None);
    }
}
