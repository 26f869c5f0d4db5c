"""Comparisons, logic, sign and arg-reductions: results that carry no gradient.

They return plain (non-differentiable) tensors of bool or int64, as in PyTorch.
"""

import numbers

from backproplab import backend
from backproplab.ops.dims import normalize_dims, pick
from backproplab.ops.operands import operand
from backproplab.tensor import Tensor


def as_array(x):
    x = operand(x)
    return x.array if isinstance(x, Tensor) else x


def _const(arr) -> Tensor:
    return Tensor._make(backend.as_array(arr), False, None)


def _comparable(x) -> bool:
    """Whether ``==`` can compare with ``x`` elementwise; ``t == None`` is simply False."""
    return isinstance(x, (Tensor, numbers.Number, list, tuple)) or backend.is_array(x)


def eq(a, b):
    """Elementwise ==; against None or another non-numeric object it is False, as in
    PyTorch (``if t == None`` must not raise)."""
    if not (_comparable(a) and _comparable(b)):
        return False
    return _const(as_array(a) == as_array(b))


def ne(a, b):
    if not (_comparable(a) and _comparable(b)):
        return True
    return _const(as_array(a) != as_array(b))


def isclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False) -> Tensor:
    return _const(backend.xp.isclose(as_array(a), as_array(b), rtol=rtol, atol=atol,
                                     equal_nan=equal_nan))


def allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
    """True when every pair is within atol + rtol·|b| (shapes must broadcast)."""
    return bool(isclose(a, b, rtol, atol, equal_nan).array.all())


def equal(a, b) -> bool:
    """True when both have the same shape and the same values (PyTorch's ``torch.equal``)."""
    xa, xb = as_array(a), as_array(b)
    return xa.shape == xb.shape and bool((xa == xb).all())


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
    if dim is None and arr.size == 0:
        raise RuntimeError(f"{name}(): expected a dim to reduce over for an empty tensor "
                           f"(shape {arr.shape})")
    if dim is None or arr.ndim == 0:
        if dim is not None:
            normalize_dims(dim, 0, name)  # a 0-d tensor has dims 0 and -1, both itself
        out = arr.argmax() if largest else arr.argmin()
        if keepdim:
            out = backend.xp.asarray(out).reshape((1,) * arr.ndim)
        return _const(backend.xp.asarray(out, dtype="int64"))
    (d,) = normalize_dims(dim, arr.ndim, name)
    if arr.shape[d] == 0:
        raise IndexError(f"{name}(): expected reduction dim {d} to have non-zero size "
                         f"(shape {arr.shape})")
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
