//! Explanations of predictions over interpretable components.
//!
//! An [`Explainer`] turns a model's score at an instance into an
//! [`Explanation`]: signed relevance per component and the `k` components it
//! names. [`Lime`] and [`KernelShap`] work on any model that can [`Score`]
//! an instance; [`attribution`] holds the gradient and occlusion maps of
//! differentiable classifiers (saliency, input x gradient, occlusion,
//! `DeepLIFT`, Grad-CAM); [`patches`] makes an image's square patches the components
//! Kernel SHAP and LIME explain a classifier with; the
//! exact explanations of linear models come from
//! [`LinearModel::contributions`](crate::LinearModel::contributions).

pub mod attribution;
mod explanation;
mod kernel_shap;
mod lime;
pub mod patches;
mod selection;
mod surrogate;

pub use explanation::{Explanation, Fidelity};
pub use kernel_shap::{Absent, KernelShap};
pub use lime::{Lime, Replacement, Sampling};
pub use selection::Selection;

use crate::error::Error;
use crate::traits::Score;
use rand_core::Rng;

/// Explains a model's score at an instance of type `X` with `C` components.
pub trait Explainer<X, const C: usize> {
    /// An explanation naming at most `k` components (`k > C` names at most
    /// `C`; `k = 0` names none).
    ///
    /// # Errors
    /// Invalid hyper-parameters, or a model score that is NaN or infinite.
    fn explain<M: Score<X> + ?Sized, R: Rng + ?Sized>(
        &self,
        model: &M,
        x: &X,
        k: usize,
        rng: &mut R,
    ) -> Result<Explanation<C>, Error>;
}
