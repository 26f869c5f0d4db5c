"""The gradient panel's numbers: how large each layer's gradient is, whether it vanishes or
explodes on the way back, which units are dead or saturated, and which initialisation the
network started from.

Norms are read from the last training step's ``.grad`` (what the optimizer really used);
the flags and the first/last ratio come from ``bp.explain.gradient_health`` on the current
weights over the first ``limits.GRADIENT_HEALTH_ROWS`` training rows (``health_report``, which
the lessons' readouts read too), so the page shows the library's own diagnosis, once.
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


def health_rows(session) -> numpy.ndarray:
    """The training rows the health check reads: the first ``GRADIENT_HEALTH_ROWS`` (the
    points are shuffled when made, so these are a fair sample, and the same every time)."""
    return numpy.flatnonzero(~session.points.is_test)[:limits.GRADIENT_HEALTH_ROWS]


def health_report(session) -> explain.GradientHealth:
    """``bp.explain.gradient_health`` of the current weights on ``health_rows``: the one
    check the gradient panel and the lessons' readouts both show, so their first/last-layer
    numbers are the same numbers (they were two checks on different rows: 0.00012 beside
    0.00017). Made once per weights, data and rate; raises ValueError for a model that is not
    a plain MLP."""
    net, rows = session.network, health_rows(session)
    lr = session.optimizer.param_groups[0]["lr"]
    key = (net, session.weights_version, session.data_version, lr)
    kept = getattr(session, "_health_report", None)
    if kept is not None and kept[0] == key:
        return kept[1]
    report = explain.gradient_health(net.model, net.inputs(session.points.x[rows]),
                                     net.targets(session.points.y[rows]), net.loss_fn, lr=lr)
    session._health_report = key, report
    return report


def health(session) -> dict:
    """``health_report``'s flags and first/last ratio, and how many rows it read; an
    autoencoder (not a plain MLP) gets a note instead."""
    try:
        report = health_report(session)
    except ValueError:
        return {"health": [], "ratio": None, "rows": 0,
                "note": "No warnings of vanishing, exploding or dead units here: those "
                        "checks are for plain layer-by-layer networks."}
    return {"health": report.flags(), "ratio": report.first_to_last_ratio,
            "rows": len(health_rows(session)), "note": None}
