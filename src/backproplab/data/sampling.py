"""How dataset generators draw: a seed becomes a generator, classes get equal shares.

``seed=None`` draws from the library generator (reset by ``bp.manual_seed``), an int makes a
private generator, and a ``numpy.random.Generator`` is used as given; so every dataset is
reproducible and no code here touches NumPy's global random state.
"""

import numpy

from backproplab import random as _random


def generator_for(seed) -> numpy.random.Generator:
    if seed is None:
        return _random.default_generator()
    if isinstance(seed, numpy.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | numpy.integer):
        raise TypeError(f"seed must be an int, a numpy.random.Generator or None, got {seed!r}")
    return numpy.random.default_rng(int(seed))


def class_sizes(n: int, k: int) -> list[int]:
    """Split ``n`` rows over ``k`` classes as evenly as possible (earlier classes get the rest)."""
    return [n // k + (1 if j < n % k else 0) for j in range(k)]


def shuffled(rng: numpy.random.Generator, *arrays: numpy.ndarray) -> tuple[numpy.ndarray, ...]:
    """The same random row order applied to every array, so classes are interleaved."""
    order = rng.permutation(len(arrays[0]))
    return tuple(a[order] for a in arrays)
