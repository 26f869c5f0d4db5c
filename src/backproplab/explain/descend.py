"""Gradient descent on a plain function of one or two variables, with its path recorded.

``f`` is written with engine ops (``lambda x: x ** 2``); every step asks ``backward()`` for the
gradient, so the path shows exactly what the engine's derivative does with a learning rate:
creep when it is too small, converge when it is right, zig-zag or blow up when it is too large.
"""

from dataclasses import asdict, dataclass

import numpy

from backproplab.explain.json_numbers import numbers
from backproplab.tensor import Tensor

_DIVERGED = 1e6  # |x| or f beyond this counts as diverged
_CONVERGED = 1e-3  # gradient norm shrunk below this fraction of the first one


@dataclass
class DescentPath:
    lr: float
    points: list  # steps+1 points: floats (1-D) or [x, y] (2-D)
    values: list  # f at each point
    grads: list  # gradient at each point
    regime: str  # "slow", "converging", "oscillating" or "diverging"

    def to_dict(self) -> dict:
        return asdict(self)


def square(x):
    """x²: the simplest bowl; steps with lr > 1 overshoot further each time."""
    return x * x


def narrow_valley(x):
    """x² + 25y²: steep across, shallow along, so one learning rate suits neither direction."""
    return x[0] * x[0] + 25 * x[1] * x[1]


def rosenbrock(x):
    """(1 - x)² + 100(y - x²)²: a curved banana valley with its minimum at (1, 1)."""
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] * x[0]) ** 2


def descend(f, x0, lr: float, steps: int = 50) -> DescentPath:
    """``steps`` gradient-descent steps x ← x - lr·∇f(x) from ``x0`` (a number or a pair)."""
    x = numpy.array(x0, dtype=numpy.float64)
    points, values, grads = [], [], []
    for _ in range(steps + 1):
        t = Tensor(x, requires_grad=True)
        y = f(t)
        y.backward()
        g = t.grad.data
        points.append(x.copy())
        values.append(float(y.data))
        grads.append(g.copy())
        if not numpy.isfinite(values[-1]) or numpy.abs(x).max() > _DIVERGED:
            break
        x = x - lr * g
    return DescentPath(float(lr), numbers(points), numbers(values), numbers(grads),
                       _regime(points, values, grads))


def _regime(points, values, grads) -> str:
    p = numpy.asarray(points, dtype=numpy.float64).reshape(len(points), -1)
    v = numpy.asarray(values)
    g0 = numpy.linalg.norm(grads[0])
    if not numpy.isfinite(v).all() or numpy.abs(p).max() > _DIVERGED or v[-1] > v[0]:
        return "diverging"
    if numpy.linalg.norm(grads[-1]) <= _CONVERGED * max(g0, 1e-300):
        return "converging"
    moves = numpy.diff(p, axis=0)
    reversals = (moves[1:] * moves[:-1]).sum(axis=1) < 0
    if reversals.size and reversals.mean() > 0.5:
        return "oscillating"
    return "slow"
