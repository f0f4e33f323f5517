"""The margin the check_* scripts demand between two arms of a quick run.

A check that only asks "with corrections > without" passes for a broken
implementation about half the time. These helpers make a check ask for a
difference larger than the runs' own spread, so that an arm that does
nothing (the same distribution as the other) fails with a stated chance.
"""
import csv
import statistics


def spread_margin(better, worse, z=2.0):
    """z standard errors of the difference of two means (Welch's, from the
    runs' sample variances; folds or seeds as the runs)."""
    variance = statistics.variance(better) / len(better) + statistics.variance(worse) / len(worse)
    return z * variance ** 0.5


def report(name, better, worse, margin):
    """Prints one line and says whether mean(better) - mean(worse) > margin."""
    difference = statistics.fmean(better) - statistics.fmean(worse)
    ok = difference > margin
    print(f"{name}: {statistics.fmean(better):.3f} vs {statistics.fmean(worse):.3f}, difference "
          f"{difference:+.3f}, margin {margin:.3f}: {'ok' if ok else 'FAILED'}")
    return ok


def last_query_per_fold(folder):
    """The last row of each fold in `folder/metrics.csv`."""
    last = {}
    for row in csv.DictReader(open(folder / "metrics.csv")):
        last[row["fold"]] = row
    return list(last.values())
