//! Grey images beside heatmaps of their explanations, as one PNG.
//!
//! Each explained image is two panels: the image as the model saw it, and its
//! signed relevance per pixel (red raises the predicted class, blue lowers it,
//! white is zero; full colour from the 99th percentile of the magnitudes in
//! that image, so one extreme pixel does not wash out the rest). Pixels the
//! user marked as irrelevant (the decoy) are framed in green on both panels,
//! so a reader sees at a glance whether the model looks there.

use crate::error::{Error, Result};
use crate::report::figures::register_fonts;
use crate::report::files::write_through_temporary;
use plotters::prelude::*;
use std::path::Path;

/// One image and its explanation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Explained {
    /// Grey pixels, row-major, `side * side`.
    pub pixels: Vec<u8>,
    /// Signed relevance per pixel.
    pub relevance: Vec<f32>,
    /// Pixels to frame (e.g. the decoy patch; one frame around all of them).
    pub outline: Vec<usize>,
    /// Text above the panels.
    pub caption: String,
}

/// Screen pixels per image pixel.
const SCALE: i32 = 4;

/// The colour of a relevance `r` in `[-1, 1]`: blue, white, red.
fn diverging(r: f32) -> RGBColor {
    let r = r.clamp(-1.0, 1.0);
    let fade = |t: f32| (255.0 * (1.0 - t)).round() as u8;
    if r >= 0.0 { RGBColor(255, fade(r), fade(r)) } else { RGBColor(fade(-r), fade(-r), 255) }
}

/// The `q`-quantile of `|values|` (0 when empty).
fn percentile_magnitude(values: &[f32], q: f32) -> f32 {
    let mut magnitudes: Vec<f32> = values.iter().map(|v| v.abs()).collect();
    magnitudes.sort_by(f32::total_cmp);
    let rank = ((magnitudes.len() as f32 - 1.0) * q).round().max(0.0) as usize;
    magnitudes.get(rank).copied().unwrap_or(0.0)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    origin: (i32, i32),
    side: usize,
    colour: impl Fn(usize) -> RGBColor,
    outline: &[usize],
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let cell = |index: usize| {
        let (row, column) = ((index / side) as i32, (index % side) as i32);
        let (x, y) = (origin.0 + column * SCALE, origin.1 + row * SCALE);
        [(x, y), (x + SCALE, y + SCALE)]
    };
    for index in 0..side * side {
        area.draw(&Rectangle::new(cell(index), colour(index).filled()))?;
    }
    // One frame around the outlined pixels, so their colours stay visible.
    if !outline.is_empty() {
        let cells: Vec<[(i32, i32); 2]> = outline.iter().map(|&index| cell(index)).collect();
        let left = cells.iter().map(|c| c[0].0).min().unwrap_or(0) - 1;
        let top = cells.iter().map(|c| c[0].1).min().unwrap_or(0) - 1;
        let right = cells.iter().map(|c| c[1].0).max().unwrap_or(0);
        let bottom = cells.iter().map(|c| c[1].1).max().unwrap_or(0);
        area.draw(&Rectangle::new([(left, top), (right, bottom)], RGBColor(0, 170, 0).stroke_width(1)))?;
    }
    Ok(())
}

/// Writes a PNG with one row per `(row label, images)`; every image is `side
/// x side`.
///
/// # Errors
/// A one-line message when drawing or writing fails.
pub fn save_grid(path: &Path, side: usize, rows: &[(String, Vec<Explained>)]) -> Result<()> {
    register_fonts()?;
    let layout = Layout::new(side, rows);
    write_through_temporary(path, |temporary| draw_grid(temporary, &layout, side, rows))
}

/// Where the panels of a grid go, in pixels.
struct Layout {
    panel: i32,
    label_width: i32,
    caption_height: i32,
    gap: i32,
    cell_width: i32,
    size: (u32, u32),
}

impl Layout {
    fn new(side: usize, rows: &[(String, Vec<Explained>)]) -> Self {
        let panel = side as i32 * SCALE;
        let longest = rows.iter().map(|(label, _)| label.chars().count()).max().unwrap_or(0) as i32;
        let (label_width, caption_height, gap) = (9 * longest + 16, 34, 12);
        let cell_width = 2 * panel + 4 + gap;
        let columns = rows.iter().map(|(_, images)| images.len()).max().unwrap_or(0) as i32;
        let width = (label_width + columns * cell_width + gap).max(200) as u32;
        let height = (rows.len() as i32 * (panel + caption_height + gap) + gap).max(50) as u32;
        Self { panel, label_width, caption_height, gap, cell_width, size: (width, height) }
    }
}

fn draw_grid(path: &Path, layout: &Layout, side: usize, rows: &[(String, Vec<Explained>)]) -> Result<()> {
    let Layout { panel, label_width, caption_height, gap, cell_width, size } = *layout;
    let root = BitMapBackend::new(path, size).into_drawing_area();
    let fail = |e: &dyn std::fmt::Display| Error::draw(path, e);
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    for (r, (label, images)) in rows.iter().enumerate() {
        let top = gap + r as i32 * (panel + caption_height + gap);
        root.draw(&Text::new(label.clone(), (8, top + caption_height + panel / 2 - 8), ("sans-serif", 16)))
            .map_err(|e| fail(&e))?;
        for (c, image) in images.iter().enumerate() {
            let left = label_width + c as i32 * cell_width;
            root.draw(&Text::new(image.caption.clone(), (left, top + 8), ("sans-serif", 13))).map_err(|e| fail(&e))?;
            let y = top + caption_height;
            let grey = |i: usize| {
                let v = image.pixels.get(i).copied().unwrap_or(0);
                RGBColor(v, v, v)
            };
            draw_panel(&root, (left, y), side, grey, &image.outline).map_err(|e| fail(&e))?;
            let peak = percentile_magnitude(&image.relevance, 0.99).max(f32::MIN_POSITIVE);
            let heat = |i: usize| diverging(image.relevance.get(i).copied().unwrap_or(0.0) / peak);
            draw_panel(&root, (left + panel + 4, y), side, heat, &image.outline).map_err(|e| fail(&e))?;
        }
    }
    root.present().map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_colour_scale_is_blue_white_red() {
        assert_eq!(diverging(0.0), RGBColor(255, 255, 255));
        assert_eq!(diverging(1.0), RGBColor(255, 0, 0));
        assert_eq!(diverging(-2.0), RGBColor(0, 0, 255));
    }

    #[test]
    fn the_colour_scale_ends_at_a_high_percentile() {
        let values: Vec<f32> = (0..=100).map(|i| if i == 100 { -1000.0 } else { i as f32 }).collect();
        assert_eq!(percentile_magnitude(&values, 0.99), 99.0);
        assert_eq!(percentile_magnitude(&values, 1.0), 1000.0);
        assert_eq!(percentile_magnitude(&[], 0.99), 0.0);
    }

    #[test]
    fn a_grid_is_written_as_png() {
        let path = std::env::temp_dir().join(format!("xil-heatmap-{}.png", std::process::id()));
        let image = Explained {
            pixels: (0..16).map(|i| i * 16).collect(),
            relevance: (0..16).map(|i| i as f32 - 8.0).collect(),
            outline: vec![0, 1],
            caption: "pred 1".into(),
        };
        save_grid(&path, 4, &[("row".into(), vec![image.clone(), image])]).unwrap();
        let png = std::fs::read(&path).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        std::fs::remove_file(&path).unwrap();
    }
}
