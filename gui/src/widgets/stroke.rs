//! A pointer stroke as every point it passes: egui reports the pointer once a
//! frame, so a fast stroke jumps several cells between two reports; the
//! segment between them is walked in short steps, so no cell it crosses is
//! missed.

use eframe::egui;

/// The points from `from` (excluded) to `to` (included), at most `step`
/// apart.
pub fn along(from: egui::Pos2, to: egui::Pos2, step: f32) -> impl Iterator<Item = egui::Pos2> {
    let steps = ((to - from).length() / step.max(f32::MIN_POSITIVE)).ceil().clamp(1.0, 10_000.0) as usize;
    (1..=steps).map(move |i| from + (to - from) * (i as f32 / steps as f32))
}

/// The drag going on over one widget: where the pointer was last.
#[derive(Debug, Default)]
pub struct Stroke {
    last: Option<egui::Pos2>,
}

impl Stroke {
    /// The points the drag on `response` passed since the last frame, at
    /// most `step` apart: from where the button went down when the drag
    /// starts, then along each move. Empty without a drag.
    pub fn points(&mut self, ui: &egui::Ui, response: &egui::Response, step: f32) -> Vec<egui::Pos2> {
        let mut points = Vec::new();
        if response.drag_started() {
            self.last = ui.input(|i| i.pointer.press_origin());
            points.extend(self.last);
        }
        if (response.dragged() || response.drag_stopped())
            && let Some(now) = response.interact_pointer_pos()
        {
            match self.last {
                Some(last) => points.extend(along(last, now, step)),
                None => points.push(now),
            }
            self.last = Some(now);
        }
        if response.drag_stopped() {
            self.last = None;
        }
        points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jump_across_many_cells_is_walked_in_steps_no_longer_than_asked() {
        let (from, to) = (egui::pos2(5.0, 5.0), egui::pos2(105.0, 5.0));
        let points: Vec<egui::Pos2> = along(from, to, 2.5).collect();
        assert_eq!(points.len(), 40);
        assert_eq!(points.last(), Some(&to));
        let mut previous = from;
        for point in points {
            assert!((point - previous).length() <= 2.5 + 1e-4);
            previous = point;
        }
        // Every 10-point cell between the two ends is visited.
        let cells: std::collections::BTreeSet<i32> = along(from, to, 2.5).map(|p| (p.x / 10.0) as i32).collect();
        assert_eq!(cells, (0..=10).collect());
    }

    #[test]
    fn standing_still_gives_the_point_itself() {
        let here = egui::pos2(3.0, 4.0);
        assert_eq!(along(here, here, 1.0).collect::<Vec<_>>(), vec![here]);
    }
}
