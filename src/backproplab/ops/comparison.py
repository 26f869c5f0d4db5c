"""Comparisons, logic, sign and arg-reductions: results that carry no gradient.

They return plain (non-differentiable) tensors of bool or int64, as in PyTorch.
"""

from backproplab import backend
from backproplab.ops.dims import normalize_dims, pick
from backproplab.ops.operands import operand
from backproplab.tensor import Tensor


def as_array(x):
    x = operand(x)
    return x.data if isinstance(x, Tensor) else x


def _const(arr) -> Tensor:
    return Tensor._make(backend.xp.asarray(arr), False, None)


def eq(a, b) -> Tensor:
    return _const(as_array(a) == as_array(b))


def ne(a, b) -> Tensor:
    return _const(as_array(a) != as_array(b))


def lt(a, b) -> Tensor:
    return _const(as_array(a) < as_array(b))


def le(a, b) -> Tensor:
    return _const(as_array(a) <= as_array(b))


def gt(a, b) -> Tensor:
    return _const(as_array(a) > as_array(b))


def ge(a, b) -> Tensor:
    return _const(as_array(a) >= as_array(b))


def logical_not(a) -> Tensor:
    arr = as_array(a)
    return _const(~arr if arr.dtype.kind in "biu" else arr == 0)


def logical_and(a, b) -> Tensor:
    return _const(as_array(a) & as_array(b))


def logical_or(a, b) -> Tensor:
    return _const(as_array(a) | as_array(b))


def sign(a) -> Tensor:
    return _const(backend.sign(as_array(a)))


def isnan(a) -> Tensor:
    return _const(backend.xp.isnan(as_array(a)))


def isfinite(a) -> Tensor:
    return _const(backend.xp.isfinite(as_array(a)))


def _arg(a, dim, keepdim, largest: bool) -> Tensor:
    arr = as_array(a)
    name = "argmax" if largest else "argmin"
    if arr.size == 0:
        raise RuntimeError(f"{name}: the tensor is empty (shape {arr.shape})")
    if dim is None:
        out = arr.argmax() if largest else arr.argmin()
        if keepdim:
            out = backend.xp.asarray(out).reshape((1,) * arr.ndim)
        return _const(backend.xp.asarray(out, dtype="int64"))
    (d,) = normalize_dims(dim, arr.ndim, name)
    out = arr.argmax(axis=d, keepdims=keepdim) if largest else arr.argmin(axis=d, keepdims=keepdim)
    return _const(out.astype("int64", copy=False))


def argmax(a, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    dim, keepdim = pick(dim, keepdim, axis, keepdims)
    return _arg(a, dim, keepdim, True)


def argmin(a, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    dim, keepdim = pick(dim, keepdim, axis, keepdims)
    return _arg(a, dim, keepdim, False)


def all(a, dim=None, keepdim: bool = False) -> Tensor:
    arr = as_array(a)
    return _const(arr.all(axis=normalize_dims(dim, arr.ndim, "all"), keepdims=keepdim))


def any(a, dim=None, keepdim: bool = False) -> Tensor:
    arr = as_array(a)
    return _const(arr.any(axis=normalize_dims(dim, arr.ndim, "any"), keepdims=keepdim))
