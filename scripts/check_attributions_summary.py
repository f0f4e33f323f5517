#!/usr/bin/env python3
"""Checks an attributions run's summary: every method's key is there with a
finite overlap in [0, 1] and a positive time (Grad-CAM null only for the MLP),
and the decoy fooled the network (test accuracy below 0.6, training accuracy
above it). With --min-overlap-ratio R, the methods that split the logit
among the pixels (input x gradient, DeepLIFT, occlusion, Kernel SHAP, LIME)
must put more than R times chance (the decoy's share of the pixels) on the
decoy.

Usage: check_attributions_summary.py SUMMARY.json [--min-overlap-ratio R]
"""
import json
import math
import sys

METHODS = ["saliency", "input_x_gradient", "grad_cam", "occlusion", "deeplift", "kernel_shap", "lime"]
SPLITTING = ["input_x_gradient", "occlusion", "deeplift", "kernel_shap", "lime"]


def main(path, ratio):
    summary = json.load(open(path))
    model = summary["settings"]["model"]
    chance = summary["decoy_pixel_share"]
    failures = []
    for method in METHODS:
        value = summary["methods"].get(method, "missing")
        if value is None:
            if not (method == "grad_cam" and model == "mlp"):
                failures.append(f"{method} is null for {model}")
            continue
        if value == "missing":
            failures.append(f"{method} is missing")
            continue
        overlap, ms = value["overlap"], value["ms_per_explanation"]
        print(f"{model} {method}: overlap {overlap:.3f} (chance {chance:.3f}), {ms:.2f} ms")
        if not (math.isfinite(overlap) and 0.0 <= overlap <= 1.0 and ms > 0.0):
            failures.append(f"{method}: overlap {overlap}, {ms} ms")
        if ratio is not None and method in SPLITTING and overlap <= ratio * chance:
            failures.append(f"{method}: overlap {overlap:.3f} is not above {ratio} x chance {chance:.3f}")
    test, train = summary["test_accuracy"], summary["train_accuracy"]
    print(f"{model}: train accuracy {train:.3f}, decoyed test accuracy {test:.3f}")
    if not test < 0.6 < train:
        failures.append(f"the decoy did not fool the network (train {train:.3f}, test {test:.3f})")
    if failures:
        sys.exit("attributions check FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    args = sys.argv[1:]
    ratio = None
    if "--min-overlap-ratio" in args:
        at = args.index("--min-overlap-ratio")
        ratio = float(args[at + 1])
        del args[at:at + 2]
    main(args[0], ratio)
