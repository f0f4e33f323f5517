//! A session's progress as files: the plot's numbers as CSV and the plot as
//! PNG and SVG in xil-bench's figure style.
//!
//! Every interactive tab records a point per decision; this writes them as
//! `STEM.csv` (one column per quantity, raw values) and `STEM.png` /
//! `STEM.svg`, where a quantity larger than 1 (a count) is drawn divided by
//! its largest value so it shares the axis with the shares and scores.

use crate::error::Result;
use std::path::Path;
use xil_bench::harness::record::table_to_csv;
use xil_bench::report::figures::{Figure, PALETTE, Series};

/// The points of a session: named quantities after each decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The figure's title.
    pub title: String,
    /// The quantities' names, in the order of each row's values.
    pub columns: Vec<&'static str>,
    /// `(decisions, values)` per point.
    pub rows: Vec<(usize, Vec<f32>)>,
}

impl Progress {
    /// Writes `dir/STEM.csv`, `.png` and `.svg`; returns what was written.
    ///
    /// # Errors
    /// A one-line message when a file cannot be written.
    pub fn export(&self, dir: &Path, stem: &str) -> Result<String> {
        let header = std::iter::once("decisions".to_string()).chain(self.columns.iter().map(|c| c.replace(' ', "_")));
        let rows = self.rows.iter().map(|(decisions, values)| {
            std::iter::once(decisions.to_string()).chain(values.iter().map(|v| format!("{v:.6}"))).collect()
        });
        let csv = table_to_csv(header, rows)?;
        let series = self
            .columns
            .iter()
            .enumerate()
            .map(|(c, name)| {
                let values: Vec<(f32, f32)> =
                    self.rows.iter().map(|(x, v)| (*x as f32, v.get(c).copied().unwrap_or(f32::NAN))).collect();
                let most = values.iter().fold(0.0f32, |m, (_, y)| m.max(*y));
                let (scale, label) =
                    if most > 1.0 { (most, format!("{name} (/ {most})")) } else { (1.0, (*name).into()) };
                Series {
                    label,
                    colour: PALETTE[c % PALETTE.len()],
                    dashed: false,
                    points: values.into_iter().map(|(x, y)| (x, y / scale, y / scale, y / scale)).collect(),
                }
            })
            .collect();
        let figure = Figure { title: self.title.clone(), x_label: "decisions".into(), y_label: String::new(), series };
        xil_bench::report::files::prepare_dir(dir)?;
        xil_bench::report::files::write_atomically(&dir.join(format!("{stem}.csv")), &csv)?;
        figure.save(&dir.join(stem))?;
        Ok(format!("exported {stem}.csv, .png and .svg to {}", dir.display()))
    }
}

/// Writing files for an export, off the window's thread: given the export
/// folder, writes and returns the message to show.
pub type ExportJob = Box<dyn FnOnce(&Path) -> String + Send>;

/// The job that exports `progress` as [`Progress::export`] does, or says
/// there is nothing yet.
pub fn export_or_explain(progress: Option<Progress>, stem: &'static str) -> ExportJob {
    Box::new(move |dir| match progress {
        Some(progress) => progress.export(dir, stem).unwrap_or_else(|e| e.to_string()),
        None => "nothing to export yet".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_has_the_raw_values_and_the_figures_are_written() {
        let dir = std::env::temp_dir().join(format!("xil-gui-progress-{}", std::process::id()));
        let progress = Progress {
            title: "test".into(),
            columns: vec!["test accuracy", "counterexamples"],
            rows: vec![(0, vec![0.5, 0.0]), (1, vec![0.75, 3.0])],
        };
        assert!(progress.export(&dir, "progress").unwrap().contains("progress.csv"));
        let csv = std::fs::read_to_string(dir.join("progress.csv")).unwrap();
        assert_eq!(csv, "decisions,test_accuracy,counterexamples\n0,0.500000,0.000000\n1,0.750000,3.000000\n");
        assert!(dir.join("progress.png").exists() && dir.join("progress.svg").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
