"""Gaussian blobs: ``classes`` round clusters whose centres sit evenly on a circle.

``noise`` is each cluster's standard deviation, so it sets how much the classes overlap.
"""

import math

import numpy

from backproplab.data.labeled import LabeledDataset, classification
from backproplab.data.limits import check_class_count, check_noise, check_sample_count
from backproplab.data.sampling import class_sizes, generator_for, shuffled


def blob_centres(classes: int, radius: float) -> numpy.ndarray:
    angle = 2 * math.pi * numpy.arange(classes) / classes + math.pi / 2
    return radius * numpy.stack([numpy.cos(angle), numpy.sin(angle)], axis=1)


def make_gaussians(n: int = 300, noise: float = 0.5, seed=None, classes: int = 3,
                   radius: float = 2.0) -> LabeledDataset:
    n, noise = check_sample_count(n, minimum=2), check_noise(noise)
    classes = check_class_count(classes)
    rng = generator_for(seed)
    labels = numpy.concatenate([numpy.full(count, j)
                                for j, count in enumerate(class_sizes(n, classes))])
    labels = shuffled(rng, labels)[0]
    x = blob_centres(classes, radius)[labels] + noise * rng.normal(size=(n, 2))
    return classification("gaussians", x, labels, classes)
