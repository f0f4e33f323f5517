//! Paper-style line figures with a band over folds, as PNG and SVG.
//!
//! Drawn with plotters and an embedded `DejaVu` Sans font (no system font
//! libraries needed). The same drawing code serves xil-bench's reports and,
//! later, the desktop app's export.

use crate::error::{Error, Result};
use crate::report::files::write_through_temporary;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::path::Path;
use std::sync::Once;

/// One curve: a mean per x with a band `[low, high]` around it.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Line colour.
    pub colour: RGBColor,
    /// Dashed instead of solid.
    pub dashed: bool,
    /// `(x, mean, low, high)` points.
    pub points: Vec<(f32, f32, f32, f32)>,
}

/// Per-fold curves of a per-row metric, `curves[fold][i]` in row order, for
/// folds `0..=max fold`.
pub fn fold_curves<R>(rows: &[R], fold_of: impl Fn(&R) -> usize, metric: impl Fn(&R) -> f32) -> Vec<Vec<f32>> {
    let folds = rows.iter().map(&fold_of).max().map_or(0, |f| f + 1);
    (0..folds).map(|fold| rows.iter().filter(|r| fold_of(r) == fold).map(&metric).collect()).collect()
}

/// Mean and mean ± one standard deviation over folds of a per-iteration
/// value; `values[fold][iteration]`. Folds may have different lengths (a run
/// still going, or stopped): iteration `i` averages the folds that reached it.
pub fn band(values: &[Vec<f32>]) -> Vec<(f32, f32, f32, f32)> {
    let length = values.iter().map(Vec::len).max().unwrap_or(0);
    (0..length)
        .map(|i| {
            let column: Vec<f32> = values.iter().filter_map(|v| v.get(i).copied()).collect();
            let n = column.len() as f32;
            let mean = column.iter().sum::<f32>() / n;
            let variance = column.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
            let deviation = variance.sqrt();
            ((i + 1) as f32, mean, mean - deviation, mean + deviation)
        })
        .collect()
}

/// Student's `t` quantile `t_{0.975, df}` for `df = 1..=30` (beyond, 1.96
/// is within 2 %).
const T_975: [f32; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
    2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/// Mean and 95 % confidence interval of the mean over runs of a per-step
/// value (`values[run][step]`): `mean ± t_{0.975, n-1} s / √n` with the
/// sample standard deviation `s`; a single run has no interval.
pub fn confidence_band(values: &[Vec<f32>]) -> Vec<(f32, f32, f32, f32)> {
    let length = values.iter().map(Vec::len).max().unwrap_or(0);
    (0..length)
        .map(|i| {
            let column: Vec<f32> = values.iter().filter_map(|v| v.get(i).copied()).collect();
            let n = column.len();
            let mean = column.iter().sum::<f32>() / n.max(1) as f32;
            let half = if n < 2 {
                0.0
            } else {
                let variance = column.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / (n - 1) as f32;
                T_975.get(n - 2).copied().unwrap_or(1.96) * (variance / n as f32).sqrt()
            };
            ((i + 1) as f32, mean, mean - half, mean + half)
        })
        .collect()
}

/// A figure: title, axis labels and curves.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Title above the plot.
    pub title: String,
    /// Label of the x axis.
    pub x_label: String,
    /// Label of the y axis.
    pub y_label: String,
    /// The curves.
    pub series: Vec<Series>,
}

/// Colours that stay apart in print.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(127, 127, 127),
];

/// Registers the embedded font as "sans-serif" (once per process).
///
/// # Errors
/// A one-line message when the font cannot be loaded.
pub fn register_fonts() -> Result<()> {
    static REGISTER: Once = Once::new();
    let mut result = Ok(());
    REGISTER.call_once(|| {
        result = register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).map_err(|_| Error::Font);
    });
    result
}

