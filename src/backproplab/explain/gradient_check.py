"""Gradient check view: every parameter's analytic gradient (``backward()``) next to a central
finite difference of the loss, with the relative error.

It runs on a float64 copy of the model, so float32 rounding does not masquerade as a wrong
gradient, and leaves the model itself untouched.
"""

import copy
from dataclasses import asdict, dataclass

import numpy

from backproplab import dtypes
from backproplab.autograd.grad_mode import no_grad
from backproplab.explain.backward_pass import run_backward
from backproplab.explain.json_numbers import number
from backproplab.explain.limits import MAX_GRADCHECK_ELEMENTS
from backproplab.explain.step_inputs import as_batch, as_target


@dataclass
class GradientCheckRow:
    name: str  # "0.weight[1, 0]"
    analytic: float | None
    numeric: float | None
    relative_error: float | None


@dataclass
class GradientCheck:
    rows: list[GradientCheckRow]
    eps: float
    max_relative_error: float | None
    ok: bool  # every relative error below the tolerance
    tolerance: float = 1e-5

    def to_dict(self) -> dict:
        return asdict(self)

    def _repr_html_(self) -> str:
        from backproplab.display.report_views import check_html

        return check_html(self)


def gradient_check(model, x, target, loss_fn, eps: float = 1e-6,
                   tolerance: float = 1e-5) -> GradientCheck:
    """Relative error |a - n| / max(|a| + |n|, 1e-12) per parameter element."""
    if sum(p.array.size for p in model.parameters()) > MAX_GRADCHECK_ELEMENTS:
        raise ValueError(f"gradient_check: more than {MAX_GRADCHECK_ELEMENTS} parameter "
                         "elements; check a smaller model")
    model64 = copy.deepcopy(model).to(dtypes.float64)
    analytic = run_backward(model64, x, target, loss_fn).grads
    xb = as_batch(model64, x)

    def loss_value() -> float:
        with no_grad():
            out = model64(xb)
            return float(loss_fn(out, as_target(target, out, loss_fn)).array)

    rows = []
    for name, p in model64.named_parameters():
        for idx in numpy.ndindex(*p.array.shape):
            keep = p.array[idx]
            p.array[idx] = keep + eps
            up = loss_value()
            p.array[idx] = keep - eps
            down = loss_value()
            p.array[idx] = keep
            numeric = (up - down) / (2 * eps)
            a = 0.0 if analytic[name] is None else float(analytic[name][idx])
            rel = abs(a - numeric) / max(abs(a) + abs(numeric), 1e-12)
            label = f"{name}[{', '.join(map(str, idx))}]" if idx else name
            rows.append(GradientCheckRow(label, number(a), number(numeric), number(rel)))
    worst = max((r.relative_error for r in rows if r.relative_error is not None), default=0.0)
    return GradientCheck(rows, eps, number(worst), bool(worst < tolerance), tolerance)
