"""Reductions: sum, mean, var/std, max/min (with indices), amax/amin.

Backward of a reduction puts the gradient back over the reduced dimensions: evenly for sum
and mean, on the maxima for max (ties share it evenly for a full or ``amax`` reduction, as in
PyTorch; ``max(dim)`` sends it to the returned index only).
"""

import builtins
import math
from collections import namedtuple

from backproplab import backend
from backproplab.autograd.function import Function
from backproplab.ops import arithmetic as _arith
from backproplab.ops import indexing
from backproplab.ops.arithmetic import _float
from backproplab.ops.dims import normalize_dims, pick
from backproplab.ops.operands import operand
from backproplab.tensor import Tensor

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _unreduce(xp, g, axes, keepdim, shape):
    """Broadcast a reduced gradient back to the input's shape."""
    if axes is not None and not keepdim and axes:
        g = xp.expand_dims(g, axes)
    return xp.broadcast_to(g, shape)


class Sum(Function):
    formula = "Σ a"
    derivative = ("∂(Σ a)/∂aᵢ = 1",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        ctx.shape = a.shape
        ctx.axes = axes
        ctx.keepdim = keepdim
        return a.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _unreduce(ctx.xp, g, ctx.axes, ctx.keepdim, ctx.shape), None, None


class Mean(Function):
    formula = "(1/n) Σ a"
    derivative = ("∂mean/∂aᵢ = 1/n",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        ctx.shape = a.shape
        ctx.axes = axes
        ctx.keepdim = keepdim
        out = a.sum(axis=axes, keepdims=keepdim)
        ctx.n = a.size // builtins.max(out.size, 1) if a.size else 0
        if ctx.n == 0:
            return out * backend.xp.nan  # the mean of nothing, as NumPy and PyTorch give
        return out / ctx.n  # sum / n: NumPy's mean() costs twice as much on small arrays

    @staticmethod
    def backward(ctx, g):
        return _unreduce(ctx.xp, g / ctx.n, ctx.axes, ctx.keepdim, ctx.shape), None, None


class Var(Function):
    formula = "Σ (a - mean)² / (n - correction)"
    derivative = ("∂var/∂aᵢ = 2(aᵢ - mean)/(n - correction)",)

    @staticmethod
    def forward(ctx, a, axes, correction, keepdim):
        ctx.save_for_backward(a)
        ctx.axes = axes
        ctx.keepdim = keepdim
        n = a.size if axes is None else _count(a.shape, axes)
        ctx.denom = builtins.max(n - correction, 0)
        with backend.xp.errstate(divide="ignore", invalid="ignore"):
            centered = a - a.sum(axis=axes, keepdims=True) / n  # mean() warns when n == 0
            return (centered * centered).sum(axis=axes, keepdims=keepdim) / ctx.denom

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return _variance_gradient(ctx, a, g), None, None, None


def _variance_gradient(ctx, a, g):
    """g · ∂var/∂a = g · 2(a - mean)/(n - correction), spread back over the reduced dims; the
    factor is inf when there are no degrees of freedom (PyTorch's NaN)."""
    centered = a - a.mean(axis=ctx.axes, keepdims=True)
    g = _unreduce(ctx.xp, g, ctx.axes, ctx.keepdim, a.shape)
    return g * centered * (2.0 / ctx.denom if ctx.denom else math.inf)


class Std(Function):
    """√var as one op, so the gradient is 0 (not 0/0) where the deviation is 0, as PyTorch."""

    formula = "√(Σ (a - mean)² / (n - correction))"
    derivative = ("∂std/∂aᵢ = (aᵢ - mean) / ((n - correction)·std), 0 where std = 0",)
    saves_output = True

    @staticmethod
    def forward(ctx, a, axes, correction, keepdim):
        out = backend.sqrt(Var.forward(ctx, a, axes, correction, keepdim))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        xp = ctx.xp
        zero = out == 0
        safe = xp.where(zero, 1.0, out)
        g_var = xp.where(zero, 0.0, g / (2 * safe))  # d sqrt(v)/dv = 1/(2 sqrt v)
        return _variance_gradient(ctx, a, g_var), None, None, None


class AMax(Function):
    """max/min over dims; the gradient is shared evenly between tied extremes."""

    formula = "max a"
    derivative = ("∂max/∂aᵢ = 1/k for the k maxima, 0 elsewhere",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, axes, keepdim, largest):
        xp = backend.xp
        _check_nonempty(a.shape, axes, "max" if largest else "min")
        ext = a.max(axis=axes, keepdims=True) if largest else a.min(axis=axes, keepdims=True)
        mask = a == ext
        share = mask / mask.sum(axis=axes, keepdims=True)
        ctx.save_for_backward(share.astype(a.dtype, copy=False))
        ctx.axes = axes
        ctx.keepdim = keepdim
        return ext if keepdim else xp.squeeze(ext, axis=axes)

    @staticmethod
    def backward(ctx, g):
        (share,) = ctx.saved_tensors
        return _unreduce(ctx.xp, g, ctx.axes, ctx.keepdim, share.shape) * share, None, None, None


def _check_nonempty(shape, axes, name: str) -> None:
    """PyTorch's rule: reducing over a dim of size 0 has no maximum (an empty result over
    the other dims is fine)."""
    if axes is None:
        if 0 in shape:
            raise RuntimeError(f"{name}(): expected a dim to reduce over for an empty tensor "
                               f"(shape {shape})")
        return
    for ax in axes:
        if shape[ax] == 0:
            raise IndexError(f"{name}(): expected reduction dim {ax} to have non-zero size "
                             f"(shape {shape})")


def _all_if_empty(dim):
    """``dim=[]`` means every dim in PyTorch's sum/mean/var, not none."""
    if dim is not None and not isinstance(dim, int) and len(dim) == 0:
        return None
    return dim


def _count(shape, axes) -> int:
    n = 1
    for ax in axes:
        n *= shape[ax]
    return n


def _input(a) -> Tensor:
    a = operand(a)
    return a if isinstance(a, Tensor) else Tensor(a)


def sum(a, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
    a = _input(a)
    dim, keepdim = pick(dim, keepdim, axis, keepdims)
    if dtype is not None:
        a = a.to(dtype)
    elif a.array.dtype.kind in "biu":
        a = a.long()  # as PyTorch: sums of bools and ints are int64
    return Sum.apply(a, normalize_dims(_all_if_empty(dim), a.ndim, "sum"), keepdim)


def mean(a, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
    a = _input(a)
    dim, keepdim = pick(dim, keepdim, axis, keepdims)
    if dtype is not None:
        a = a.to(dtype)
    if a.array.dtype.kind != "f":
        raise TypeError(
            f"mean: needs a floating-point tensor, got {a.dtype}; use .float() or dtype="
        )
    return Mean.apply(a, normalize_dims(_all_if_empty(dim), a.ndim, "mean"), keepdim)


def _correction(unbiased, correction, ddof) -> float:
    if correction is not None:
        return correction
    if ddof is not None:
        return ddof
    return 1 if unbiased is None or unbiased else 0


def var(a, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=None, ddof=None):
    a = _float(a)
    dim, keepdim = pick(dim, keepdim, axis, keepdims)
    corr = _correction(unbiased, correction, ddof)
    return Var.apply(a, normalize_dims(_all_if_empty(dim), a.ndim, "var"), corr, keepdim)


def std(a, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=None, ddof=None):
    a = _float(a)
    dim, keepdim = pick(dim, keepdim, axis, keepdims)
    corr = _correction(unbiased, correction, ddof)
    return Std.apply(a, normalize_dims(_all_if_empty(dim), a.ndim, "std"), corr, keepdim)


def amax(a, dim=None, keepdim=False, *, axis=None, keepdims=None):
    a = _input(a)
    dim, keepdim = pick(dim, keepdim, axis, keepdims)
    return AMax.apply(a, normalize_dims(dim, a.ndim, "amax"), keepdim, True)


def amin(a, dim=None, keepdim=False, *, axis=None, keepdims=None):
    a = _input(a)
    dim, keepdim = pick(dim, keepdim, axis, keepdims)
    return AMax.apply(a, normalize_dims(dim, a.ndim, "amin"), keepdim, False)


def max(a, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Without ``dim``: the largest value. With ``dim``: (values, indices), as in PyTorch."""
    return _extreme(a, dim, keepdim, axis, keepdims, largest=True)


def min(a, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return _extreme(a, dim, keepdim, axis, keepdims, largest=False)


def _extreme(a, dim, keepdim, axis, keepdims, largest: bool):
    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        from backproplab.ops import selection

        return selection.maximum(a, dim) if largest else selection.minimum(a, dim)
    a = _input(a)
    dim, keepdim = pick(dim, keepdim, axis, keepdims)
    name = "max" if largest else "min"
    if dim is None:
        return AMax.apply(a, None, False, largest)
    if not isinstance(dim, int):
        raise TypeError(f"{name}: dim must be a single int when indices are returned; "
                        f"use amax/amin for several dims")
    xp = backend.xp
    if a.ndim == 0:  # dims 0 and -1 of a 0-d tensor are the tensor itself
        normalize_dims(dim, 0, name)
        return ValuesIndices(_arith.clone(a), Tensor._make(xp.zeros((), "int64"), False, None))
    (d,) = normalize_dims(dim, a.ndim, name)
    _check_nonempty(a.shape, (d,), name)
    arg = xp.asarray(a.array.argmax(axis=d) if largest else a.array.argmin(axis=d))
    idx = xp.expand_dims(arg, d)
    values = indexing.gather(a, d, Tensor._make(idx, False, None))
    if not keepdim:
        values = values.squeeze(d)
        idx = arg
    return ValuesIndices(values, Tensor._make(idx.astype("int64", copy=False), False, None))
