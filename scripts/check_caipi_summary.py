#!/usr/bin/env python3
"""Checks a CAIPI colors reproduction: with the L1 SVM and the paper's
semantics, corrections toward rule 0 must raise the running explanation F1
and alpha0 at the last query over the run without corrections, by more than
two standard errors of the difference over the folds (Welch; see margin.py),
so that corrections without effect fail.

Usage: check_caipi_summary.py DIR/summary.json
"""
import sys
from pathlib import Path

from margin import last_query_per_fold, report, spread_margin


def main(path):
    root = Path(path).parent / "paper"
    with_corrections = last_query_per_fold(root / "l1-svm-rule0-corrections")
    without = last_query_per_fold(root / "l1-svm-rule0-no-corrections")
    if len(with_corrections) < 2 or len(with_corrections) != len(without):
        sys.exit(f"need the same two or more folds in both runs, found {len(with_corrections)} and {len(without)}")
    ok = True
    for key in ("running_f1", "alpha0"):
        better = [float(r[key]) for r in with_corrections]
        worse = [float(r[key]) for r in without]
        ok &= report(f"{key}, with vs without corrections", better, worse, spread_margin(better, worse))
    if not ok:
        sys.exit("corrections toward rule 0 did not raise running F1 and alpha0 beyond the folds' spread")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
