"""The textbook vanishing-gradient picture, ready to run: a deep sigmoid network next to a deep
ReLU network with He (Kaiming) initialisation, same data, same depth.

Each sigmoid layer multiplies the backward signal by σ' ≤ 0.25 times its weights, so the first
layer's gradient is orders of magnitude below the last's; ReLU's slope is 1 where active and
He init keeps the signal's size, so its layers' gradients stay comparable.
"""

import itertools

import numpy

from backproplab import nn
from backproplab.explain.gradient_health import GradientHealth, gradient_health
from backproplab.random import Generator


def deep_mlp(activation: str, depth: int, width: int, seed: int) -> nn.Sequential:
    gen = Generator(seed)
    layers = []
    sizes = [2] + [width] * (depth - 1) + [1]
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        lin = nn.Linear(a, b, dtype="float64", generator=gen)
        if activation == "relu":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu", generator=gen)
            nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(nn.get_activation(activation))
    return nn.Sequential(*layers)


def vanishing_gradient_demo(depth: int = 10, width: int = 16, samples: int = 32,
                            seed: int = 0) -> dict[str, GradientHealth]:
    """{"sigmoid": health, "relu": health} for the same inputs and targets."""
    rng = numpy.random.default_rng(seed)
    x = rng.uniform(-1, 1, (samples, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(numpy.float64)
    return {act: gradient_health(deep_mlp(act, depth, width, seed), x, y, nn.MSELoss())
            for act in ("sigmoid", "relu")}
