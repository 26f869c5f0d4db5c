"""Turning the other operand of a binary op into something the op accepts.

Python scalars stay Python scalars, so NumPy treats them as "weak" and a float32 tensor stays
float32; NumPy scalars become Python scalars for the same reason; arrays and lists become
tensors. An integer tensor meeting a float scalar becomes float32 first, as in PyTorch.
"""

import numbers

import numpy

from backproplab import dtypes
from backproplab.tensor import Tensor


def operand(x):
    """A Tensor or a Python scalar."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float)) and not isinstance(x, numpy.generic):
        return x
    if isinstance(x, numpy.generic) or (isinstance(x, numpy.ndarray) and x.ndim == 0):
        return x.item()
    if isinstance(x, numbers.Number):
        return x
    if isinstance(x, numpy.ndarray):
        return Tensor._make(x, False, None)
    return Tensor(x)


def pair(a, b):
    """Both operands of a binary op, with integer tensors promoted when a float joins them."""
    a = operand(a)
    b = operand(b)
    if isinstance(a, Tensor) and type(b) is float and a.data.dtype.kind in "biu":
        a = a.to(dtypes.get_default_dtype())
    elif isinstance(b, Tensor) and type(a) is float and b.data.dtype.kind in "biu":
        b = b.to(dtypes.get_default_dtype())
    return a, b

