//! How faithful LIME is to a model whose true explanation is known (seed 001,
//! Fig. 2): LIME against the exact explanation `w(x)` of a SENN.
//!
//! A SENN is trained passively (labels only, Adam, batch 32) for 1,000 steps.
//! At steps 0, 250, 500 and 750, ten fixed test images are explained by LIME
//! over their 25 pixels (categorical perturbation, kernel width 10, forward
//! selection, `k` = 4 for rule 0 and 3 for rule 1) with `s` samples, `r` times
//! independently, and by the SENN itself. A pixel's exact relevance is the
//! entry of `w(x)` at its colour (the only non-zero contribution of that
//! pixel to `w(x)·x`). Reported per (step, s, r): the overlap of LIME's top-k
//! pixels (majority over the `r` runs) with the exact top-k, divided by `k`;
//! the dispersion, the mean pairwise Euclidean distance between the `r`
//! explanations; and seconds per explanation for LIME and for the exact one.

use crate::error::{Error, Result};
use crate::harness::observe::Observer;
use crate::harness::protocol::Protocol;
use crate::harness::record::{Metric, Record};
use crate::harness::seeds::Stream;
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;
use std::time::Instant;
use xil_core::tasks::colors::{self, COLOURS, ONE_HOT, OneHot, PIXELS, Rule};
use xil_core::{
    Adam, Explainer, Explanation, FeatureMap, Lime, OnInstances, Sampling, Senn, SennExample, SennLoss, SennTrainer,
};

/// One (step, samples, repeats) cell, averaged over the explained images.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaithfulnessRow {
    /// Training steps done.
    pub step: usize,
    /// LIME samples.
    pub samples: usize,
    /// Independent LIME runs.
    pub repeats: usize,
    /// Mean overlap of the top-k sets, divided by k.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub overlap: f32,
    /// Mean pairwise distance between the runs' explanations.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub dispersion: f32,
    /// Seconds per LIME explanation (one run).
    #[serde(serialize_with = "crate::harness::record::decimals::<9, _, _>")]
    pub lime_seconds: f64,
    /// Seconds per exact explanation.
    #[serde(serialize_with = "crate::harness::record::decimals::<9, _, _>")]
    pub exact_seconds: f64,
}

impl Record for FaithfulnessRow {
    const METRICS: &'static [Metric<Self>] = &[
        Metric { name: "overlap", panel: "top-k overlap with w(x) / k", value: |r| r.overlap },
        Metric { name: "dispersion", panel: "dispersion", value: |r| r.dispersion },
    ];

    fn fold(&self) -> usize {
        0
    }

    /// The SENN's training steps when the cell was measured.
    fn step(&self) -> usize {
        self.step
    }
}

/// Exact pixel relevance: `w(x)` at each pixel's colour.
fn exact_pixels<const L: usize>(model: &Senn<ONE_HOT, L>, image: &colors::Image) -> nalgebra::SVector<f32, PIXELS> {
    let w = model.relevance(&OneHot.features(image));
    nalgebra::SVector::from_fn(|p, _| {
        let colour = usize::from(image.cells()[p]);
        w[p * usize::from(COLOURS) + colour]
    })
}

