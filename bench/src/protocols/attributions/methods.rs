//! The seven attribution methods on one trained network, and how much of
//! each map falls on the decoy.
//!
//! Pixel methods (saliency, input x gradient, Grad-CAM, occlusion with a
//! `3 x 3` black window at stride 1 as in seed 003, `DeepLIFT` against a black image)
//! come from `xil_core::explain::attribution`; Kernel SHAP and LIME explain
//! the logit over the 49 `4 x 4` patches (absent = black), and each patch's
//! value is spread evenly over its 16 pixels. Each method explains the
//! predicted class. The decoy's share of a map is seed 003's attribution
//! overlap (eq. 17) with the decoy pixels as the mask.

use super::models::{Attributable, Input, Model};
use super::settings::{AttributionSettings, PATCH_SIDE, PATCHES};
use crate::data::decoy::DecoyData;
use crate::data::fashion::{PIXELS, SIDE};
use crate::error::{Error, Result};
use crate::harness::seeds::Stream;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;
use std::time::Instant;
use xil_core::explain::attribution::{Attribution, DeepLift, InputTimesGradient, Occlusion, Saliency};
use xil_core::explain::patches::{OnPatches, Patches};
use xil_core::metrics::attribution_overlap;
use xil_core::{Absent, Error as CoreError, Explainer, KernelShap, Lime, Replacement, Sampling};

/// An attribution method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// `|∂z_c/∂x|`.
    Saliency,
    /// `x ∂z_c/∂x`.
    #[default]
    InputXGradient,
    /// Grad-CAM on the last convolutional maps.
    GradCam,
    /// Occlusion by a `3 x 3` black window at stride 1 (seed 003's window).
    Occlusion,
    /// `DeepLIFT` (rescale) against a black image.
    #[serde(rename = "deeplift")]
    DeepLift,
    /// Kernel SHAP over patches.
    KernelShap,
    /// LIME over patches.
    Lime,
}

impl Method {
    /// Every method, in the summary's order.
    pub const ALL: [Method; 7] = [
        Method::Saliency,
        Method::InputXGradient,
        Method::GradCam,
        Method::Occlusion,
        Method::DeepLift,
        Method::KernelShap,
        Method::Lime,
    ];

    /// The method named `name` (see [`Method::name`]).
    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The method's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Method::Saliency => "saliency",
            Method::InputXGradient => "input x gradient",
            Method::GradCam => "Grad-CAM",
            Method::Occlusion => "occlusion (3x3)",
            Method::DeepLift => "DeepLIFT",
            Method::KernelShap => "Kernel SHAP (4x4 patches)",
            Method::Lime => "LIME (4x4 patches)",
        }
    }

    /// The method's key in the summary and its CSV's name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Saliency => "saliency",
            Method::InputXGradient => "input_x_gradient",
            Method::GradCam => "grad_cam",
            Method::Occlusion => "occlusion",
            Method::DeepLift => "deeplift",
            Method::KernelShap => "kernel_shap",
            Method::Lime => "lime",
        }
    }
}

/// One method's map of one image.
#[derive(Debug, Clone, Serialize)]
pub struct MethodRow {
    /// The test image.
    pub image: usize,
    /// Its true class.
    pub label: u8,
    /// The class explained (the prediction).
    pub predicted: usize,
    /// The share of the map's magnitude on the decoy.
    #[serde(serialize_with = "crate::harness::record::decimals::<6, _, _>")]
    pub overlap: f32,
    /// Milliseconds this explanation took.
    #[serde(serialize_with = "crate::harness::record::decimals::<3, _, _>")]
    pub milliseconds: f64,
}

/// The maps of one image, one per method (`None`: not applicable).
pub type Maps = Vec<Option<Input>>;

/// The patch grid of the explainers.
fn patches() -> Result<Patches<PIXELS, PATCHES>> {
    Patches::new(SIDE, PATCH_SIDE).map_err(|e| Error::core("patch grid", e))
}

