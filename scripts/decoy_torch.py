"""The decoy Fashion-MNIST protocol in PyTorch: the mainstream-framework
baseline that scripts/decoy_speed runs beside xil-bench on the same machine.

Same data, decoys, network (784-50-30-10 ReLU, raw 0-255 inputs, N(0, 0.1^2)
weights), Adam (lr 1e-3, batch 256), L2 1e-4 and summed cross-entropy; the
input-gradient penalty by autograd's double backpropagation. Its own random
numbers, so accuracies agree with xil's in distribution, not bit for bit.

Prints one JSON object: seconds per epoch (training only) and accuracies.
"""

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np
import torch


def read_idx(path):
    data = gzip.open(path).read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def patch_mask(corners):
    masks = np.zeros((len(corners), 28, 28), dtype=bool)
    for i, corner in enumerate(corners):
        r = 0 if corner & 2 == 0 else 24
        c = 0 if corner & 1 == 0 else 24
        masks[i, r : r + 4, c : c + 4] = True
    return masks.reshape(len(corners), 784)


def decoy(images, labels, honest, rng):
    images = images.reshape(len(images), 784).copy()
    corners = rng.integers(0, 4, len(images))
    classes = labels if honest else rng.integers(0, 10, len(images))
    masks = patch_mask(corners)
    images[masks] = np.repeat(255 - 25 * classes.astype(np.int64), 16)
    return images, masks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--setting", default="none", choices=["none", "ce1", "ce3", "ce5", "input-gradients"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    d = Path(args.data)
    train_x, train_m = decoy(read_idx(d / "train-images-idx3-ubyte.gz"), read_idx(d / "train-labels-idx1-ubyte.gz"), True, rng)
    train_y = read_idx(d / "train-labels-idx1-ubyte.gz").astype(np.int64)
    test_x, _ = decoy(read_idx(d / "t10k-images-idx3-ubyte.gz"), read_idx(d / "t10k-labels-idx1-ubyte.gz"), False, rng)
    test_y = read_idx(d / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    copies = {"ce1": 1, "ce3": 3, "ce5": 5}.get(args.setting, 0)
    xs, ys, ms = [train_x], [train_y], [train_m]
    for _ in range(copies):
        noisy = train_x.copy()
        noisy[train_m] = rng.integers(0, 256, int(train_m.sum()))
        xs.append(noisy), ys.append(train_y), ms.append(train_m)
    x = torch.tensor(np.concatenate(xs), dtype=torch.float32)
    y = torch.tensor(np.concatenate(ys))
    m = torch.tensor(np.concatenate(ms), dtype=torch.float32)
    sizes = [784, 50, 30, 10]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        params += [(0.1 * torch.randn(fan_out, fan_in)).requires_grad_(), (0.1 * torch.randn(fan_out)).requires_grad_()]

    def log_probs(inputs):
        h = inputs
        for i in range(0, 4, 2):
            h = torch.relu(h @ params[i].T + params[i + 1])
        return torch.log_softmax(h @ params[4].T + params[5], dim=1)

    optimiser = torch.optim.Adam(params, lr=1e-3)
    seconds = []
    for _ in range(args.epochs):
        started = time.perf_counter()
        order = torch.randperm(len(x))
        for start in range(0, len(x), 256):
            index = order[start : start + 256]
            inputs = x[index].requires_grad_(args.setting == "input-gradients")
            lp = log_probs(inputs)
            loss = torch.nn.functional.nll_loss(lp, y[index], reduction="sum")
            if args.setting == "input-gradients":
                (gradient,) = torch.autograd.grad(lp.sum(), inputs, create_graph=True)
                loss = loss + 1000.0 * ((m[index] * gradient) ** 2).sum()
            loss = loss + 1e-4 * sum((p**2).sum() for p in params)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        seconds.append(time.perf_counter() - started)

    with torch.no_grad():
        accuracy = lambda a, b: float((log_probs(a).argmax(1) == b).float().mean())
        train_accuracy = accuracy(torch.tensor(train_x, dtype=torch.float32), torch.tensor(train_y))
        test_accuracy = accuracy(torch.tensor(test_x, dtype=torch.float32), torch.tensor(test_y))
    print(
        json.dumps(
            {
                "framework": f"torch {torch.__version__}",
                "threads": torch.get_num_threads(),
                "setting": args.setting,
                "epochs": args.epochs,
                "seconds_per_epoch": sum(seconds) / len(seconds),
                "train_accuracy": train_accuracy,
                "test_accuracy": test_accuracy,
            }
        )
    )


if __name__ == "__main__":
    main()
