"""Kernel SHAP and LIME of the Python packages (shap's KernelExplainer,
lime's LimeImageExplainer) on the network xil trained, beside xil's own:
the baseline that scripts/explainer_speed runs.

Reads an `xil-bench attributions` result folder: the
parameters (model.f32), the explained images (explained.f32) and xil's maps
(maps_kernel_shap.f32, maps_lime.f32). Rebuilds the network in PyTorch with
those weights, checks that it predicts what xil predicted, and explains the
same images over the same 49 patches of 4 x 4 pixels (absent = black) with
the same budgets: Kernel SHAP with one all-absent background and
`nsamples` evaluations (l1_reg off, a full fit as xil's), LIME with the
patch grid as its segmentation, hide_color 0 and `num_samples` samples.
Both explain the logit of the predicted class, one image at a time on one
thread. Prints one JSON object: milliseconds per explanation and the Pearson
correlation of each image's patch values with xil's (mean over images).

Usage: explainer_torch.py DIR --model lenet|alex-cnn|mlp --shap-samples N --lime-samples N
"""

import argparse
import csv
import json
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import shap
import torch
from lime import lime_image

from torch_models import NETWORKS

torch.set_num_threads(1)
SIDE, PATCH = 28, 4
GRID = SIDE // PATCH


def load(model, path, columns):
    """Weight and bias per layer, in xil's order; with `columns` a dense
    weight is stored one input's column after another (xil's perceptron)."""
    values = np.fromfile(path, dtype="<f4")
    offset = 0
    with torch.no_grad():
        for parameter in model.parameters():
            n = parameter.numel()
            block = values[offset:offset + n].copy()
            if columns and parameter.dim() == 2:
                block = block.reshape(parameter.shape[1], parameter.shape[0]).T.copy()
            parameter.copy_(torch.from_numpy(block).reshape(parameter.shape))
            offset += n
    if offset != len(values):
        raise SystemExit(f"{path}: {len(values)} parameters, the network has {offset}")
    return model.eval()


def patch_of_pixel():
    rows, columns = np.divmod(np.arange(SIDE * SIDE), SIDE)
    return (rows // PATCH) * GRID + columns // PATCH


def per_patch(maps):
    """Pixel maps (spread evenly over patches) back to one value per patch."""
    owner = patch_of_pixel()
    return np.stack([np.bincount(owner, weights=m, minlength=GRID * GRID) for m in maps])


def correlation(a, b):
    a, b = a - a.mean(), b - b.mean()
    denominator = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--model", choices=["lenet", "alex-cnn", "mlp"], required=True)
    parser.add_argument("--shap-samples", type=int, required=True)
    parser.add_argument("--lime-samples", type=int, required=True)
    args = parser.parse_args()
    network = NETWORKS[args.model]()
    model = load(network, args.dir / "model.f32", columns=args.model == "mlp")
    images = np.fromfile(args.dir / "explained.f32", dtype="<f4").reshape(-1, SIDE * SIDE)
    xil = {m: per_patch(np.fromfile(args.dir / f"maps_{m}.f32", dtype="<f4").reshape(-1, SIDE * SIDE))
           for m in ["kernel_shap", "lime"]}
    owner = patch_of_pixel()

    shape = (-1, SIDE * SIDE) if args.model == "mlp" else (-1, 1, SIDE, SIDE)

    def logits(batch):
        with torch.no_grad():
            return model(torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32)).reshape(shape)).numpy()

    predicted = logits(images).argmax(1)
    with open(args.dir / "attributions_kernel_shap.csv") as rows:
        xil_predicted = [int(row["predicted"]) for row in csv.DictReader(rows)]
    agreeing = int((predicted == np.array(xil_predicted)).sum())
    if agreeing < len(images):
        raise SystemExit(f"the PyTorch network predicts {agreeing} of {len(images)} images as xil's does")
    times = {"kernel_shap": [], "lime": []}
    correlations = {"kernel_shap": [], "lime": []}
    for image, x in enumerate(images):
        c = int(predicted[image])

        def on_patches(masks):
            return logits(x[None, :] * masks[:, owner])[:, c]

        started = time.perf_counter()
        explainer = shap.KernelExplainer(on_patches, np.zeros((1, GRID * GRID)))
        values = explainer.shap_values(np.ones((1, GRID * GRID)), nsamples=args.shap_samples, l1_reg=False,
                                       silent=True)
        times["kernel_shap"].append(time.perf_counter() - started)
        correlations["kernel_shap"].append(correlation(np.asarray(values).reshape(-1), xil["kernel_shap"][image]))

        def classify(rgb):
            return logits(rgb[..., 0].reshape(len(rgb), -1))

        started = time.perf_counter()
        explanation = lime_image.LimeImageExplainer(random_state=image).explain_instance(
            x.reshape(SIDE, SIDE).astype(np.float64), classify, labels=(c,), top_labels=None, hide_color=0,
            num_features=GRID * GRID, num_samples=args.lime_samples,
            segmentation_fn=lambda _: owner.reshape(SIDE, SIDE), batch_size=args.lime_samples)
        times["lime"].append(time.perf_counter() - started)
        weights = np.zeros(GRID * GRID)
        for patch, weight in explanation.local_exp[c]:
            weights[patch] = weight
        correlations["lime"].append(correlation(weights, xil["lime"][image]))
    print(json.dumps({
        "images": len(images),
        "framework": f"torch {torch.__version__}, shap {shap.__version__}, lime {version('lime')}",
        "methods": {m: {"ms_per_explanation": 1000 * float(np.mean(times[m])),
                        "correlation_with_xil": float(np.nanmean(correlations[m]))} for m in times},
    }))


if __name__ == "__main__":
    main()
