"""Fold means of a `xil-bench caipi` run at chosen queries.

The summary gives the last query only; to see *when* a run stops making
counterexamples or its weights stop moving, read the curves it wrote.

    python3 scripts/caipi_trajectory.py RUN_DIR [RUN_DIR ...] [--at 1,5,10,20,40,60,80,100]

prints, for each run folder, one line per query in `--at` with the fold means
of the cumulative counterexamples, alpha0, alpha1, the residual and the
instant F1 (the F1 of that query's explanation against the rule).
"""
import argparse
import collections
import csv
import pathlib
import statistics
import sys

COLUMNS = ["counterexamples", "alpha0", "alpha1", "residual", "instant_f1"]


def fold_means(folder, queries):
    """{query: {column: mean over folds}} for the queries present in the run."""
    by_query = collections.defaultdict(list)
    for row in csv.DictReader(open(folder / "metrics.csv")):
        by_query[int(row["iteration"])].append(row)
    return {
        query: {column: statistics.fmean(float(row[column]) for row in by_query[query]) for column in COLUMNS}
        for query in queries
        if by_query[query]
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=pathlib.Path)
    parser.add_argument("--at", default="1,5,10,20,40,60,80,100")
    arguments = parser.parse_args()
    try:
        queries = [int(query) for query in arguments.at.split(",")]
    except ValueError:
        sys.exit(f"--at: expected comma-separated query numbers, got {arguments.at!r}")
    for folder in arguments.runs:
        if not (folder / "metrics.csv").is_file():
            sys.exit(f"{folder}: no metrics.csv (not a `xil-bench caipi` run folder)")
        print(folder)
        print("query " + " ".join(f"{column:>15}" for column in COLUMNS))
        for query, means in fold_means(folder, queries).items():
            print(f"{query:>5} " + " ".join(f"{means[column]:>15.3f}" for column in COLUMNS))


if __name__ == "__main__":
    main()
