#!/usr/bin/env python3
"""Checks a quick `reproduce explanation-retrieval` run: both data sets and
all four strategies are there, every curve has the seed set plus one value
per round, the chosen budget is the same for every strategy of a data set,
and every strategy's last macro-F1 beats a classifier that always says one
class (0.5 of the classes' F1 at most: 0.5 for the e-mails, 0.1 for MNIST).

Usage: check_retrieval_summary.py SUMMARY_LINE.json
"""
import json
import sys

CHANCE = {"spam": 0.5, "mnist": 0.1}


def main(path):
    runs = json.load(open(path))["runs"]
    failed = []
    for run in runs:
        f1 = run["f1_macro"]
        print(f"{run['data']} {run['strategy']}: macro-F1 {f1[0]:.3f} -> {f1[-1]:.3f} "
              f"± {run['f1_macro_ci95'][-1]:.3f} (budget {run['budget']}), {run['seconds_per_step']:.2f} s per round")
        if not f1[-1] > CHANCE[run["data"]]:
            failed.append(f"{run['data']} {run['strategy']}: {f1[-1]:.3f}")
        if len(f1) != 4:
            failed.append(f"{run['data']} {run['strategy']}: {len(f1)} values, not 4")
    cells = {(r["data"], r["strategy"]) for r in runs}
    if len(cells) != 8:
        failed.append(f"{len(cells)} data set and strategy pairs, not 8")
    for data in CHANCE:
        if len({r["budget"] for r in runs if r["data"] == data}) != 1:
            failed.append(f"{data}: strategies ran with different budgets")
    if failed:
        sys.exit("reproduce explanation-retrieval check FAILED: " + "; ".join(failed))


if __name__ == "__main__":
    main(sys.argv[1])
