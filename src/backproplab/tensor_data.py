"""Python and NumPy data to a tensor's array, with ``torch.tensor``'s dtype rules.

Python floats become the default float dtype, Python ints int64 and bools bool; NumPy arrays
and NumPy scalars keep their own dtype (``tensor(np.float64(3.))`` is float64, as in PyTorch).
A Python int that does not fit int64 is an error, never a silent wrap-around. The copy is
made on the host and then moved to the requested device, which is what CuPy does too.
"""

import numpy

from backproplab import backend, dtypes


class TensorOverflowError(OverflowError, ValueError):
    """A Python int too large for int64. PyTorch raises ValueError here; OverflowError is what
    the problem is, so both ``except`` clauses catch it."""


_KEEPS_DTYPE = (numpy.ndarray, numpy.generic)
_SUPPORTED_KINDS = "biuf"


def array_from_data(data, dtype, kind: str):
    """A fresh array holding a copy of ``data``, on device ``kind`` ("cpu" or "cuda")."""
    from backproplab.tensor import Tensor

    target = None if dtype is None else dtypes.as_dtype(dtype)
    if isinstance(data, Tensor):
        data = data.array
    if backend.is_array(data) and not isinstance(data, numpy.ndarray):
        # already an accelerator array: copy it where it is, or bring it to the host
        arr = data.astype(data.dtype if target is None else target, copy=True)
        return backend.to_device_type(arr, kind)
    arr = numpy.array(data, copy=True)
    if target is None:
        target = _inferred(data, arr)
    elif arr.dtype == object:
        _check_object(arr)
    return backend.to_device_type(arr.astype(target, copy=False), kind)


def _inferred(data, arr: numpy.ndarray) -> numpy.dtype:
    if isinstance(data, _KEEPS_DTYPE):
        if arr.dtype.kind not in _SUPPORTED_KINDS:
            raise TypeError(f"cannot make a tensor from data of type {arr.dtype}")
        return arr.dtype
    if arr.dtype == numpy.uint64:
        raise TensorOverflowError("tensor(): a Python int does not fit int64 (max 2**63 - 1)")
    if arr.dtype == object:
        _check_object(arr)
    return dtypes.infer_dtype(arr)


def _check_object(arr: numpy.ndarray) -> None:
    """NumPy falls back to Python objects for ints beyond 64 bits (and for ragged lists)."""
    if any(isinstance(v, int) for v in arr.ravel()):
        raise TensorOverflowError("tensor(): a Python int does not fit int64 "
                                  "(-2**63 to 2**63 - 1)")
    raise TypeError("cannot make a tensor from data of type object (ragged nested lists or "
                    "values that are not numbers?)")