/// Patch relevances spread over their pixels.
fn spread(patches: &Patches<PIXELS, PATCHES>, relevance: &[f32]) -> Input {
    let area = (PATCH_SIDE * PATCH_SIDE) as f32;
    Input::from_fn(|pixel, _| relevance.get(patches.patch_of(pixel)).copied().unwrap_or(0.0) / area)
}

/// The sampling explainers' budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// Model evaluations of Kernel SHAP.
    pub shap_samples: usize,
    /// Perturbed samples of LIME.
    pub lime_samples: usize,
}

impl Budgets {
    /// SHAP's default `2 C + 2048` and LIME's 1,000.
    pub const DEFAULT: Budgets = Budgets { shap_samples: 2 * PATCHES + 2048, lime_samples: 1000 };
}

/// Method `method`'s map of `x` for `class`, or `None` when the network has
/// no such map (Grad-CAM of the perceptron); Kernel SHAP and LIME draw from
/// `rng`.
///
/// # Errors
/// The method's error (a class the network does not have, a budget out of
/// range).
pub fn attribute<M: Attributable>(
    model: &M,
    method: Method,
    x: &Input,
    class: usize,
    budgets: Budgets,
    rng: &mut Xoshiro256PlusPlus,
) -> std::result::Result<Option<Input>, CoreError> {
    let black = Input::zeros();
    let on_patches = OnPatches { model, image: x, baseline: 0.0, class };
    let grid = patches().map_err(|_| CoreError::InvalidParameter { name: "side" })?;
    Ok(Some(match method {
        Method::Saliency => Saliency.attribute(model, x, class)?,
        Method::InputXGradient => InputTimesGradient.attribute(model, x, class)?,
        Method::GradCam => return model.grad_cam(x, class).transpose(),
        Method::Occlusion => {
            Occlusion { width: SIDE, window: 3, stride: 1, baseline: 0.0 }.attribute(model, x, class)?
        }
        Method::DeepLift => DeepLift { reference: black }.attribute(model, x, class)?,
        Method::KernelShap => {
            let shap = KernelShap::new(Absent::Hidden).samples(budgets.shap_samples);
            spread(&grid, shap.explain(&on_patches, &grid, PATCHES, rng)?.relevance().as_slice())
        }
        Method::Lime => {
            // lime_image's sampler: each patch kept with probability 1/2.
            let lime = Lime::new()
                .samples(budgets.lime_samples)
                .sampling(Sampling::Independent { keep: 0.5 })
                .replacement(Replacement::Hide);
            spread(&grid, lime.explain(&on_patches, &grid, PATCHES, rng)?.relevance().as_slice())
        }
    }))
}

/// Every method's row of test image `index` and its maps.
///
/// # Errors
/// A method that fails, named with the image.
pub fn explain_image<M: Model>(
    model: &M,
    settings: &AttributionSettings,
    test: &DecoyData,
    index: usize,
) -> Result<(Vec<Option<MethodRow>>, Maps)> {
    let mut x = Input::zeros();
    test.input_scaled(index, 1.0 / 255.0, x.as_mut_slice());
    let class = model.predict(&x);
    let mut decoy = vec![false; PIXELS];
    for pixel in test.decoy_pixels(index) {
        if let Some(flag) = decoy.get_mut(pixel) {
            *flag = true;
        }
    }
    let label = test.labels.get(index).copied().unwrap_or(0);
    let mut rows = Vec::with_capacity(Method::ALL.len());
    let mut maps = Vec::with_capacity(Method::ALL.len());
    for method in Method::ALL {
        let started = Instant::now();
        let budgets = Budgets { shap_samples: settings.shap_samples, lime_samples: settings.lime_samples };
        let mut rng = Stream::AttributionsExplain(index).rng(settings.seed);
        let map = attribute(model, method, &x, class, budgets, &mut rng)
            .map_err(|e| Error::core(format!("{} of test image {index}", method.name()), e))?;
        let milliseconds = started.elapsed().as_secs_f64() * 1000.0;
        rows.push(map.as_ref().map(|map| MethodRow {
            image: index,
            label,
            predicted: class,
            overlap: attribution_overlap(map.as_slice(), &decoy),
            milliseconds,
        }));
        maps.push(map);
    }
    Ok((rows, maps))
}
