//! Drawing a colors image: the 5x5 grid of the query, its explanation frames
//! and the user's marks, and the small thumbnails of counterexamples.

use eframe::egui;
use xil_core::tasks::colors::{Image, PALETTE};

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

/// Frames the explained pixels (red: for the predicted class, blue: against).
pub fn paint_explanation(
    painter: &egui::Painter,
    rect: egui::Rect,
    selected: &[usize],
    relevance: &[f32],
    prediction: u8,
) {
    for &pixel in selected {
        let towards = (relevance.get(pixel).copied().unwrap_or(0.0) > 0.0) == (prediction == 1);
        let colour = if towards { egui::Color32::from_rgb(200, 0, 0) } else { egui::Color32::from_rgb(0, 60, 220) };
        let stroke = egui::Stroke::new(4.0, colour);
        painter.rect_stroke(cell(rect, pixel).shrink(1.0), 4.0, stroke, egui::StrokeKind::Inside);
    }
}

/// Crosses the pixels marked as irrelevant.
pub fn paint_marks(painter: &egui::Painter, rect: egui::Rect, marked: &[usize]) {
    for &pixel in marked {
        let square = cell(rect, pixel);
        let inner = square.shrink(square.width() * 0.25);
        let stroke = egui::Stroke::new((square.width() / 12.0).max(1.5), egui::Color32::BLACK);
        painter.line_segment([inner.left_top(), inner.right_bottom()], stroke);
        painter.line_segment([inner.right_top(), inner.left_bottom()], stroke);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
