"""Gradient clipping (``nn.utils.clip_grad_norm_`` / ``clip_grad_value_``), as in PyTorch.

Clipping rescales or clamps the ``.grad`` of each parameter in place, between
``backward()`` and ``optimizer.step()``; it is the usual cure for exploding gradients in
recurrent and deep models.
"""

import math

import numpy

from backproplab import backend
from backproplab.tensor import Tensor


def _grads(parameters) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients together so their joint ``norm_type``-norm is at most ``max_norm``.

    Returns the norm before clipping (a 0-d tensor). The scale is
    ``max_norm / (norm + 1e-6)``, applied only when below 1, exactly as PyTorch computes it.
    ``foreach`` is accepted for compatibility; there is only one implementation.
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return Tensor(0.0)
    xp = backend.xp
    dtype = grads[0].array.dtype
    if norm_type == math.inf:
        norms = xp.stack([xp.abs(g.array).max() for g in grads]).astype(dtype)
        total = norms.max()
    else:
        norms = xp.stack([(xp.abs(g.array) ** norm_type).sum() ** (1 / norm_type)
                          for g in grads]).astype(dtype)
        total = (norms ** norm_type).sum() ** (1 / norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    coef = xp.minimum(dtype.type(max_norm) / (total + dtype.type(1e-6)), dtype.type(1.0))
    with numpy.errstate(invalid="ignore"):  # an infinite norm makes inf·0 = nan, as in PyTorch
        for g in grads:
            g.array = g.array * coef.astype(g.array.dtype)
    return Tensor._make(total, False, None)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        g.array = g.array.clip(-clip_value, clip_value)
