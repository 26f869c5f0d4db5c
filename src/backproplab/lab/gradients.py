"""The gradient panel's numbers: how large each layer's gradient is, whether it vanishes or
explodes on the way back, which units are dead or saturated, and which initialisation the
network started from.

Norms are read from the last training step's ``.grad`` (what the optimizer really used);
the flags come from ``bp.explain.gradient_health`` on the current weights over up to
``limits.GRADIENT_HEALTH_ROWS`` training rows, so the page shows the library's own diagnosis.
The frames (:mod:`~backproplab.lab.frames`) decide how often each is computed.

The flags need each unit's activation slope on the rows, which a training step replayed by
``bp.compile`` does not keep (it keeps the parameters' ``.grad`` only), so the check runs a
pass of its own rather than reading the step's.
"""

import numpy

from backproplab import explain, nn
from backproplab.lab import limits

_INIT_NAMES = {"kaiming": "Kaiming (He) uniform", "xavier": "Xavier (Glorot) uniform"}


def layer_norms(network) -> list[float] | None:
    """‖∂L/∂W‖ per layer, weight and bias together (as ``gradient_health`` measures it), from
    the last step; None before the first step."""
    if network.layers[0][0].weight.grad is None:
        return None
    norms = []
    for linear, _ in network.layers:
        squares = sum(float((p.grad.array.astype(numpy.float64) ** 2).sum())
                      for p in (linear.weight, linear.bias) if p is not None and p.grad is not None)
        norms.append(float(f"{numpy.sqrt(squares):.6g}") if numpy.isfinite(squares) else None)
    return norms


def initialisation(network) -> str:
    """Which initialisation each kind of layer got, e.g. "Kaiming (He) uniform before relu;
    Xavier (Glorot) uniform before the output; biases 0.1 before relu, 0 before the output;
    ReLU units dead on every training row at the start drawn again"."""
    if not network.suited_init:
        return "the model's own weights, as its notebook made them"
    parts: dict[str, list[str]] = {}
    for activation, role in zip(network.activations(), network.roles, strict=True):
        name = _INIT_NAMES[nn.init.init_for(activation)]
        where = {"output": "the output", "code": "the code"}.get(role, activation)
        if where not in parts.setdefault(name, []):
            parts[name].append(where)
    text = "; ".join(f"{name} before {' and '.join(where)}" for name, where in parts.items())
    kaiming = parts.get(_INIT_NAMES["kaiming"])
    if not kaiming:
        return text + "; biases 0"
    others = parts.get(_INIT_NAMES["xavier"], [])
    return (text + f"; biases {nn.init.RELU_BIAS:g} before {' and '.join(kaiming)}"
            + (f", 0 before {' and '.join(others)}" if others else "")
            + "; ReLU units dead on every training row at the start drawn again")


def health(session) -> dict:
    """``gradient_health``'s flags and first/last ratio for the current weights, over evenly
    spaced training rows; an autoencoder (not a plain MLP) gets a note instead."""
    rows = numpy.flatnonzero(~session.points.is_test)
    if len(rows) > limits.GRADIENT_HEALTH_ROWS:
        rows = rows[numpy.linspace(0, len(rows) - 1, limits.GRADIENT_HEALTH_ROWS).astype(int)]
    net = session.network
    try:
        report = explain.gradient_health(net.model, net.inputs(session.points.x[rows]),
                                         net.targets(session.points.y[rows]), net.loss_fn,
                                         lr=session.config.lr)
    except ValueError:
        return {"health": [], "ratio": None, "rows": 0,
                "note": "the health check reads plain networks (Linear layers and activations); "
                        "this model's layers show their norms only"}
    return {"health": report.flags(), "ratio": report.first_to_last_ratio, "rows": len(rows),
            "note": None}
