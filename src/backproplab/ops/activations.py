"""Activations with their derivatives: tanh, sigmoid, relu, leaky_relu, elu, gelu, softplus.

Each is its own Function (rather than composed from exp and division) because it is both
faster and numerically stable that way: sigmoid and softplus never overflow at ±1000.
"""

import math

from backproplab import backend
from backproplab.autograd.function import Function
from backproplab.ops.arithmetic import _float
from backproplab.tensor import Tensor


class Tanh(Function):
    formula = "tanh(a) = (e^a - e^(-a)) / (e^a + e^(-a))"
    derivative = ("∂tanh(a)/∂a = 1 - tanh²(a)",)
    saves_inputs = False
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        out = backend.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)  # d tanh(a)/da = 1 - tanh(a)^2


class Sigmoid(Function):
    formula = "σ(a) = 1 / (1 + e^(-a))"
    derivative = ("∂σ(a)/∂a = σ(a)·(1 - σ(a))",)
    saves_inputs = False
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        out = backend.sigmoid(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)  # d sigma/da = sigma (1 - sigma)


class ReLU(Function):
    formula = "max(0, a)"
    derivative = ("∂relu(a)/∂a = 1 if a > 0 else 0",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return backend.xp.maximum(a, 0)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (a > 0)  # d relu/da = 1 where a > 0, 0 elsewhere (0 at a == 0, as PyTorch)


class LeakyReLU(Function):
    formula = "a if a > 0 else slope·a"
    derivative = ("∂/∂a = 1 if a > 0 else slope",)

    @staticmethod
    def forward(ctx, a, slope):
        ctx.save_for_backward(a)
        ctx.slope = slope
        return backend.where(a > 0, a, a * slope)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return ctx.xp.where(a > 0, g, g * ctx.slope), None  # 1 for a > 0, slope otherwise


class ELU(Function):
    formula = "a if a > 0 else α·(eᵃ - 1)"
    derivative = ("∂/∂a = 1 if a > 0 else α·eᵃ",)
    saves_output = True

    @staticmethod
    def forward(ctx, a, alpha):
        out = backend.where(a > 0, a, alpha * backend.xp.expm1(backend.xp.minimum(a, 0)))
        ctx.save_for_backward(a, out)
        ctx.alpha = alpha
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        return ctx.xp.where(a > 0, g, g * (out + ctx.alpha)), None  # alpha e^a = out + alpha


_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


class GELU(Function):
    formula = "a·Φ(a), Φ = standard normal CDF"
    derivative = ("∂/∂a = Φ(a) + a·φ(a)",)

    @staticmethod
    def forward(ctx, a, approximate):
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        if approximate == "tanh":
            return 0.5 * a * (1 + backend.tanh(_SQRT_2_OVER_PI * (a + _GELU_C * a * a * a)))
        return 0.5 * a * (1 + backend.erf(a * _INV_SQRT2))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        xp = ctx.xp
        if ctx.approximate == "tanh":
            t = xp.tanh(_SQRT_2_OVER_PI * (a + _GELU_C * a * a * a))
            dinner = _SQRT_2_OVER_PI * (1 + 3 * _GELU_C * a * a)
            return g * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * dinner), None
        cdf = 0.5 * (1 + xp.erf(a * _INV_SQRT2))
        pdf = _INV_SQRT_2PI * xp.exp(-0.5 * a * a)
        return g * (cdf + a * pdf), None  # d(a Phi(a))/da = Phi(a) + a phi(a)


class Softplus(Function):
    formula = "ln(1 + e^(β·a)) / β  (a where β·a > threshold)"
    derivative = ("∂/∂a = σ(β·a)  (1 where β·a > threshold)",)

    @staticmethod
    def forward(ctx, a, beta, threshold):
        ctx.save_for_backward(a)
        ctx.beta = beta
        ctx.threshold = threshold
        z = a * beta
        return backend.where(z > threshold, a, backend.softplus(z) / beta)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        xp = ctx.xp
        z = a * ctx.beta
        return xp.where(z > ctx.threshold, g, g * xp.sigmoid(z)), None, None


def tanh(a) -> Tensor:
    return Tanh.apply(_float(a))


def sigmoid(a) -> Tensor:
    return Sigmoid.apply(_float(a))


def relu(a) -> Tensor:
    return ReLU.apply(_float(a))


def leaky_relu(a, negative_slope: float = 0.01) -> Tensor:
    return LeakyReLU.apply(_float(a), float(negative_slope))


def elu(a, alpha: float = 1.0) -> Tensor:
    return ELU.apply(_float(a), float(alpha))


def gelu(a, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', not {approximate!r}")
    return GELU.apply(_float(a), approximate)


def softplus(a, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return Softplus.apply(_float(a), float(beta), float(threshold))
