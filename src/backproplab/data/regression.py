"""One-dimensional regression curves: y = f(x) + noise, with x uniform on ``x_range``.

Small enough to plot the fitted function against the data, which is how curve fitting with
a one-hidden-layer network is usually taught.
"""

import math

import numpy

from backproplab.data.labeled import LabeledDataset, regression
from backproplab.data.limits import check_noise, check_sample_count
from backproplab.data.sampling import generator_for


def _curve(name, f, n, noise, seed, x_range) -> LabeledDataset:
    n, noise = check_sample_count(n), check_noise(noise)
    low, high = (float(v) for v in x_range)
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}")
    rng = generator_for(seed)
    x = rng.uniform(low, high, size=n)
    y = f(x)
    if noise > 0:
        y = y + noise * rng.normal(size=n)
    return regression(name, x, y, feature_names=("x",))


def make_sine(n: int = 100, noise: float = 0.1, seed=None, frequency: float = 1.0,
              x_range=(-math.pi, math.pi)) -> LabeledDataset:
    """y = sin(frequency · x)."""
    return _curve("sine", lambda x: numpy.sin(frequency * x), n, noise, seed, x_range)


def make_polynomial(n: int = 100, noise: float = 0.1, seed=None,
                    coefficients=(0.0, -1.0, 0.0, 1.0), x_range=(-1.5, 1.5)) -> LabeledDataset:
    """y = Σ coefficients[i] · xⁱ (lowest degree first; the default is x³ − x)."""
    coefficients = numpy.asarray(coefficients, dtype=numpy.float64)
    if coefficients.ndim != 1 or coefficients.size == 0:
        raise ValueError("coefficients must be a non-empty sequence of numbers")
    f = lambda x: numpy.polynomial.polynomial.polyval(x, coefficients)  # noqa: E731
    return _curve("polynomial", f, n, noise, seed, x_range)
