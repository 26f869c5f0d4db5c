"""All library randomness comes from one seeded ``numpy.random.Generator``.

``manual_seed(s)`` resets it, so a run (initial weights, shuffling, dropout, datasets without
their own seed) is reproducible; functions also accept an explicit ``generator``.
"""

import numpy

_generator = numpy.random.default_rng(0)


def manual_seed(seed: int) -> numpy.random.Generator:
    """Reseed the library's generator; returns it, as torch.manual_seed returns its generator."""
    global _generator
    _generator = numpy.random.default_rng(int(seed))
    return _generator


def default_generator() -> numpy.random.Generator:
    return _generator


def Generator(seed: int | None = None) -> numpy.random.Generator:
    """An independent generator, for callers that must not disturb the global sequence."""
    return numpy.random.default_rng(seed)


def _gen(generator):
    return _generator if generator is None else generator


def uniform_array(shape, low, high, dtype, generator=None) -> numpy.ndarray:
    return _gen(generator).uniform(low, high, size=shape).astype(dtype, copy=False)


def normal_array(shape, mean, std, dtype, generator=None) -> numpy.ndarray:
    return _gen(generator).normal(mean, std, size=shape).astype(dtype, copy=False)


def integer_array(shape, low, high, generator=None) -> numpy.ndarray:
    return _gen(generator).integers(low, high, size=shape, dtype=numpy.int64)


def permutation(n: int, generator=None) -> numpy.ndarray:
    return _gen(generator).permutation(n)
