"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""

from backproplab.optim.optimizer import Optimizer


class SGD(Optimizer):
    """p ← p - lr·g, where g is the gradient (plus weight_decay·p), or with momentum μ the
    running buffer b ← μ·b + (1-dampening)·g (Nesterov: g + μ·b), exactly as PyTorch.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        if lr < 0.0:
            raise ValueError(f"SGD: invalid learning rate {lr}")
        if momentum < 0.0:
            raise ValueError(f"SGD: invalid momentum {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"SGD: invalid weight_decay {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov})

    def _update(self, param, grad, state, group) -> None:
        lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
        g = grad
        if wd != 0:
            g = g + wd * param  # L2 penalty ½·wd·p² adds wd·p to the gradient
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()  # first step: the buffer is g itself
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * g
            g = g + momentum * buf if group["nesterov"] else buf
        param -= lr * g
