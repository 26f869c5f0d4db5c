"""The 8-3-8 encoder problem (Rumelhart, Hinton & Williams, 1986).

Eight one-hot inputs must be reproduced at the output through a 3-unit hidden layer, so the
network has to invent a binary-like code: the classic demonstration that backpropagation
learns useful hidden representations.
"""

import numpy

from backproplab.data.labeled import LabeledDataset, autoencoder
from backproplab.data.limits import check_noise, check_sample_count
from backproplab.data.sampling import generator_for


def make_encoder(n: int | None = None, noise: float = 0.0, seed=None,
                 bits: int = 8) -> LabeledDataset:
    """The ``bits`` one-hot vectors as both inputs and targets.

    ``n`` repeats the patterns cyclically to ``n`` rows; ``noise`` perturbs the inputs only,
    turning it into a denoising problem whose targets stay the clean one-hots.
    """
    if isinstance(bits, bool) or not isinstance(bits, int) or not 2 <= bits <= 64:
        raise ValueError(f"bits must be an integer between 2 and 64, got {bits!r}")
    noise = check_noise(noise)
    rows = numpy.arange(bits if n is None else check_sample_count(n)) % bits
    targets = numpy.eye(bits)[rows]
    inputs = targets
    if noise > 0:
        inputs = targets + noise * generator_for(seed).normal(size=targets.shape)
    return autoencoder("encoder", inputs, targets)
