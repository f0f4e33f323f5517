"""Writes the table of scripts/compare_python from the JSON files both sides
printed: per task, sample size and feature-selection mode, the medians of
the milliseconds per explanation (both rounds pooled) with their quartiles,
the ratio, and how often the top-k components agree (xil with lime, lime
with itself, xil with itself: two explanations of each instance with
different random draws).

The second table is the whole CAIPI iteration: the medians over queries 31
to 50 of both rounds, the Python side's split into its three parts, and the
training set's size at query 41 on each side (the two loops draw their own
random numbers, so their training sets differ a little).

Usage: python3 bench/compare/speed_table.py RESULTS_DIR INSTANCES SETTINGS...
(each setting TASK:SAMPLES; files xil-TASK-SAMPLES-ROUND.json and
python-TASK-SAMPLES-ROUND.json, rounds 1 and 2; xil-caipi-ROUND.json and
python-caipi-ROUND.json).
"""
import json
import platform
import statistics
import sys
from pathlib import Path


def quartiles(values):
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return median, q1, q3


def mean_overlap(pairs, k):
    return statistics.mean(len(set(a) & set(b)) / k for a, b in pairs)


def main():
    results, instances, settings = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.machine())
    rows, versions = [], {}
    for setting in settings:
        task, samples = setting.split(":")
        ours = [json.load(open(results / f"xil-{task}-{samples}-{r}.json")) for r in (1, 2)]
        theirs = [json.load(open(results / f"python-{task}-{samples}-{r}.json")) for r in (1, 2)]
        versions = theirs[0]["versions"]
        k = ours[0]["k"]
        for mode in ours[0]["modes"]:
            xil_ms = [ms for run in ours for ms in run["modes"][mode]["milliseconds"]]
            lime_ms = [ms for run in theirs for ms in run["modes"][mode]["milliseconds"]]
            x, l = quartiles(xil_ms), quartiles(lime_ms)
            first = ours[0]["modes"][mode]
            with_xil = statistics.mean(v for run in theirs for v in run["modes"][mode]["overlap_with_xil"])
            lime_self = statistics.mean(v for run in theirs for v in run["modes"][mode]["overlap_with_itself"])
            xil_self = mean_overlap(zip(first["selected"], first["again"]), k)
            ratio = l[0] / x[0]
            rows.append(f"| {task} | {int(samples):,} | {mode.replace('_', ' ')} | {x[0]:.3f} ({x[1]:.3f}–{x[2]:.3f}) | "
                        f"{l[0]:.1f} ({l[1]:.1f}–{l[2]:.1f}) | {ratio:,.0f}x | {'met' if ratio >= 30 else '**missed**'} | "
                        f"{with_xil:.2f} | {lime_self:.2f} | {xil_self:.2f} |")
    lines = [
        "# Speed beside the Python tools",
        "",
        "## One LIME explanation, xil vs `lime`",
        "",
        f"Written by `scripts/compare_python {instances}` on {cpu}. Whole explanations, timed one at a time on one",
        "thread on each side (Python: `OMP_NUM_THREADS=1` and the other BLAS thread limits), the two sides run",
        "interleaved (xil, lime, xil, lime): each cell pools both rounds, median (quartiles) over "
        f"{2 * instances} explanations.",
        f"Python: lime {versions.get('lime')}, numpy {versions.get('numpy')}, scikit-learn {versions.get('scikit-learn')}"
        " (`bench/compare/requirements.txt`), `LimeTabularExplainer` with every column categorical, regression on",
        "the model's decision value, its default kernel; xil: `Lime` with the same samples, kernel width and ridge",
        "penalties, keeping each component with the probability lime's categorical sampler keeps it (1/4 for the",
        "colors pixels, whose four colours are equally frequent; 1/2 for the binary features). Same model, same",
        "instances (the Python side checks the decision values), k = 4.",
        "",
        "| task | samples | feature selection | xil ms | lime ms | lime / xil | goal 30x | top-4 overlap xil–lime |"
        " lime–lime | xil–xil |",
        "|---|---:|---|---:|---:|---:|---|---:|---:|---:|",
        *rows,
        "",
        "Tasks (`bench/examples/compare_lime.rs`): **colors**, CAIPI's model, an L1 SVM (C = 0.1, 500 images, rule 0)",
        "on the 300 same-colour pair features of the 5 x 5 images (9 non-zero weights); **binary100**, 100 binary",
        "features and a linear score with ten non-zero weights (0.5 to 1.5 in size). The overlaps are the share of",
        "the four selected components two explanations have in common, averaged over the instances; the last two",
        "columns compare two runs of the same tool with different random draws, so they say how far agreement can",
        "go at that sample size (chance: 4/25 = 0.16 on colors, 0.04 on binary100).",
    ]
    caipi_xil = [json.load(open(results / f"xil-caipi-{r}.json")) for r in (1, 2)]
    caipi_python = [json.load(open(results / f"python-caipi-{r}.json")) for r in (1, 2)]
    late = slice(30, 50)
    x = quartiles([ms for run in caipi_xil for ms in run["milliseconds"][late]])
    p = quartiles([ms for run in caipi_python for ms in run["milliseconds"][late]])
    part = {name: statistics.median(ms for run in caipi_python for ms in run["parts"][name][late])
            for name in ("query", "explanation", "refit")}
    ratio = p[0] / x[0]
    lines += [
        "",
        "## One CAIPI iteration, xil vs numpy and scikit-learn",
        "",
        "The colors loop as the experiments run it (pool 36,000, closest to the margin, LIME with 2,000 samples x 10",
        "repeats and k = 4, the simulated user of rule 0 with corrections, every alternative colour of a marked pixel",
        "as a counterexample, a cold refit of the L1 SVM as liblinear solves it), 50 queries from 3 labels per class,",
        "each query timed whole; xil: `bench/examples/compare_caipi.rs`; Python: `bench/compare/caipi_colors.py`,",
        "numpy and scikit-learn's LinearSVC, the pool's pair features computed once before the clock, LIME's forward",
        "selection on the weighted Gram matrix. Medians (quartiles) over queries 31–50 of both rounds.",
        "",
        "| xil ms / query | Python ms / query | Python / xil | goal 20x | Python's parts: query / explanation / refit ms |"
        " training set at query 41, xil / Python |",
        "|---:|---:|---:|---|---|---:|",
        f"| {x[0]:.1f} ({x[1]:.1f}–{x[2]:.1f}) | {p[0]:.1f} ({p[1]:.1f}–{p[2]:.1f}) | {ratio:.1f}x | "
        f"{'met' if ratio >= 20 else '**missed**'} | {part['query']:.1f} / {part['explanation']:.1f} / {part['refit']:.1f} | "
        f"{caipi_xil[0]['training'][40]} / {caipi_python[0]['training'][40]} |",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
