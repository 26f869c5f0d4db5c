"""Adagrad: each coordinate's step shrinks with the sum of all its past squared gradients."""

from backproplab import backend
from backproplab.optim.optimizer import Optimizer


class Adagrad(Optimizer):
    """s ← s + g², p ← p - clr·g / (√s + eps) with clr = lr / (1 + (t-1)·lr_decay)."""

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10):
        for name, value in (("learning rate", lr), ("lr_decay", lr_decay), ("eps", eps),
                            ("weight_decay", weight_decay),
                            ("initial_accumulator_value", initial_accumulator_value)):
            if value < 0.0:
                raise ValueError(f"Adagrad: invalid {name} {value}")
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "eps": eps})

    def _init_state(self, param, group) -> dict:
        return {"step": 0,
                "sum": backend.xp.full_like(param, group["initial_accumulator_value"])}

    def _update(self, param, grad, state, group) -> None:
        state["step"] += 1
        g = grad
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * param
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += g * g
        std = backend.xp.sqrt(state["sum"]) + group["eps"]
        param += (-clr * g) / std
