"""Exponentials, logarithms, roots, trigonometry and erf, with their derivatives.

Integer inputs give floating-point results (the default float dtype), as in PyTorch.
"""

import math

from backproplab import backend
from backproplab.autograd.function import Function
from backproplab.ops.arithmetic import _float
from backproplab.tensor import Tensor


class Exp(Function):
    formula = "eᵃ"
    derivative = ("∂eᵃ/∂a = eᵃ",)
    saves_inputs = False
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        out = backend.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out  # d(e^a)/da = e^a


class Log(Function):
    formula = "ln a"
    derivative = ("∂ln a/∂a = 1/a",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return backend.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a  # d(ln a)/da = 1/a


_LN10 = math.log(10.0)
_LN2 = math.log(2.0)


class Log10(Function):
    formula = "log₁₀ a"
    derivative = ("∂log₁₀ a/∂a = 1/(a·ln 10)",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return backend.xp.log10(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * _LN10)  # d(log10 a)/da = 1/(a ln 10)


class Log2(Function):
    formula = "log₂ a"
    derivative = ("∂log₂ a/∂a = 1/(a·ln 2)",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return backend.xp.log2(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * _LN2)  # d(log2 a)/da = 1/(a ln 2)


class Sqrt(Function):
    formula = "√a"
    derivative = ("∂√a/∂a = 1/(2√a)",)
    saves_inputs = False
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        out = backend.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (2 * out)  # d(sqrt a)/da = 1/(2 sqrt a)


class Sin(Function):
    formula = "sin a"
    derivative = ("∂sin a/∂a = cos a",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return backend.sin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * ctx.xp.cos(a)  # d(sin a)/da = cos a


class Cos(Function):
    formula = "cos a"
    derivative = ("∂cos a/∂a = -sin a",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return backend.cos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * ctx.xp.sin(a)  # d(cos a)/da = -sin a


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Erf(Function):
    formula = "erf a"
    derivative = ("∂erf a/∂a = 2/√π · e^(-a²)",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return backend.erf(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * _TWO_OVER_SQRT_PI * ctx.xp.exp(-(a * a))  # d erf/da = 2/sqrt(pi) e^(-a^2)


def exp(a) -> Tensor:
    return Exp.apply(_float(a))


def log(a) -> Tensor:
    return Log.apply(_float(a))


def log10(a) -> Tensor:
    return Log10.apply(_float(a))


def log2(a) -> Tensor:
    return Log2.apply(_float(a))


def sqrt(a) -> Tensor:
    return Sqrt.apply(_float(a))


def sin(a) -> Tensor:
    return Sin.apply(_float(a))


def cos(a) -> Tensor:
    return Cos.apply(_float(a))


def erf(a) -> Tensor:
    return Erf.apply(_float(a))
