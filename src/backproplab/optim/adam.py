"""Adam: per-coordinate steps scaled by running averages of the gradient and its square."""

from backproplab import backend
from backproplab.optim.optimizer import Optimizer, lerp_


class Adam(Optimizer):
    """m ← β₁m + (1-β₁)g, v ← β₂v + (1-β₂)g², p ← p - lr·m̂ / (√v̂ + eps) with the bias
    corrections m̂ = m/(1-β₁ᵗ), v̂ = v/(1-β₂ᵗ); ``amsgrad`` uses the largest v seen so far.

    ``weight_decay`` adds wd·p to the gradient (L2); see ``AdamW`` for the decoupled form.
    """

    decoupled_weight_decay = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        if lr < 0.0:
            raise ValueError(f"{type(self).__name__}: invalid learning rate {lr}")
        if eps < 0.0:
            raise ValueError(f"{type(self).__name__}: invalid eps {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{type(self).__name__}: invalid beta at index {i}: {beta}")
        if weight_decay < 0.0:
            raise ValueError(f"{type(self).__name__}: invalid weight_decay {weight_decay}")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad})

    def _init_state(self, param, group) -> dict:
        state = {"step": 0, "exp_avg": backend.xp.zeros_like(param),
                 "exp_avg_sq": backend.xp.zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = backend.xp.zeros_like(param)
        return state

    def _update(self, param, grad, state, group) -> None:
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        state["step"] += 1
        step = state["step"]
        g = grad
        if wd != 0:
            if self.decoupled_weight_decay:
                param *= 1 - lr * wd  # shrink the weights directly, apart from the gradient
            else:
                g = g + wd * param
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        lerp_(exp_avg, g, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * g * g
        bias_correction1 = 1 - beta1**step
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        step_size = lr / bias_correction1
        second = exp_avg_sq
        if group["amsgrad"]:
            second = state["max_exp_avg_sq"]
            backend.xp.maximum(second, exp_avg_sq, out=second)
        denom = backend.xp.sqrt(second) / bias_correction2_sqrt + eps
        param += (-step_size * exp_avg) / denom
