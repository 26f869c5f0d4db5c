"""Gradient health of one step: per-layer gradient size, update-to-weight ratio, dead and
saturated units, and flags for vanishing and exploding gradients.

Dead and saturated units are read from the activation slopes the ops' backward rules give
(∂out/∂net): a ReLU unit whose slope is 0 for every sample passes no gradient at all; a sigmoid
or tanh unit whose slope is under a tenth of its largest (at net = 0) passes almost none.
"""

import re
from dataclasses import asdict, dataclass

import numpy

from backproplab.explain.backward_pass import ModelSnapshot, run_backward
from backproplab.explain.json_numbers import number
from backproplab.explain.recorded_forward import activation_slope
from backproplab.tensor import Tensor

VANISHING_RATIO = 1e-2  # first layer's gradient norm below this fraction of the last's
EXPLODING_RATIO = 1e2  # ... or above this multiple of it
SATURATION = 0.1  # slope below this fraction of the activation's slope at 0
_SATURATING = ("sigmoid", "tanh")


@dataclass
class LayerHealth:
    name: str
    activation: str
    grad_norm: float | None  # ‖∂L/∂W‖ (weight and bias together)
    mean_abs_grad: float | None
    weight_norm: float | None
    update_ratio: float | None  # lr·‖∂L/∂W‖ / ‖W‖: ~1e-3 is healthy
    dead_units: list[int]
    saturated_units: list[int]
    units: int | None = None  # the layer's output units


@dataclass
class GradientHealth:
    layers: list[LayerHealth]
    first_to_last_ratio: float | None
    vanishing: bool
    exploding: bool

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [f"{'layer':>8} {'activation':>10} {'‖grad‖':>11} {'mean|grad|':>11} "
                 f"{'update/weight':>13}  dead  saturated"]
        for h in self.layers:
            lines.append(f"{h.name:>8} {h.activation:>10} {_g(h.grad_norm):>11} "
                         f"{_g(h.mean_abs_grad):>11} {_g(h.update_ratio):>13}  "
                         f"{len(h.dead_units):4d}  {len(h.saturated_units):9d}")
        lines.append(f"first/last layer gradient ratio: {_g(self.first_to_last_ratio)}"
                     + ("  → VANISHING gradient" if self.vanishing else "")
                     + ("  → EXPLODING gradient" if self.exploding else ""))
        return "\n".join(lines)

    def flags(self) -> list[str]:
        """What is wrong, one sentence each, for a student: vanishing or exploding gradients,
        then dead and saturated units layer by layer. Layers count from 1, the output last."""
        last = len(self.layers)
        out = []
        if self.vanishing:
            out.append(f"vanishing gradient: layer 1 receives {_short(self.first_to_last_ratio)} "
                       f"of layer {last}'s gradient")
        broken = [i + 1 for i, h in enumerate(self.layers) if h.grad_norm is None]
        if broken:
            out.append(f"exploding gradient: the gradient of layer {broken[0]} is not a finite "
                       "number")
        elif self.exploding:
            out.append(f"exploding gradient: layer 1 receives {_short(self.first_to_last_ratio)}"
                       f"× layer {last}'s gradient")
        for i, h in enumerate(self.layers, start=1):
            for units, state, why in ((h.dead_units, "dead", "gradient 0 on every sample"),
                                      (h.saturated_units, "saturated",
                                       f"slope under {SATURATION:.0%} of its peak on every "
                                       "sample")):
                if units:
                    verb = "is" if len(units) == 1 else "are"
                    out.append(f"{len(units)} of {h.units} units in layer {i} {verb} {state}: "
                               f"{why}")
        return out

    def _repr_html_(self) -> str:
        from backproplab.display.report_views import health_html

        return health_html(self)


def _short(v: float) -> str:
    """3e-08 → "3e-8", 0.0042 → "0.0042": two significant digits, no padded exponent."""
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{v:.2g}").replace("e+", "e")


def _g(v) -> str:
    return "—" if v is None else f"{v:.3g}"


def gradient_health(model, x, target, loss_fn, lr: float = 0.1) -> GradientHealth:
    with ModelSnapshot(model):
        bp_ = run_backward(model, x, target, loss_fn)
    if not bp_.records:
        raise ValueError("gradient_health: the model is not an MLP of Linear layers and "
                         "elementwise activations")
    layers = []
    for rec in bp_.records:
        layer = rec.layer
        grads = [g for g in (bp_.grads.get(layer.weight_name),
                             bp_.grads.get(layer.bias_name) if layer.bias_name else None)
                 if g is not None]
        flat = numpy.concatenate([g.ravel() for g in grads]) if grads else numpy.zeros(0)
        params = [layer.linear.weight.array] + ([] if layer.linear.bias is None
                                               else [layer.linear.bias.array])
        w_norm = float(numpy.sqrt(sum((p.astype(float) ** 2).sum() for p in params)))
        g_norm = float(numpy.sqrt((flat.astype(float) ** 2).sum()))
        dead, saturated = _unit_states(rec)
        layers.append(LayerHealth(
            layer.name, layer.activation_name, number(g_norm),
            number(numpy.abs(flat).mean()) if flat.size else None, number(w_norm),
            number(lr * g_norm / w_norm) if w_norm else None, dead, saturated,
            int(layer.linear.out_features)))
    first, last = layers[0].grad_norm, layers[-1].grad_norm
    ratio = first / last if first is not None and last else None
    return GradientHealth(layers, number(ratio) if ratio is not None else None,
                          bool(ratio is not None and ratio < VANISHING_RATIO),
                          bool(ratio is not None and ratio > EXPLODING_RATIO)
                          or any(h.grad_norm is None for h in layers))


def _unit_states(rec) -> tuple[list[int], list[int]]:
    slope = rec.slope
    name = rec.layer.activation_name
    if rec.layer.activation is None:
        return [], []
    dead = [int(j) for j in numpy.flatnonzero((slope == 0).all(axis=0))]
    saturated = []
    if name in _SATURATING:
        peak = _slope_at_zero(rec.layer.activation, slope.dtype)
        saturated = [int(j) for j in numpy.flatnonzero((slope < SATURATION * peak).all(axis=0))]
    return dead, saturated


def _slope_at_zero(activation, dtype) -> float:
    """The activation's slope at net = 0, from its own backward rule (its peak for σ and tanh).
    Asked once per kind of activation and dtype (σ and tanh have no parameters to change it):
    a lab checks a playing network's health several times a second."""
    key = type(activation), numpy.dtype(dtype)
    if key not in _PEAK_SLOPES:
        net = Tensor(numpy.zeros(1, dtype=dtype), requires_grad=True)
        _PEAK_SLOPES[key] = float(activation_slope(activation(net), net)[0])
    return _PEAK_SLOPES[key]


_PEAK_SLOPES: dict = {}
