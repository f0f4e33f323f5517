"""Mean and standard deviation over folds at the last query, per run folder.

Reports give fold means; this gives the spread behind them, from the same
`metrics.csv` files (any protocol whose rows have `fold` and a step column).

    python3 scripts/fold_spread.py COLUMN[,COLUMN...] RUN_DIR [RUN_DIR ...]

prints one line per run folder: each column's mean ± standard deviation over
the folds' last rows.
"""
import pathlib
import statistics
import sys

from margin import last_query_per_fold


def main(arguments):
    if len(arguments) < 2:
        sys.exit(__doc__)
    columns = arguments[0].split(",")
    for folder in map(pathlib.Path, arguments[1:]):
        if not (folder / "metrics.csv").is_file():
            sys.exit(f"{folder}: no metrics.csv")
        rows = last_query_per_fold(folder)
        missing = [column for column in columns if column not in rows[0]]
        if missing:
            sys.exit(f"{folder}/metrics.csv: no column {', '.join(missing)} (it has {', '.join(rows[0])})")
        cells = []
        for column in columns:
            values = [float(row[column]) for row in rows]
            spread = statistics.stdev(values) if len(values) > 1 else float("nan")
            cells.append(f"{column} {statistics.fmean(values):.3f} ± {spread:.3f}")
        print(f"{folder}: " + ", ".join(cells) + f" ({len(rows)} folds)")


if __name__ == "__main__":
    main(sys.argv[1:])
