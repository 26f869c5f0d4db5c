"""Gradient descent on a plain function of one or two variables, with its path recorded.

``f`` is written with engine ops (``lambda x: x ** 2``); every step asks ``backward()`` for the
gradient and a real ``bp.optim`` optimizer moves the point, so the path shows exactly what the
engine's derivative and update rule do with a learning rate: creep when it is too small,
converge when it is right, zig-zag or blow up when it is too large — and how momentum or Adam
change that in a narrow valley.
"""

from dataclasses import asdict, dataclass

import numpy

from backproplab.explain.json_numbers import numbers
from backproplab.tensor import Tensor
from backproplab.train.names import make_optimizer

_DIVERGED = 1e6  # |x| or f beyond this counts as diverged
_CONVERGED = 1e-3  # gradient norm shrunk below this fraction of the first one
_RISES = 0.25  # f going up on more than this fraction of steps is an oscillation


@dataclass
class DescentPath:
    lr: float
    points: list  # steps+1 points: floats (1-D) or [x, y] (2-D)
    values: list  # f at each point
    grads: list  # gradient at each point
    regime: str  # "slow", "converging", "oscillating" or "diverging"
    optimizer: str = "sgd"  # the registry name, or the optimizer class's name

    def to_dict(self) -> dict:
        return asdict(self)

    def _repr_html_(self) -> str:
        from backproplab.display.curve_views import path_html

        return path_html(self)


def square(x):
    """x²: the simplest bowl; steps with lr > 1 overshoot further each time."""
    return x * x


def narrow_valley(x):
    """x² + 25y²: steep across, shallow along, so one learning rate suits neither direction."""
    return x[0] * x[0] + 25 * x[1] * x[1]


def rosenbrock(x):
    """(1 - x)² + 100(y - x²)²: a curved banana valley with its minimum at (1, 1)."""
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] * x[0]) ** 2


def double_well(x):
    """x⁴ - 2x² + 0.3x: two valleys, the left one deeper, so where a path ends depends on where
    it starts: from the right it settles in the local minimum near x = 0.96, not the global one
    near x = -1.04."""
    return x ** 4 - 2 * x * x + 0.3 * x


def himmelblau(x):
    """(x² + y - 11)² + (x + y² - 7)²: four minima of equal height 0, one in each quadrant
    ((3, 2) among them), so each start point picks one."""
    return (x[0] * x[0] + x[1] - 11) ** 2 + (x[0] + x[1] * x[1] - 7) ** 2


def descend(f, x0, lr: float, steps: int = 50, optimizer="sgd") -> DescentPath:
    """``steps`` optimizer steps on ``f`` from ``x0`` (a number or a pair).

    ``optimizer`` is a name from ``bp.train``'s registry ("sgd": x ← x - lr·∇f(x), "momentum",
    "nesterov", "adam", "rmsprop", …) or a ``bp.optim`` class or factory called as
    ``optimizer([x], lr=lr)``; it updates the point as it would a network's weight.
    """
    x = Tensor(numpy.array(x0, dtype=numpy.float64), requires_grad=True)  # 0-d for a number
    opt = make_optimizer(optimizer, [x], lr=lr) if isinstance(optimizer, str) \
        else optimizer([x], lr=lr)
    points, values, grads = [], [], []
    for _ in range(steps + 1):
        opt.zero_grad()
        y = f(x)
        y.backward()
        points.append(x.array.copy())
        values.append(float(y.array))
        grads.append(x.grad.array.copy())
        if not numpy.isfinite(values[-1]) or numpy.abs(x.array).max() > _DIVERGED:
            break
        opt.step()
    name = optimizer if isinstance(optimizer, str) else getattr(optimizer, "__name__",
                                                                 type(opt).__name__)
    return DescentPath(float(lr), numbers(points), numbers(values), numbers(grads),
                       _regime(points, values, grads), name)


def _regime(points, values, grads) -> str:
    p = numpy.asarray(points, dtype=numpy.float64).reshape(len(points), -1)
    v = numpy.asarray(values)
    g0 = numpy.linalg.norm(grads[0])
    if not numpy.isfinite(v).all() or numpy.abs(p).max() > _DIVERGED or v[-1] > v[0]:
        return "diverging"
    if numpy.linalg.norm(grads[-1]) <= _CONVERGED * max(g0, 1e-300):
        return "converging"
    moves = numpy.diff(p, axis=0)
    reversals = (moves[1:] * moves[:-1]).sum(axis=1) < 0  # plain steps zig-zag step by step
    rises = numpy.diff(v) > 0  # momentum swings past the minimum and climbs back out
    if (reversals.size and reversals.mean() > 0.5) or (rises.size and rises.mean() > _RISES):
        return "oscillating"
    return "slow"
