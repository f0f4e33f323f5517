"""Python's side of scripts/compare_python's LIME comparison.

Reads what `cargo run --example compare_lime` printed (a model, its training
rows and instances, xil's explanations), explains the same instances of the
same model with the `lime` package's LimeTabularExplainer (every column a
categorical feature, regression on the model's decision value, lime's default
kernel and ridge), one explanation at a time on one thread, in each
feature-selection mode, and prints one JSON object: per mode the milliseconds
of every explanation, the top-k overlap with xil's selection, and the overlap
of two lime runs with different seeds (how much lime agrees with itself).

Usage: python bench/compare/lime_explain.py XIL_JSON
"""
import json
import sys
import time
from importlib.metadata import version

import numpy as np
from lime.lime_tabular import LimeTabularExplainer


def decision_function(model):
    """The model's decision value for a batch of rows, as xil computes it."""
    weights = np.asarray(model["weights"], dtype=np.float64)
    bias = float(model["bias"])
    if model["kind"] == "pairs":
        first, second = (np.asarray(column) for column in zip(*model["pairs"]))
        return lambda rows: (np.asarray(rows)[:, first] == np.asarray(rows)[:, second]) @ weights + bias
    return lambda rows: np.asarray(rows) @ weights + bias


def overlap(a, b, k):
    return len(set(a) & set(b)) / k


def main():
    with open(sys.argv[1]) as source:
        ours = json.load(source)
    decision = decision_function(ours["model"])
    training = np.asarray(ours["training"], dtype=np.float64)
    instances = np.asarray(ours["instances"], dtype=np.float64)
    gap = np.max(np.abs(decision(instances) - np.asarray(ours["decisions"])))
    if gap > 1e-3:
        sys.exit(f"lime_explain: the model differs from xil's (decision values differ by {gap:.2g})")
    k, samples = ours["k"], ours["samples"]
    modes = {}
    for mode, xil in ours["modes"].items():
        explainers = [LimeTabularExplainer(
            training, mode="regression", categorical_features=list(range(training.shape[1])),
            discretize_continuous=False, feature_selection=mode, random_state=seed) for seed in (0, 1)]
        milliseconds, with_xil, with_itself = [], [], []
        for instance, selected in zip(instances, xil["selected"]):
            started = time.perf_counter()
            explanation = explainers[0].explain_instance(instance, decision, num_features=k, num_samples=samples)
            milliseconds.append((time.perf_counter() - started) * 1e3)
            chosen = [int(feature) for feature, _ in explanation.local_exp[0]]
            again = explainers[1].explain_instance(instance, decision, num_features=k, num_samples=samples)
            with_xil.append(overlap(chosen, selected, k))
            with_itself.append(overlap(chosen, [int(f) for f, _ in again.local_exp[0]], k))
        modes[mode] = {"milliseconds": milliseconds, "overlap_with_xil": with_xil, "overlap_with_itself": with_itself}
    print(json.dumps({"versions": {name: version(name) for name in ("lime", "numpy", "scikit-learn")},
                      "modes": modes}))


if __name__ == "__main__":
    main()
