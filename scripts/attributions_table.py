#!/usr/bin/env python3
"""The attribution table of docs/results/attributions.md from the summary.json
of `xil-bench attributions` runs: per run the data set, decoy, network, test
accuracy, and each method's decoy overlap and milliseconds per explanation.

Usage: attributions_table.py RUN_DIR [RUN_DIR ...]
"""
import json
import sys
from pathlib import Path

METHODS = ["saliency", "input_x_gradient", "grad_cam", "occlusion", "deeplift", "kernel_shap", "lime"]


def main(folders):
    print("| data | decoy | network | train acc. | decoyed test acc. | chance | "
          + " | ".join(METHODS) + " |")
    print("|---|---|---|---:|---:|---:|" + "---:|" * len(METHODS))
    times = []
    for folder in folders:
        summary = json.load(open(Path(folder) / "summary.json"))
        s = summary["settings"]
        cells = []
        for method in METHODS:
            value = summary["methods"][method]
            cells.append("n/a" if value is None else f"{value['overlap']:.3f}")
        print(f"| {s['data']} | {s['decoy']} | {s['model']} | {summary['train_accuracy']:.3f} | "
              f"{summary['test_accuracy']:.3f} | {summary['decoy_pixel_share']:.3f} | " + " | ".join(cells) + " |")
        times.append((s, summary))
    print()
    print("| data | network | " + " | ".join(f"{m} ms" for m in METHODS) + " |")
    print("|---|---|" + "---:|" * len(METHODS))
    seen = set()
    for s, summary in times:
        if (s["data"], s["model"]) in seen:
            continue
        seen.add((s["data"], s["model"]))
        cells = []
        for method in METHODS:
            value = summary["methods"][method]
            cells.append("n/a" if value is None else f"{value['ms_per_explanation']:.2f}")
        print(f"| {s['data']} | {s['model']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
