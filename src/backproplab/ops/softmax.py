"""softmax, log_softmax and logsumexp along one dimension, computed stably.

All three subtract the maximum before exponentiating, so inputs of ±1000 give finite values
and gradients; each is a single op because the composed version overflows.
"""

from backproplab import backend
from backproplab.autograd.function import Function
from backproplab.ops.arithmetic import _float
from backproplab.ops.dims import normalize_dims
from backproplab.tensor import Tensor


class Softmax(Function):
    formula = "softmax(a)ᵢ = e^(aᵢ) / Σⱼ e^(aⱼ)"
    derivative = ("∂sᵢ/∂aⱼ = sᵢ(δᵢⱼ - sⱼ)",)
    saves_inputs = False
    saves_output = True

    @staticmethod
    def forward(ctx, a, dim):
        if a.size == 0:
            out = a.copy()
        else:
            e = backend.exp(a - a.max(axis=dim, keepdims=True))
            out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        # d softmax: s * (g - sum(g * s))
        return s * (g - (g * s).sum(axis=ctx.dim, keepdims=True)), None


class LogSoftmax(Function):
    formula = "log_softmax(a)ᵢ = aᵢ - log Σⱼ e^(aⱼ)"
    derivative = ("∂yᵢ/∂aⱼ = δᵢⱼ - softmax(a)ⱼ",)
    saves_inputs = False
    saves_output = True

    @staticmethod
    def forward(ctx, a, dim):
        out = backend.log_softmax(a, dim)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # d log_softmax: g - softmax * sum(g)
        return g - ctx.xp.exp(out) * g.sum(axis=ctx.dim, keepdims=True), None


class LogSumExp(Function):
    formula = "log Σ e^(aᵢ)"
    derivative = ("∂/∂aᵢ = softmax(a)ᵢ",)
    saves_output = True

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        kept = backend.logsumexp(a, axes)
        out = kept if keepdim else kept.squeeze(axis=axes)
        ctx.save_for_backward(a, out)
        ctx.axes = axes
        ctx.keepdim = keepdim
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        xp = ctx.xp
        if not ctx.keepdim:
            g = xp.expand_dims(g, ctx.axes)
            out = xp.expand_dims(out, ctx.axes)
        return g * xp.exp(a - out), None, None  # d lse/da_i = softmax_i


def softmax(a, dim: int) -> Tensor:
    a = _float(a)
    return Softmax.apply(a, normalize_dims(dim, a.ndim, "softmax")[0] if a.ndim else None)


def log_softmax(a, dim: int) -> Tensor:
    a = _float(a)
    return LogSoftmax.apply(a, normalize_dims(dim, a.ndim, "log_softmax")[0] if a.ndim else None)


def logsumexp(a, dim, keepdim: bool = False) -> Tensor:
    a = _float(a)
    return LogSumExp.apply(a, normalize_dims(dim, a.ndim, "logsumexp"), keepdim)