impl Figure {
    /// Writes `stem.png` (900x560) and `stem.svg`.
    ///
    /// # Errors
    /// A one-line message when drawing or writing fails.
    pub fn save(&self, stem: &Path) -> Result<()> {
        register_fonts()?;
        let png = stem.with_extension("png");
        let svg = stem.with_extension("svg");
        let size = (900, 560);
        write_through_temporary(&png, |temporary| {
            let area = BitMapBackend::new(temporary, size).into_drawing_area();
            self.draw(&area).map_err(|e| Error::draw(&png, e))
        })?;
        write_through_temporary(&svg, |temporary| {
            let area = SVGBackend::new(temporary, size).into_drawing_area();
            self.draw(&area).map_err(|e| Error::draw(&svg, e))
        })
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), Box<dyn std::error::Error + '_>>
    where
        DB::ErrorType: 'static,
    {
        area.fill(&WHITE)?;
        let points = self.series.iter().flat_map(|s| s.points.iter());
        let x_max = points.clone().map(|p| p.0).fold(1.0f32, f32::max);
        let (y_min, y_max) = points.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), p| (lo.min(p.2), hi.max(p.3)));
        let (y_min, y_max) = if y_min.is_finite() { (y_min.min(0.0), y_max.max(y_min + 1e-3)) } else { (0.0, 1.0) };
        let pad = 0.05 * (y_max - y_min);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(0f32..x_max, (y_min - pad)..(y_max + pad))?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            // The x axis counts (queries, decisions, epochs): at most one
            // label per whole step, so that no two labels round alike.
            .x_labels((x_max.floor() as usize + 1).clamp(2, 10))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc(&self.y_label)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for series in &self.series {
            let colour = series.colour;
            let upper = series.points.iter().map(|p| (p.0, p.3));
            let lower = series.points.iter().rev().map(|p| (p.0, p.2));
            chart
                .draw_series(std::iter::once(Polygon::new(upper.chain(lower).collect::<Vec<_>>(), colour.mix(0.15))))?;
            let line: Vec<(f32, f32)> = series.points.iter().map(|p| (p.0, p.1)).collect();
            let style = colour.stroke_width(2);
            let drawn = if series.dashed {
                chart.draw_series(DashedLineSeries::new(line, 8, 5, style))?
            } else {
                chart.draw_series(LineSeries::new(line, style))?
            };
            // The legend shows a dashed line as two short strokes.
            let gap = if series.dashed { 5 } else { 0 };
            drawn.label(&series.label).legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (11 - gap, 0)], colour.stroke_width(2))
                    + PathElement::new(vec![(11, 0), (22, 0)], colour.stroke_width(2))
            });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 15))
            .position(SeriesLabelPosition::LowerRight)
            .draw()?;
        area.present()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confidence_band_uses_students_t() {
        // Runs 1, 2, 3: mean 2, s = 1, t_{0.975, 2} = 4.303, half-width 4.303 / √3.
        let points = confidence_band(&[vec![1.0], vec![2.0], vec![3.0]]);
        let half = 4.303 / 3.0f32.sqrt();
        assert!((points[0].1 - 2.0).abs() < 1e-6 && (points[0].3 - 2.0 - half).abs() < 1e-5, "{points:?}");
        assert_eq!(confidence_band(&[vec![0.5]])[0], (1.0, 0.5, 0.5, 0.5));
    }

    #[test]
    fn band_is_the_mean_plus_minus_one_deviation() {
        let points = band(&[vec![1.0, 2.0], vec![3.0, 2.0]]);
        assert_eq!(points, vec![(1.0, 2.0, 1.0, 3.0), (2.0, 2.0, 2.0, 2.0)]);
        // A fold that is behind counts only where it has values.
        let ragged = band(&[vec![1.0, 2.0, 5.0], vec![3.0]]);
        assert_eq!(ragged, vec![(1.0, 2.0, 1.0, 3.0), (2.0, 2.0, 2.0, 2.0), (3.0, 5.0, 5.0, 5.0)]);
    }

    /// The numeric tick labels of an SVG figure, grouped by their `y`
    /// attribute (the x axis's labels share the lowest line).
    fn x_tick_labels(svg: &str) -> Vec<String> {
        let mut labels: Vec<(f32, String)> = Vec::new();
        for element in svg.split("<text").skip(1) {
            let Some((attributes, rest)) = element.split_once('>') else { continue };
            let text = rest.split('<').next().unwrap_or("").trim().to_string();
            let y = attributes.split("y=\"").nth(1).and_then(|v| v.split('"').next()).and_then(|v| v.parse().ok());
            if let (Some(y), Ok(_)) = (y, text.parse::<f64>()) {
                labels.push((y, text));
            }
        }
        let lowest = labels.iter().map(|l| l.0).fold(f32::NEG_INFINITY, f32::max);
        labels.into_iter().filter(|l| l.0 == lowest).map(|l| l.1).collect()
    }

    #[test]
    fn the_x_axis_of_counts_has_distinct_whole_tick_labels() {
        let dir = std::env::temp_dir().join(format!("xil-ticks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for steps in [1usize, 2, 3, 7, 40, 300] {
            let figure = Figure {
                title: "ticks".into(),
                x_label: "decisions".into(),
                y_label: "F1".into(),
                series: vec![Series {
                    label: "a".into(),
                    colour: PALETTE[0],
                    dashed: false,
                    points: band(&[(0..steps).map(|i| i as f32 * 0.1).collect()]),
                }],
            };
            figure.save(&dir.join("ticks")).unwrap();
            let labels = x_tick_labels(&std::fs::read_to_string(dir.join("ticks.svg")).unwrap());
            assert!(labels.len() >= 2, "{steps} steps: {labels:?}");
            let mut distinct = labels.clone();
            distinct.dedup();
            assert_eq!(distinct, labels, "{steps} steps: repeated tick labels {labels:?}");
            for label in &labels {
                assert!(!label.contains('.'), "{steps} steps: a count's tick {label} is not whole");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_figure_is_written_as_png_and_svg() {
        let dir = std::env::temp_dir().join(format!("xil-figure-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let figure = Figure {
            title: "test".into(),
            x_label: "queries".into(),
            y_label: "F1".into(),
            series: vec![Series {
                label: "a".into(),
                colour: PALETTE[0],
                dashed: true,
                points: band(&[vec![0.1, 0.5, 0.7], vec![0.2, 0.4, 0.9]]),
            }],
        };
        figure.save(&dir.join("figure")).unwrap();
        let png = std::fs::read(dir.join("figure.png")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let svg = std::fs::read_to_string(dir.join("figure.svg")).unwrap();
        assert!(svg.contains("<svg") && svg.contains("queries"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
