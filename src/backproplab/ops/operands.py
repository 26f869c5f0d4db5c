"""Turning the operands of an op into what the op accepts, with PyTorch's type promotion.

Python scalars stay Python scalars, so they are "weak" (NumPy 2 and PyTorch agree: a float32
tensor times 2.5 stays float32); NumPy scalars become Python scalars for the same reason;
arrays and lists become tensors. Between tensors PyTorch's rules hold, which differ from
NumPy's in two places: a float meeting an integer keeps the float's type (float32 · int64 is
float32, not float64), and a 0-d tensor only decides the type when it is of a higher
category (bool < integer < float) than the dimensioned tensors (float32 + a 0-d float64
tensor is float32). An integer or bool tensor meeting a Python float becomes the default
float dtype.
"""

import numbers

from backproplab import backend, dtypes
from backproplab.dtypes import CATEGORY as _CATEGORY
from backproplab.dtypes import promote_types
from backproplab.tensor import Tensor


def operand(x):
    """A Tensor or a Python scalar."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float)) and not backend.is_scalar(x):
        return x
    if backend.is_scalar(x) or (backend.is_array(x) and x.ndim == 0):
        return x.item()
    if isinstance(x, numbers.Number):
        return x
    if backend.is_array(x):
        return Tensor._make(x, False, None)
    return Tensor(x)


def _scalar_dtype(x):
    if isinstance(x, bool):
        return dtypes.bool_
    if isinstance(x, int):
        return dtypes.int64
    return dtypes.get_default_dtype()


def _combine(higher, lower):
    """Operands of a lower priority (0-d tensors, then scalars) decide only when they are of a
    higher category."""
    if higher is None:
        return lower
    if lower is None or _CATEGORY[lower.kind] <= _CATEGORY[higher.kind]:
        return higher
    return promote_types(higher, lower)


def result_type(*operands):
    """The dtype PyTorch gives an op over ``operands`` (tensors and Python scalars)."""
    dim = zero = scalar = None
    for x in operands:
        if isinstance(x, Tensor):
            d = x.array.dtype
            if x.array.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        elif x is not None:
            d = _scalar_dtype(x)
            scalar = d if scalar is None else promote_types(scalar, d)
    return _combine(_combine(dim, zero), scalar)


def cast_all(operands, dtype) -> list:
    """Each tensor among ``operands`` as ``dtype`` (a differentiable cast where needed)."""
    return [x.to(dtype) if isinstance(x, Tensor) and x.array.dtype != dtype else x
            for x in operands]


def pair(a, b):
    """Both operands of a binary op, promoted to their common dtype as PyTorch does."""
    if type(a) is Tensor and type(b) is Tensor and a.array.dtype == b.array.dtype:
        return a, b  # the common case, on every training step
    a = operand(a)
    b = operand(b)
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a.array.dtype != b.array.dtype:
                a, b = cast_all((a, b), result_type(a, b))
        elif type(b) is float and a.array.dtype.kind in "biu":
            a = a.to(dtypes.get_default_dtype())
    elif isinstance(b, Tensor) and type(a) is float and b.array.dtype.kind in "biu":
        b = b.to(dtypes.get_default_dtype())
    return a, b
