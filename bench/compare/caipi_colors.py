"""Python's side of scripts/compare_python's CAIPI comparison: the colors
loop xil's `compare_caipi` example runs, written the way a careful
numpy / scikit-learn user would, on the same pool, one thread.

Per query: the decision values of the whole pool in one matrix product (the
pool's pair features computed once, before the clock starts), the unlabelled
image closest to the margin; LIME with 2,000 samples x 10 repeats (each
pixel kept with probability 1/2, else another colour; lime's kernel of width
0.75 sqrt(25) on the number of changed pixels; forward selection of k = 4 on
the weighted Gram matrix with ridge 0.01, a final ridge of 1 for the signs,
the most frequent (pixel, sign) pairs over the repeats); the simulated user
of rule 0 (the label, and when the prediction is right for the wrong reasons
the explained pixels outside the corners); every alternative colour of a
marked pixel that keeps the label as a counterexample; a cold refit of
scikit-learn's LinearSVC (L1 penalty, squared hinge, C = 1, tol 1e-4: the
liblinear solver xil reproduces; both stop at 1,000 passes, where liblinear
warns). Prints one JSON object: the milliseconds of every query, of its three
parts (query, explanation, refit) and the training set's size after it.

Usage: python bench/compare/caipi_colors.py XIL_JSON [QUERIES]
"""
import json
import sys
import time
import warnings
from collections import Counter
from importlib.metadata import version

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

PIXELS, COLOURS = 25, 4
CORNERS = [0, 4, 20, 24]
FIRST, SECOND = (np.array(side) for side in zip(*[(i, j) for i in range(PIXELS) for j in range(i + 1, PIXELS)]))
SAMPLES, REPEATS, K = 2000, 10, 4
KERNEL_WIDTH = 0.75 * np.sqrt(PIXELS)


def features(images):
    return (images[:, FIRST] == images[:, SECOND]).astype(np.float64)


def rule_zero(images):
    corners = images[..., CORNERS]
    return (corners == corners[..., :1]).all(-1)


def fit(images, labels):
    model = LinearSVC(penalty="l1", loss="squared_hinge", dual=False, C=1.0, tol=1e-4)
    model.fit(features(np.asarray(images)), np.asarray(labels))
    return model.coef_[0], model.intercept_[0]


def forward_selection(gram, target, k, alpha):
    chosen = []
    for _ in range(k):
        best, best_gain = None, -np.inf
        for c in range(PIXELS):
            if c in chosen:
                continue
            members = chosen + [c]
            g = gram[np.ix_(members, members)] + alpha * np.eye(len(members))
            gain = target[members] @ np.linalg.solve(g, target[members])
            if gain > best_gain:
                best, best_gain = c, gain
        chosen.append(best)
    return chosen


def lime(x, weights, bias, rng):
    votes = Counter()
    for _ in range(REPEATS):
        keep = rng.random((SAMPLES, PIXELS)) < 0.5
        keep[0] = True
        other = (x + rng.integers(1, COLOURS, (SAMPLES, PIXELS))) % COLOURS
        samples = np.where(keep, x, other)
        y = features(samples) @ weights + bias
        z = keep.astype(np.float64)
        w = np.sqrt(np.exp(-(PIXELS - z.sum(1)) / KERNEL_WIDTH**2))
        mean_z, mean_y = w @ z / w.sum(), w @ y / w.sum()
        centred = (z - mean_z) * np.sqrt(w)[:, None]
        gram, target = centred.T @ centred, centred.T @ ((y - mean_y) * np.sqrt(w))
        chosen = forward_selection(gram, target, K, 0.01)
        coefficients = np.linalg.solve(gram[np.ix_(chosen, chosen)] + np.eye(K), target[chosen])
        votes.update(zip(chosen, np.sign(coefficients)))
    return [pixel for (pixel, _), _ in votes.most_common(K)]


def main():
    with open(sys.argv[1]) as source:
        pool = np.asarray(json.load(source)["pool"], dtype=np.int8)
    queries = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    warnings.simplefilter("ignore", ConvergenceWarning)
    rng = np.random.default_rng(7)
    pair_features = features(pool)
    truth = rule_zero(pool)
    unlabelled = np.ones(len(pool), dtype=bool)
    images, labels = [], []
    for label in (False, True):
        for index in rng.choice(np.flatnonzero(truth == label), 3, replace=False):
            unlabelled[index] = False
            images.append(pool[index])
            labels.append(int(label))
    weights, bias = fit(images, labels)
    milliseconds, training, parts = [], [], {"query": [], "explanation": [], "refit": []}
    for _ in range(queries):
        started = time.perf_counter()
        margins = np.abs(pair_features @ weights + bias)
        margins[~unlabelled] = np.inf
        index = int(np.argmin(margins))
        x = pool[index]
        prediction = int(pair_features[index] @ weights + bias > 0)
        queried = time.perf_counter()
        explained = lime(x, weights, bias, rng)
        explained_at = time.perf_counter()
        label = int(truth[index])
        outside = [p for p in explained if p not in CORNERS]
        unlabelled[index] = False
        images.append(x)
        labels.append(label)
        if prediction == label and outside:
            for pixel in outside:
                for colour in range(COLOURS):
                    if colour != x[pixel]:
                        candidate = x.copy()
                        candidate[pixel] = colour
                        if int(rule_zero(candidate)) == label:
                            images.append(candidate)
                            labels.append(label)
        refit_at = time.perf_counter()
        weights, bias = fit(images, labels)
        finished = time.perf_counter()
        milliseconds.append((finished - started) * 1e3)
        parts["query"].append((queried - started) * 1e3)
        parts["explanation"].append((explained_at - queried) * 1e3)
        parts["refit"].append((finished - refit_at) * 1e3)
        training.append(len(images))
    print(json.dumps({"milliseconds": milliseconds, "training": training, "parts": parts,
                      "versions": {name: version(name) for name in ("numpy", "scikit-learn")}}))


if __name__ == "__main__":
    main()