/// Runs the study for a rule with a SENN of depth `L`; `observe` sees every
/// cell as it is measured and can stop the study.
///
/// # Errors
/// A message when training or explaining fails.
pub fn run<const L: usize>(
    rule: Rule,
    seed: u64,
    observe: Observer<'_, FaithfulnessRow>,
) -> Result<Vec<FaithfulnessRow>> {
    let k = rule.pixels().len();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let train: Vec<SennExample<ONE_HOT>> = (0..2000)
        .map(|_| {
            let e = colors::generate(&mut rng);
            SennExample { x: OneHot.features(&e.instance), label: e.label, correction: None }
        })
        .collect();
    let explained: Vec<colors::Image> = (0..10).map(|_| colors::generate(&mut rng).instance).collect();
    let mut model: Box<Senn<ONE_HOT, L>> = Box::new(Senn::new(&mut rng));
    let loss = SennLoss { lambda: 1.0, ..SennLoss::default() };
    let mut trainer =
        Box::new(SennTrainer::new(loss, Adam::default()).map_err(|e| Error::core("building the trainer", e))?);
    let mut rows = Vec::new();
    let mut done = 0;
    for step in [0usize, 250, 500, 750] {
        trainer
            .fit(&mut model, &train, step - done, 32, &mut rng)
            .map_err(|e| Error::core(format!("training to step {step}"), e))?;
        done = step;
        let started = Instant::now();
        let exact: Vec<_> = explained.iter().map(|image| exact_pixels(&model, image)).collect();
        let exact_seconds = started.elapsed().as_secs_f64() / explained.len() as f64;
        let scorer = OnInstances::new(model.as_ref(), &OneHot);
        for samples in [100usize, 1000] {
            let lime =
                Lime::new().samples(samples).kernel_width(Some(10.0)).sampling(Sampling::Independent { keep: 0.5 });
            for repeats in [5usize, 10, 25] {
                let mut lime_rng = Stream::Faithfulness { step, samples, repeats }.rng(seed);
                let (mut overlap, mut dispersion, mut lime_seconds) = (0.0f32, 0.0f32, 0.0f64);
                for (image, truth) in explained.iter().zip(&exact) {
                    let started = Instant::now();
                    let runs: Vec<Explanation<PIXELS>> = (0..repeats)
                        .map(|_| lime.explain(&scorer, image, k, &mut lime_rng))
                        .collect::<std::result::Result<_, _>>()
                        .map_err(|e| Error::core(format!("LIME at step {step}"), e))?;
                    lime_seconds += started.elapsed().as_secs_f64() / repeats as f64;
                    let voted = lime
                        .repeats(repeats)
                        .explain(&scorer, image, k, &mut lime_rng)
                        .map_err(|e| Error::core(format!("LIME at step {step}"), e))?;
                    let exact_top = Explanation::from_relevance(*truth, k);
                    let hits = voted.selected().iter().filter(|c| exact_top.selected().contains(c)).count();
                    overlap += hits as f32 / k as f32;
                    let mut distances = 0.0;
                    let mut pairs = 0;
                    for (i, a) in runs.iter().enumerate() {
                        for b in runs.iter().skip(i + 1) {
                            distances += (a.relevance() - b.relevance()).norm();
                            pairs += 1;
                        }
                    }
                    dispersion += distances / pairs.max(1) as f32;
                }
                let n = explained.len() as f32;
                rows.push(FaithfulnessRow {
                    step,
                    samples,
                    repeats,
                    overlap: overlap / n,
                    dispersion: dispersion / n,
                    lime_seconds: lime_seconds / f64::from(n),
                    exact_seconds,
                });
                if rows.last().is_some_and(|row| observe(row).is_break()) {
                    return Ok(rows);
                }
            }
        }
    }
    Ok(rows)
}

/// Writes `metrics.csv`, `summary.json` and the figures `overlap.{png,svg}`
/// and `dispersion.{png,svg}` (one curve per (s, r) over training steps).
///
/// # Errors
/// A one-line message when a file cannot be written.
pub fn write(dir: &std::path::Path, rows: &[FaithfulnessRow]) -> Result<serde_json::Value> {
    use crate::report::figures::{Figure, PALETTE, Series};
    let max_overlap = rows.iter().map(|r| r.overlap).fold(0.0f32, f32::max);
    let mean = |f: fn(&FaithfulnessRow) -> f64| rows.iter().map(f).sum::<f64>() / rows.len().max(1) as f64;
    let summary = serde_json::json!({
        "max_overlap": max_overlap,
        "mean_dispersion": mean(|r| f64::from(r.dispersion)),
        "lime_seconds_s100": rows.iter().filter(|r| r.samples == 100).map(|r| r.lime_seconds).sum::<f64>()
            / rows.iter().filter(|r| r.samples == 100).count().max(1) as f64,
        "lime_seconds_s1000": rows.iter().filter(|r| r.samples == 1000).map(|r| r.lime_seconds).sum::<f64>()
            / rows.iter().filter(|r| r.samples == 1000).count().max(1) as f64,
        "exact_seconds": mean(|r| r.exact_seconds),
    });
    crate::report::files::write_results(dir, rows, &summary)?;
    let mut cells: Vec<(usize, usize)> = rows.iter().map(|r| (r.samples, r.repeats)).collect();
    cells.sort_unstable();
    cells.dedup();
    for metric in FaithfulnessRow::METRICS {
        let (stem, label) = (metric.stem(), metric.panel);
        let series = cells
            .iter()
            .enumerate()
            .map(|(i, &(samples, repeats))| Series {
                label: format!("s = {samples}, r = {repeats}"),
                colour: PALETTE[i % PALETTE.len()],
                dashed: samples == 100,
                points: rows
                    .iter()
                    .filter(|r| r.samples == samples && r.repeats == repeats)
                    .map(|r| {
                        let v = (metric.value)(r);
                        (r.step as f32, v, v, v)
                    })
                    .collect(),
            })
            .collect();
        Figure {
            title: format!("LIME vs the exact SENN explanation: {label}"),
            x_label: "training steps".into(),
            y_label: label.into(),
            series,
        }
        .save(&dir.join(stem))?;
    }
    Ok(summary)
}

