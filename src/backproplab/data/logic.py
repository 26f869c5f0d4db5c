"""Boolean truth tables: XOR, AND, OR on the corners of the unit square.

By default the exact four rows of the table (XOR is the classic problem a single-layer
perceptron cannot solve). With ``n`` the corners become noisy clouds of ``n`` points, equally
many per corner, which shows how a learned boundary generalises.
"""

import numpy

from backproplab.data.labeled import LabeledDataset, classification
from backproplab.data.limits import check_noise, check_sample_count
from backproplab.data.sampling import generator_for

_CORNERS = numpy.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_TABLES = {
    "xor": numpy.array([0, 1, 1, 0]),
    "and": numpy.array([0, 0, 0, 1]),
    "or": numpy.array([0, 1, 1, 1]),
}


def _truth_table(name: str, n, noise, seed) -> LabeledDataset:
    noise = check_noise(noise)
    rng = generator_for(seed)
    if n is None:
        corner = numpy.arange(4)
    else:
        corner = rng.permutation(numpy.arange(check_sample_count(n)) % 4)
    x = _CORNERS[corner]
    if noise > 0:
        x = x + noise * rng.normal(size=x.shape)
    return classification(name, x, _TABLES[name][corner], 2, target_name=name)


def make_xor(n: int | None = None, noise: float = 0.0, seed=None) -> LabeledDataset:
    """XOR: 1 where exactly one input is 1."""
    return _truth_table("xor", n, noise, seed)


def make_and(n: int | None = None, noise: float = 0.0, seed=None) -> LabeledDataset:
    """AND: 1 only where both inputs are 1 (linearly separable)."""
    return _truth_table("and", n, noise, seed)


def make_or(n: int | None = None, noise: float = 0.0, seed=None) -> LabeledDataset:
    """OR: 1 where any input is 1 (linearly separable)."""
    return _truth_table("or", n, noise, seed)
