"""Ops that pick between values: where, maximum, minimum, clamp.

The gradient goes to whichever input was picked. On ties PyTorch's conventions hold:
maximum/minimum split the gradient evenly, clamp passes it at the boundaries.
"""

from backproplab import backend
from backproplab.autograd.function import Function
from backproplab.ops.operands import operand, pair
from backproplab.tensor import Tensor


class Where(Function):
    formula = "a if condition else b"
    derivative = ("∂/∂a = condition", "∂/∂b = not condition")
    saves_inputs = False

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return backend.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        xp = ctx.xp
        zero = g * 0
        return None, xp.where(cond, g, zero), xp.where(cond, zero, g)


class Maximum(Function):
    formula = "max(a, b)"
    derivative = ("∂/∂a = 1 if a > b, ½ if a = b, else 0", "∂/∂b = 1 if b > a, ½ if a = b, else 0")
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, b):
        out = backend.xp.maximum(a, b)
        if out.dtype.kind == "f":  # only float results have gradients (bools cannot subtract)
            ctx.save_for_backward(backend.xp.sign(a - b))
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors  # sign(a - b): 1 picks a, -1 picks b, 0 is a tie
        return g * ((1 + s) * 0.5), g * ((1 - s) * 0.5)


class Minimum(Function):
    formula = "min(a, b)"
    derivative = ("∂/∂a = 1 if a < b, ½ if a = b, else 0", "∂/∂b = 1 if b < a, ½ if a = b, else 0")
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, b):
        out = backend.xp.minimum(a, b)
        if out.dtype.kind == "f":  # only float results have gradients (bools cannot subtract)
            ctx.save_for_backward(backend.xp.sign(a - b))
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors  # sign(a - b): -1 picks a, 1 picks b, 0 is a tie
        return g * ((1 - s) * 0.5), g * ((1 + s) * 0.5)


class Clamp(Function):
    formula = "min(max(a, low), high)"
    derivative = ("∂/∂a = 1 if low ≤ a ≤ high else 0",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, low, high):
        inside = True
        if low is not None:
            inside = a >= low
        if high is not None:
            inside = inside & (a <= high)
        ctx.save_for_backward(inside)
        return backend.xp.clip(a, low, high)

    @staticmethod
    def backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return g * inside, None, None  # passes where low <= a <= high


def where(condition, a, b) -> Tensor:
    cond = operand(condition)
    cond = cond.array if isinstance(cond, Tensor) else backend.xp.asarray(cond)
    if cond.dtype != bool:
        raise TypeError(f"where: condition must be a bool tensor, not {cond.dtype}")
    a, b = pair(a, b)
    return Where.apply(cond, a, b)


def masked_fill(a: Tensor, mask, value) -> Tensor:
    """``a`` with ``value`` where ``mask`` is True; keeps ``a``'s dtype, as in PyTorch."""
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"masked_fill: value must be a number or a 0-d tensor, got shape "
                           f"{tuple(value.shape)}")
    out = where(mask, value, a)
    return out if out.dtype == a.dtype else out.to(a.dtype)


def maximum(a, b) -> Tensor:
    return Maximum.apply(*_tensors(a, b))


def minimum(a, b) -> Tensor:
    return Minimum.apply(*_tensors(a, b))


def clamp(a, min=None, max=None) -> Tensor:
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clamp.apply(a, min, max)


def _tensors(a, b):
    a, b = pair(a, b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError("maximum/minimum need at least one tensor")
    return a, b
