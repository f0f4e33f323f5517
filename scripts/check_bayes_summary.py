#!/usr/bin/env python3
"""Checks a quick `reproduce bayes-feedback` (its summary line): a run on
MNIST and one on Fashion-MNIST (the first 8,000 training images each); in
each, the network trained on clean images for two epochs learns them (test
accuracy above 0.5), the no-feedback and feedback accuracies are
proportions, the four methods of seed 003's Table 2 have overlaps in [0, 1]
before, after and in the control (fine-tuned as long without the evidence),
the entropy on the other data set was measured, and 0.4 %
of the 7,200 training images (29) were annotated.

Usage: check_bayes_summary.py SUMMARY_LINE.json
"""
import json
import sys


def check(s, failed):
    print(f"{s['data']}: ", end="")
    print(f"accuracy NF {s['accuracy_nf']:.3f} -> F {s['accuracy_f']:.3f}, clean {s['clean_accuracy']:.3f}; "
          f"control {s['accuracy_control']:.3f}; overlap NF {s['overlap_nf']} -> F {s['overlap_f']}, "
          f"control {s['overlap_control']}")
    if not s["clean_accuracy"] > 0.5:
        failed.append(f"clean accuracy {s['clean_accuracy']:.3f}")
    for key in ("accuracy_nf", "accuracy_f", "accuracy_control"):
        if not 0.0 <= s[key] <= 1.0:
            failed.append(f"{key} {s[key]}")
    for key in ("overlap_nf", "overlap_f", "overlap_control"):
        if sorted(s[key]) != ["deeplift", "grad_cam", "occlusion", "saliency"]:
            failed.append(f"{key} methods {sorted(s[key])}")
        if not all(0.0 <= v <= 1.0 for v in s[key].values()):
            failed.append(f"{key} {s[key]}")
    if s["annotated"] != 29:
        failed.append(f"{s['annotated']} annotated, not 29")
    if s["entropy_ood_nf"] is None or s["entropy_ood_f"] is None:
        failed.append(f"{s['data']}: no entropy on the other data set")


def main(path):
    runs = json.load(open(path))["runs"]
    failed = []
    for run in runs:
        check(run, failed)
    if sorted(r["data"] for r in runs) != ["fashion", "mnist"]:
        failed.append(f"runs on {[r['data'] for r in runs]}")
    if failed:
        sys.exit("bayes-feedback check FAILED: " + "; ".join(failed))


if __name__ == "__main__":
    main(sys.argv[1])