/// Everything that defines one study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FaithfulnessSettings {
    /// The rule the SENN learns (`k` = 4 for rule 0, 3 for rule 1).
    pub rule: Rule,
    /// Layers of `w(x)`: 1, 3 or 5.
    pub depth: usize,
    /// Seed of data, training and sampling.
    pub seed: u64,
}

/// The study as `xil-bench lime-faithfulness` runs it.
#[derive(Debug, Clone, Copy)]
pub struct LimeFaithfulness;

/// Cells of a study: 4 training steps x 2 sample sizes x 3 repeat counts.
const CELLS: usize = 4 * 2 * 3;

impl Protocol for LimeFaithfulness {
    const NAME: &'static str = "lime-faithfulness";
    const STEP: &'static str = "cells";
    type Settings = FaithfulnessSettings;
    type Source = ();
    type Data = ();
    type Row = FaithfulnessRow;
    type Outcome = Vec<FaithfulnessRow>;

    fn check(settings: &FaithfulnessSettings) -> Result<()> {
        match settings.depth {
            1 | 3 | 5 => Ok(()),
            other => Err(Error::Settings(format!("--depth must be 1, 3 or 5, not {other}"))),
        }
    }

    fn rows(_: &FaithfulnessSettings) -> usize {
        CELLS
    }

    fn load(_: &FaithfulnessSettings, (): &()) -> Result<()> {
        Ok(())
    }

    fn run(
        settings: &FaithfulnessSettings,
        (): &(),
        observe: Observer<'_, FaithfulnessRow>,
    ) -> Result<Vec<FaithfulnessRow>> {
        let FaithfulnessSettings { rule, seed, .. } = *settings;
        match settings.depth {
            1 => run::<1>(rule, seed, observe),
            3 => run::<3>(rule, seed, observe),
            5 => run::<5>(rule, seed, observe),
            _ => Self::check(settings).map(|()| Vec::new()),
        }
    }

    fn write(
        dir: &std::path::Path,
        _: &FaithfulnessSettings,
        (): &(),
        rows: &Vec<FaithfulnessRow>,
        _: f64,
    ) -> Result<serde_json::Value> {
        write(dir, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lime_finds_more_of_the_exact_explanation_than_chance_but_not_all_of_it() {
        let rows = run::<1>(Rule::Zero, 3, &crate::harness::observe::ticking(&|| {})).unwrap();
        assert_eq!(rows.len(), 4 * 2 * 3, "4 steps x 2 sample sizes x 3 repeat counts");
        for row in &rows {
            assert!(row.overlap < 1.0, "LIME matched w(x) exactly: {row:?}");
            assert!(row.dispersion > 0.0);
        }
        // A random choice of k = 4 of the 25 pixels overlaps the exact top 4
        // by 4/25 on average; LIME with 1,000 samples must do better once the
        // SENN has trained (steps 250 to 750).
        let chance = 4.0 / 25.0;
        let trained: Vec<&FaithfulnessRow> = rows.iter().filter(|r| r.step > 0 && r.samples == 1000).collect();
        let mean = trained.iter().map(|r| r.overlap).sum::<f32>() / trained.len() as f32;
        assert!(mean > 2.0 * chance, "mean overlap {mean} with 1,000 samples, chance {chance}");
        // Ten times the samples, less spread between LIME's runs.
        let dispersion = |samples: usize| {
            let of: Vec<f32> = rows.iter().filter(|r| r.samples == samples).map(|r| r.dispersion).collect();
            of.iter().sum::<f32>() / of.len() as f32
        };
        assert!(dispersion(1000) < 0.5 * dispersion(100), "{} vs {}", dispersion(1000), dispersion(100));
    }
}
