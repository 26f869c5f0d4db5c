"""RMSprop: divide each step by a running root-mean-square of recent gradients."""

from backproplab import backend
from backproplab.optim.optimizer import Optimizer, lerp_


class RMSprop(Optimizer):
    """v ← αv + (1-α)g², p ← p - lr·g / (√v + eps).

    ``centered`` subtracts the squared running mean of g (an estimate of the variance);
    ``momentum`` keeps a buffer b ← μb + g/(√v + eps) and steps by lr·b.
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        for name, value in (("learning rate", lr), ("eps", eps), ("momentum", momentum),
                            ("weight_decay", weight_decay), ("alpha", alpha)):
            if value < 0.0:
                raise ValueError(f"RMSprop: invalid {name} {value}")
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps,
                                  "weight_decay": weight_decay, "momentum": momentum,
                                  "centered": centered})

    def _init_state(self, param, group) -> dict:
        state = {"step": 0, "square_avg": backend.xp.zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = backend.xp.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = backend.xp.zeros_like(param)
        return state

    def _update(self, param, grad, state, group) -> None:
        lr, alpha, wd = group["lr"], group["alpha"], group["weight_decay"]
        state["step"] += 1
        g = grad
        if wd != 0:
            g = g + wd * param
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * g * g
        if group["centered"]:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, g, 1 - alpha)
            avg = backend.xp.sqrt(square_avg - grad_avg * grad_avg)  # √(E[g²] - E[g]²)
        else:
            avg = backend.xp.sqrt(square_avg)
        avg += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += g / avg
            param -= lr * buf
        else:
            param += (-lr * g) / avg
