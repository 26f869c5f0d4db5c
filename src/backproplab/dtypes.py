"""Tensor element types and the rules that keep float32 float32.

The dtypes are NumPy's own dtype objects, so ``t.dtype == bp.float32`` and
``t.numpy().dtype == bp.float32`` agree. float32 is the default, as in PyTorch: it is what
training uses, and an accidental float64 promotion halves speed.
"""

import numpy

float16 = numpy.dtype("float16")
float32 = numpy.dtype("float32")
float64 = numpy.dtype("float64")
int8 = numpy.dtype("int8")
int16 = numpy.dtype("int16")
int32 = numpy.dtype("int32")
int64 = numpy.dtype("int64")
uint8 = numpy.dtype("uint8")
bool_ = numpy.dtype("bool")

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64

_default_float = float32

# PyTorch's type categories: promotion across them picks the higher one's type.
CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def get_default_dtype() -> numpy.dtype:
    return _default_float


def set_default_dtype(dtype) -> None:
    """Make ``dtype`` (float32 or float64) the type of new floating-point tensors."""
    global _default_float
    d = numpy.dtype(dtype)
    if d not in (float32, float64):
        raise TypeError(f"default dtype must be float32 or float64, not {d}")
    _default_float = d


def as_dtype(dtype) -> numpy.dtype:
    """Accept a dtype object, a NumPy type or a name such as 'float32'."""
    try:
        return numpy.dtype(dtype)
    except TypeError:
        raise TypeError(f"not a dtype: {dtype!r}") from None


def infer_dtype(array: numpy.ndarray) -> numpy.dtype:
    """dtype a new tensor gets from Python data: floats -> default float, ints -> int64."""
    kind = array.dtype.kind
    if kind == "f":
        return _default_float
    if kind in "iu":
        return int64
    if kind == "b":
        return bool_
    raise TypeError(f"cannot make a tensor from data of type {array.dtype}")


def promote_types(a: numpy.dtype, b: numpy.dtype) -> numpy.dtype:
    """PyTorch's ``promote_types``: across categories the higher category's type wins (int64
    with float32 is float32, where NumPy says float64); within one, NumPy's rule agrees."""
    if a == b:
        return a
    ca, cb = CATEGORY[a.kind], CATEGORY[b.kind]
    if ca != cb:
        return a if ca > cb else b
    return numpy.promote_types(a, b)
