"""All library randomness comes from seeded generators: one global, or one of your own.

``manual_seed(s)`` reseeds the global one, so a run (initial weights, shuffling, dropout,
datasets without their own seed) is reproducible. ``Generator`` is PyTorch's
``torch.Generator`` (``Generator().manual_seed(1)``, ``generator=`` on randn, rand, randint,
multinomial, init functions) and is also a ``numpy.random.Generator``, so code that draws
with NumPy's methods accepts it. Numbers are drawn on the host and moved to the tensor's
device, so a seed gives the same numbers on every device.
"""

import numpy

from backproplab import backend


class Generator(numpy.random.Generator):
    """A seedable stream of random numbers (PCG64, as ``numpy.random.default_rng``).

    ``Generator()`` starts from the default seed 67280421310721 (PyTorch's), ``Generator(5)``
    from seed 5 (a backproplab shorthand for ``Generator().manual_seed(5)``).
    ``device`` is accepted for PyTorch code; drawing always happens on the host.
    """

    _DEFAULT_SEED = 67280421310721

    def __init__(self, seed=None, *, device="cpu"):
        if isinstance(seed, str):  # Generator("cpu"), Generator(device="cuda") in PyTorch code
            seed, device = None, seed
        from backproplab import devices as _device

        _device.device(device)
        self._seed = self._DEFAULT_SEED if seed is None else int(seed)
        super().__init__(numpy.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> "Generator":
        """Restart the stream from ``seed``; returns the generator, as in PyTorch."""
        self._seed = int(seed)
        self.bit_generator.state = numpy.random.PCG64(self._seed).state
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        new = int(numpy.random.SeedSequence().entropy % (2**63))
        self.manual_seed(new)
        return new

    def get_state(self) -> dict:
        return self.bit_generator.state

    def set_state(self, state: dict) -> "Generator":
        self.bit_generator.state = state
        return self


_generator = Generator(0)


def manual_seed(seed: int) -> Generator:
    """Reseed the library's generator; returns it, as torch.manual_seed returns its generator."""
    return _generator.manual_seed(seed)


def initial_seed() -> int:
    return _generator.initial_seed()


def default_generator() -> Generator:
    return _generator


def _gen(generator):
    return _generator if generator is None else generator


def _placed(arr, kind):
    return arr if kind is None else backend.to_device_type(arr, kind)


def uniform_array(shape, low, high, dtype, generator=None, kind=None):
    """Uniform numbers in [low, high) as ``dtype``, on device ``kind`` (None: the host)."""
    return _placed(_gen(generator).uniform(low, high, size=shape).astype(dtype, copy=False), kind)


def normal_array(shape, mean, std, dtype, generator=None, kind=None):
    return _placed(_gen(generator).normal(mean, std, size=shape).astype(dtype, copy=False), kind)


def integer_array(shape, low, high, generator=None, kind=None):
    return _placed(_gen(generator).integers(low, high, size=shape, dtype=numpy.int64), kind)


def permutation(n: int, generator=None, kind=None):
    return _placed(_gen(generator).permutation(n), kind)


def choice_rows(probs, num_samples: int, replacement: bool, generator=None):
    """For each row of ``probs`` (a host array of non-negative weights), ``num_samples`` column
    indices drawn in proportion to the weights, with or without replacement."""
    rng = _gen(generator)
    out = numpy.empty((probs.shape[0], num_samples), dtype=numpy.int64)
    for r, row in enumerate(probs.astype(numpy.float64)):
        out[r] = rng.choice(row.size, size=num_samples, replace=replacement, p=row / row.sum())
    return out
