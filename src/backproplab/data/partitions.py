"""Uniform points in [-1, 1]² labelled by straight cuts: one line, or a checkerboard.

Labels come from the clean positions; ``noise`` then jitters the points, so with noise some
points cross the boundary and the problem stops being perfectly separable.
"""

import math

import numpy

from backproplab.data.labeled import LabeledDataset, classification
from backproplab.data.limits import check_noise, check_sample_count
from backproplab.data.sampling import generator_for


def make_linear(n: int = 200, noise: float = 0.0, seed=None,
                margin: float = 0.1) -> LabeledDataset:
    """Two classes on either side of a random line, at least ``margin`` away from it."""
    n, noise = check_sample_count(n), check_noise(noise)
    rng = generator_for(seed)
    angle = rng.uniform(0, 2 * math.pi)
    normal = numpy.array([math.cos(angle), math.sin(angle)])
    offset = rng.uniform(-0.3, 0.3)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    labels = (x @ normal + offset > 0).astype(numpy.int64)
    x = x + (2 * labels - 1)[:, None] * margin * normal  # push each side away from the line
    if noise > 0:
        x = x + noise * rng.normal(size=x.shape)
    return classification("linear", x, labels, 2)


def make_checkerboard(n: int = 400, noise: float = 0.0, seed=None,
                      cells: int = 4) -> LabeledDataset:
    """A ``cells`` × ``cells`` board of alternating classes (cells=2 is XOR by quadrant)."""
    n, noise = check_sample_count(n), check_noise(noise)
    if isinstance(cells, bool) or not isinstance(cells, int) or not 2 <= cells <= 64:
        raise ValueError(f"cells must be an integer between 2 and 64, got {cells!r}")
    rng = generator_for(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    cell = numpy.minimum(((x + 1.0) / 2.0 * cells).astype(numpy.int64), cells - 1)
    labels = (cell[:, 0] + cell[:, 1]) % 2
    if noise > 0:
        x = x + noise * rng.normal(size=x.shape)
    return classification("checkerboard", x, labels, 2)
