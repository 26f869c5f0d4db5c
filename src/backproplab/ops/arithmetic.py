"""Arithmetic: + - * / // % ** neg abs, casts and clones (exp, log… are in transcendental.py).

Operands may be tensors or Python scalars, promoted as PyTorch does (see operands.py); NumPy
broadcasting applies, and the engine sums each gradient back to its input's shape, so the
rules below never deal with broadcasting.
"""

import math

from backproplab import backend, dtypes
from backproplab.autograd.function import Function
from backproplab.ops.operands import cast_all, operand, pair, result_type
from backproplab.tensor import Tensor


class Add(Function):
    formula = "a + b"
    derivative = ("∂(a+b)/∂a = 1", "∂(a+b)/∂b = 1")
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g  # d(a+b)/da = 1, d(a+b)/db = 1


class Sub(Function):
    formula = "a - b"
    derivative = ("∂(a-b)/∂a = 1", "∂(a-b)/∂b = -1")
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g  # d(a-b)/da = 1, d(a-b)/db = -1


class Mul(Function):
    formula = "a · b"
    derivative = ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a  # d(a*b)/da = b, d(a*b)/db = a


class Div(Function):
    formula = "a / b"
    derivative = ("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = -a/b²")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g / b  # d(a/b)/da = 1/b
        return ga, -ga * a / b  # d(a/b)/db = -a/b^2


class Pow(Function):
    formula = "a ^ b"
    derivative = ("∂(aᵇ)/∂a = b·aᵇ⁻¹", "∂(aᵇ)/∂b = aᵇ·ln a")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a**b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = ctx.xp
        if isinstance(b, (int, float)):
            ga = g * 0.0 if b == 0 else g * b * a ** (b - 1)  # d(a^b)/da = b a^(b-1)
            return ga, None
        ga = None if isinstance(a, (int, float)) else g * b * a ** (b - 1)
        if not ctx.needs_input_grad[1]:
            return ga, None
        # d(a^b)/db = a^b ln a; PyTorch's convention: 0 where a == 0 and b >= 0
        if isinstance(a, (int, float)):
            # a Python number: ln a as a Python float (weak), so it is exact in b's dtype
            if a == 0:
                return ga, g * xp.where(b >= 0, 0.0, -math.inf)
            return ga, g * (a**b * (math.log(a) if a > 0 else math.nan))
        zero = (a == 0) & (b >= 0)
        safe_a = xp.where(a == 0, 1.0, a)
        gb = g * xp.where(zero, 0.0, a**b * xp.log(safe_a))
        return ga, gb


class Neg(Function):
    formula = "-a"
    derivative = ("∂(-a)/∂a = -1",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g  # d(-a)/da = -1


class Remainder(Function):
    """a - floor(a/b)·b: Python's % (the result has the sign of b), as torch.remainder."""

    formula = "a mod b = a - ⌊a/b⌋·b"
    derivative = ("∂(a mod b)/∂a = 1", "∂(a mod b)/∂b = -⌊a/b⌋")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return backend.xp.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.needs_input_grad[1]:
            gb = -g * ctx.xp.floor_divide(a, b)  # d/db (a - floor(a/b) b) = -floor(a/b)
        return g, gb


class Abs(Function):
    formula = "|a|"
    derivative = ("∂|a|/∂a = sign(a)",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return backend.xp.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * ctx.xp.sign(a)  # d|a|/da = sign(a), 0 at 0 as in PyTorch


class Cast(Function):
    """Change of dtype; the gradient is cast back, so it is the identity for the math."""

    formula = "a"
    derivative = ("∂a/∂a = 1",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, dtype):
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None  # identity; the engine casts g to the input's dtype


class Clone(Function):
    formula = "a"
    derivative = ("∂a/∂a = 1",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def add(a, b) -> Tensor:
    return Add.apply(*pair(a, b))


def sub(a, b) -> Tensor:
    return Sub.apply(*pair(a, b))


def mul(a, b) -> Tensor:
    return Mul.apply(*pair(a, b))


def div(a, b) -> Tensor:
    a, b = pair(a, b)
    dtype = result_type(a, b)
    if dtype.kind in "biu":  # true division of integers gives floats, as in PyTorch
        a, b = cast_all((a, b), dtypes.get_default_dtype())
    return Div.apply(a, b)


def _on_bools(op, a, b):
    """PyTorch keeps bool ** bool, bool // bool and bool % bool bool; NumPy refuses or gives
    int8, so they are computed on integers and cast back."""
    return op(*cast_all((a, b), dtypes.uint8)).to(dtypes.bool_)


def pow(a, b) -> Tensor:
    a, b = pair(a, b)
    if result_type(a, b) == dtypes.bool_:
        return _on_bools(pow, a, b)
    return Pow.apply(a, b)


def floor_divide(a, b) -> Tensor:
    """``a // b`` rounded toward -inf; it has no gradient (PyTorch has no derivative for it)."""
    a, b = pair(a, b)
    if result_type(a, b) == dtypes.bool_:
        return _on_bools(floor_divide, a, b)
    xa = a.array if isinstance(a, Tensor) else a
    xb = b.array if isinstance(b, Tensor) else b
    out = backend.xp.floor_divide(xa, xb)
    return Tensor._make(backend.xp.asarray(out), False, None)


def remainder(a, b) -> Tensor:
    a, b = pair(a, b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError("remainder: needs at least one tensor")
    if result_type(a, b) == dtypes.bool_:
        return _on_bools(remainder, a, b)
    return Remainder.apply(a, b)


def neg(a) -> Tensor:
    return Neg.apply(a)


def abs(a) -> Tensor:
    return Abs.apply(operand(a))


def cast(a: Tensor, dtype) -> Tensor:
    return Cast.apply(a, dtype)


def clone(a: Tensor) -> Tensor:
    return Clone.apply(a)


def _float(a) -> Tensor:
    """Transcendental functions of integer tensors give float tensors, as in PyTorch."""
    if isinstance(a, Tensor) and a.array.dtype.kind == "f":
        return a  # the common case, on every activation call
    a = operand(a)
    if not isinstance(a, Tensor):
        a = Tensor(a)
    if a.array.dtype.kind in "biu":
        return a.to(dtypes.get_default_dtype())
    return a
