"""The networks of `xil-bench attributions` in PyTorch, layer for layer as
xil_core::nn::cnn::architectures and the decoy perceptron: imported by
scripts/cnn_torch.py and scripts/explainer_torch.py."""

from torch import nn


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def alex_cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Flatten(), nn.Linear(21632, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def mlp():
    return nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 30), nn.ReLU(), nn.Linear(30, 10))


NETWORKS = {"lenet": lenet, "alex-cnn": alex_cnn, "mlp": mlp}
