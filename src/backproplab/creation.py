"""Functions that make new tensors: tensor, zeros, ones, full, arange, linspace, eye, rand…

Floating-point results are float32 unless a dtype is given (as in PyTorch); random ones draw
from the library's seeded generator.
"""

import numpy

from backproplab import dtypes
from backproplab import random as _random
from backproplab.tensor import Tensor


def _sizes(size) -> tuple:
    if len(size) == 1 and not isinstance(size[0], int):
        return tuple(int(s) for s in size[0])
    return tuple(int(s) for s in size)


def _float_dtype(dtype):
    return dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)


def _new(arr, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists or an array)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(data, dtype=None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtypes.as_dtype(dtype)):
        return data
    return Tensor(data, dtype=dtype)


def from_numpy(array: numpy.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` and keeping its dtype."""
    if not isinstance(array, numpy.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    return Tensor._make(array, False, None)


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.zeros(_sizes(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.ones(_sizes(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = dtypes.infer_dtype(numpy.asarray(fill_value))
    return _new(numpy.full(_sizes((size,)), fill_value, dtype=dtypes.as_dtype(dtype)),
                requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.zeros(t.shape, dtype=t.dtype if dtype is None else dtype), requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.ones(t.shape, dtype=t.dtype if dtype is None else dtype), requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.full(t.shape, fill_value, dtype=t.dtype if dtype is None else dtype),
                requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    arr = numpy.arange(start, end, step)
    target = dtypes.infer_dtype(arr) if dtype is None else dtypes.as_dtype(dtype)
    return _new(arr.astype(target), requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.linspace(start, end, int(steps)).astype(_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(*size, dtype=None, generator=None, requires_grad: bool = False) -> Tensor:
    arr = _random.uniform_array(_sizes(size), 0.0, 1.0, _float_dtype(dtype), generator)
    return _new(arr, requires_grad)


def randn(*size, dtype=None, generator=None, requires_grad: bool = False) -> Tensor:
    arr = _random.normal_array(_sizes(size), 0.0, 1.0, _float_dtype(dtype), generator)
    return _new(arr, requires_grad)


def randint(low, high=None, size=(), dtype=None, generator=None) -> Tensor:
    if high is None:
        low, high = 0, low
    arr = _random.integer_array(_sizes((size,)), low, high, generator)
    return _new(arr.astype(dtypes.int64 if dtype is None else dtype), False)


def randperm(n: int, generator=None) -> Tensor:
    return _new(_random.permutation(n, generator).astype(dtypes.int64), False)
