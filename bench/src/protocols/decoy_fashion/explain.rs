//! What the trained network looks at: input-times-gradient explanations and the decoy's share of them.

use super::run::Outcome;
use super::settings::{Input, Network};
use crate::data::decoy::{DecoyData, patch};
use crate::data::fashion::{CLASS_NAMES, PIXELS};
use crate::report::heatmap::Explained;
use rayon::prelude::*;
use xil_core::metrics::attribution_overlap;

/// The explanation of image `index`: the exact contributions `x ⊙ ∇_x log
/// p_c(x)` of its pixels to the predicted class `c` (input times input
/// gradient: zero on black background, large where a bright pixel drives the
/// prediction), and `c`.
pub fn explain(model: &Network, data: &DecoyData, index: usize) -> (Input, usize) {
    let mut x = Input::zeros();
    data.input_scaled(index, 1.0, x.as_mut_slice());
    let class = model.predict(&x);
    let gradient = model.input_gradient(&x, class).unwrap_or_else(|_| Input::zeros());
    (gradient.component_mul(&x), class)
}

/// How much the model looks at the decoy: over the first `limit` images, the
/// mean share of the explanation's magnitude `sum |x ⊙ ∇|` that falls inside
/// the decoy patch.
pub fn decoy_share(model: &Network, data: &DecoyData, limit: usize) -> f32 {
    let shares: Vec<f32> = (0..data.len().min(limit))
        .into_par_iter()
        .map(|index| {
            let (contributions, _) = explain(model, data, index);
            let mut decoy = [false; PIXELS];
            for pixel in patch(data.corners[index]) {
                decoy[pixel] = true;
            }
            attribution_overlap(contributions.as_slice(), &decoy)
        })
        .collect();
    // Summed in order: the same numbers whatever the thread schedule.
    shares.iter().sum::<f32>() / shares.len().max(1) as f32
}

/// Test images explained in the figures of every setting.
pub const EXPLAINED_IMAGES: usize = 6;

/// The first `count` test images with their explanations, for
/// [`save_grid`](crate::report::heatmap::save_grid).
pub fn explained(outcome: &Outcome, count: usize) -> Vec<Explained> {
    (0..outcome.test.len().min(count))
        .map(|index| {
            let (contributions, class) = explain(&outcome.model, &outcome.test, index);
            let truth = usize::from(outcome.test.labels[index]);
            Explained {
                pixels: outcome.test.image(index).to_vec(),
                relevance: contributions.iter().copied().collect(),
                outline: patch(outcome.test.corners[index]).to_vec(),
                caption: format!(
                    "{} ({})",
                    CLASS_NAMES[class],
                    if class == truth { "right" } else { CLASS_NAMES[truth] }
                ),
            }
        })
        .collect()
}

/// Test images over which [`decoy_share`] is measured.
pub const SHARE_IMAGES: usize = 2000;
