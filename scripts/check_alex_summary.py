#!/usr/bin/env python3
"""Checks a quick `reproduce alex` run: every data set, strategy and q is
there, and every network does better than chance (0.1) on its test images
after the last step — all the five strategies must label something useful.

Usage: check_alex_summary.py SUMMARY_LINE.json
"""
import json
import sys


def main(path):
    runs = json.load(open(path))["runs"]
    failed = []
    for run in runs:
        print(f"{run['data']} q={run['q']} {run['strategy']}: accuracy {run['accuracy']:.3f} "
              f"± {run['accuracy_ci95']:.3f}, {run['seconds_per_step']:.1f} s per step")
        if not run["accuracy"] > 0.1:
            failed.append(f"{run['data']} {run['strategy']}: {run['accuracy']:.3f}")
    cells = {(r["data"], r["strategy"]) for r in runs}
    if len(cells) != 10:
        failed.append(f"{len(cells)} data set and strategy pairs, not 10")
    if failed:
        sys.exit("reproduce alex check FAILED: " + "; ".join(failed))


if __name__ == "__main__":
    main(sys.argv[1])
