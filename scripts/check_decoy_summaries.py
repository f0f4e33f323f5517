#!/usr/bin/env python3
"""Checks a decoy Fashion-MNIST reproduction: every counterexample setting must
beat no correction on decoy test accuracy, and the uncorrected network's
explanations must lean on the decoy more than those of the network corrected
with five counterexamples per image.

Usage: check_decoy_summaries.py DIR (the --out folder of reproduce decoy-fashion)
"""
import json
import sys
from pathlib import Path


def main(folder):
    runs = {s: json.load(open(Path(folder) / s / "summary.json")) for s in ["none", "ce1", "ce3", "ce5"]}
    none = runs["none"]
    failed = False
    for setting in ["ce1", "ce3", "ce5"]:
        ok = runs[setting]["test_accuracy"] > none["test_accuracy"]
        failed |= not ok
        print(f"{setting}: test accuracy {runs[setting]['test_accuracy']:.3f} vs none {none['test_accuracy']:.3f}: "
              f"{'ok' if ok else 'FAILED'}")
    ok = none["decoy_gradient_share"] > runs["ce5"]["decoy_gradient_share"]
    failed |= not ok
    print(f"decoy share of explanations: none {none['decoy_gradient_share']:.3f} vs ce5 "
          f"{runs['ce5']['decoy_gradient_share']:.3f}: {'ok' if ok else 'FAILED'}")
    if failed:
        sys.exit("counterexamples did not beat no correction on decoy Fashion-MNIST")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
