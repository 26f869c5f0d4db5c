"""Two-dimensional classes separated by curved boundaries: circles, moons, spirals.

The shapes match scikit-learn's ``make_circles`` / ``make_moons`` (and the two-spiral problem
of Lang & Witbrock), computed here with NumPy alone. ``noise`` is the standard deviation of
Gaussian noise added to each coordinate; with ``noise=0`` points lie exactly on the curves.
"""

import math

import numpy

from backproplab.data.labeled import LabeledDataset, classification
from backproplab.data.limits import check_class_count, check_noise, check_sample_count
from backproplab.data.sampling import class_sizes, generator_for, shuffled


def _finish(name, rng, parts, noise, n_classes) -> LabeledDataset:
    x = numpy.concatenate(parts)
    labels = numpy.concatenate([numpy.full(len(p), j) for j, p in enumerate(parts)])
    x, labels = shuffled(rng, x, labels)
    if noise > 0:
        x = x + noise * rng.normal(size=x.shape)
    return classification(name, x, labels, n_classes)


def _arc(count: int, start: float, stop: float, endpoint: bool) -> numpy.ndarray:
    angle = numpy.linspace(start, stop, count, endpoint=endpoint)
    return numpy.stack([numpy.cos(angle), numpy.sin(angle)], axis=1)


def make_circles(n: int = 200, noise: float = 0.05, seed=None,
                 factor: float = 0.5) -> LabeledDataset:
    """Class 0 on the unit circle, class 1 on a concentric circle of radius ``factor``."""
    n, noise = check_sample_count(n, minimum=2), check_noise(noise)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be between 0 and 1, got {factor}")
    outer, inner = class_sizes(n, 2)
    parts = [_arc(outer, 0, 2 * math.pi, False), factor * _arc(inner, 0, 2 * math.pi, False)]
    return _finish("circles", generator_for(seed), parts, noise, 2)


def make_moons(n: int = 200, noise: float = 0.1, seed=None) -> LabeledDataset:
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower one shifted."""
    n, noise = check_sample_count(n, minimum=2), check_noise(noise)
    upper, lower = class_sizes(n, 2)
    shift = numpy.array([1.0, 0.5])
    parts = [_arc(upper, 0, math.pi, True), shift - _arc(lower, 0, math.pi, True)]
    return _finish("moons", generator_for(seed), parts, noise, 2)


def make_spirals(n: int = 200, noise: float = 0.02, seed=None, classes: int = 2,
                 turns: float = 1.75) -> LabeledDataset:
    """``classes`` interleaved spiral arms, each turning ``turns`` times from radius 0.1 to 1.

    Arm j at parameter t in [0, 1] is at radius 0.1 + 0.9 t and angle
    2π (turns t + j / classes).
    """
    n, noise = check_sample_count(n, minimum=2), check_noise(noise)
    classes = check_class_count(classes)
    parts = []
    for j, count in enumerate(class_sizes(n, classes)):
        t = numpy.linspace(0.0, 1.0, count)
        radius = 0.1 + 0.9 * t
        angle = 2 * math.pi * (turns * t + j / classes)
        parts.append(radius[:, None] * numpy.stack([numpy.cos(angle), numpy.sin(angle)], 1))
    return _finish("spirals", generator_for(seed), parts, noise, classes)
