#!/usr/bin/env python3
"""Checks a CAIPI colors reproduction's summary.json: with the L1 SVM and the
paper's semantics, corrections toward rule 0 must raise the running
explanation F1 and alpha0 over the run without corrections.

Usage: check_caipi_summary.py DIR/summary.json
"""
import json
import sys


def main(path):
    runs = json.load(open(path))
    by_name = {(r["semantics"], r["name"]): r for r in runs}
    with_corrections = by_name[("paper", "l1-svm-rule0-corrections")]
    without = by_name[("paper", "l1-svm-rule0-no-corrections")]
    checks = {
        "running_f1": with_corrections["running_f1"] > without["running_f1"],
        "alpha0": with_corrections["alpha0"] > without["alpha0"],
    }
    for key, ok in checks.items():
        print(f"{key}: with corrections {with_corrections[key]:.3f}, without {without[key]:.3f}: {'ok' if ok else 'FAILED'}")
    if not all(checks.values()):
        sys.exit("corrections toward rule 0 did not raise running F1 and alpha0")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
