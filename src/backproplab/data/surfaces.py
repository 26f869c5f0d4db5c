"""Two-dimensional regression surfaces, as TensorFlow Playground's: a tilted plane and a
gaussian bump, y = f(x₁, x₂) + noise with x uniform on [-1, 1]².

A plane is what a network without hidden layers fits exactly; the bump needs hidden units
(or the squared features), which makes the pair a first regression lesson in two dimensions.
"""

import numpy

from backproplab.data.labeled import LabeledDataset, regression
from backproplab.data.limits import check_noise, check_sample_count
from backproplab.data.sampling import generator_for


def _surface(name, f, n, noise, seed) -> LabeledDataset:
    n, noise = check_sample_count(n), check_noise(noise)
    rng = generator_for(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = f(x[:, 0], x[:, 1])
    if noise > 0:
        y = y + noise * rng.normal(size=n)
    return regression(name, x, y)


def make_plane(n: int = 200, noise: float = 0.0, seed=None,
               slope=(0.5, 0.5)) -> LabeledDataset:
    """y = slope[0]·x₁ + slope[1]·x₂."""
    a, b = (float(s) for s in slope)
    return _surface("plane", lambda x1, x2: a * x1 + b * x2, n, noise, seed)


def make_bump(n: int = 200, noise: float = 0.0, seed=None, width: float = 0.4) -> LabeledDataset:
    """y = exp(−(x₁² + x₂²) / (2·width²)): 1 at the centre, near 0 at the corners."""
    width = float(width)
    if not width > 0:
        raise ValueError(f"width must be positive, got {width}")
    return _surface("bump", lambda x1, x2: numpy.exp(-(x1 * x1 + x2 * x2) / (2 * width * width)),
                    n, noise, seed)
