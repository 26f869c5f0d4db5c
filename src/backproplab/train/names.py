"""Losses and optimizers by name, for ``fit(loss="mse", optimizer="adam")``, the CLI and the lab.

One registry each; an unknown name is refused with the list of valid names.
"""

from backproplab import nn, optim

LOSSES = {
    "mse": nn.MSELoss,
    "l1": nn.L1Loss,
    "mae": nn.L1Loss,
    "huber": nn.HuberLoss,
    "bce": nn.BCELoss,
    "bce_with_logits": nn.BCEWithLogitsLoss,
    "cross_entropy": nn.CrossEntropyLoss,
    "nll": nn.NLLLoss,
}

# name -> (class, extra keyword arguments)
OPTIMIZERS = {
    "sgd": (optim.SGD, {}),
    "momentum": (optim.SGD, {"momentum": 0.9}),
    "nesterov": (optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "adam": (optim.Adam, {}),
    "adamw": (optim.AdamW, {}),
    "rmsprop": (optim.RMSprop, {}),
    "adagrad": (optim.Adagrad, {}),
}

DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adam": 0.01, "adamw": 0.01,
              "rmsprop": 0.01, "adagrad": 0.1}


def _unknown(kind: str, name, valid) -> ValueError:
    return ValueError(f"unknown {kind} {name!r}; valid names: {', '.join(sorted(valid))}")


def make_loss(loss):
    """A loss module from a name, or ``loss`` itself if it is already callable."""
    if callable(loss):
        return loss
    try:
        return LOSSES[loss]()
    except KeyError:
        raise _unknown("loss", loss, LOSSES) from None


def make_optimizer(optimizer, params, lr: float | None = None, **kwargs):
    """An optimizer from a name (with ``lr`` or the name's default), or the object itself."""
    if not isinstance(optimizer, str):
        if lr is not None:
            raise ValueError("pass lr= only together with an optimizer name; this optimizer "
                             "already has its learning rate")
        return optimizer
    try:
        cls, extra = OPTIMIZERS[optimizer]
    except KeyError:
        raise _unknown("optimizer", optimizer, OPTIMIZERS) from None
    lr = DEFAULT_LR[optimizer] if lr is None else lr
    check_lr(lr)
    return cls(params, lr=lr, **{**extra, **kwargs})


def check_lr(lr) -> float:
    import math

    if not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"the learning rate must be a finite positive number, got {lr!r}")
    return float(lr)
