"""Pictures of gradient descent paths, the function drawn under them (a curve for 1-D, contours
for 2-D): one panel per learning rate, or every optimizer's path on one panel, each labelled
with the regime it shows."""

import numpy

from backproplab.explain.descend import descend
from backproplab.plots.figure import CLASS_COLORS, figure


def plot_learning_rates(f, x0, lrs, path, steps: int = 30, optimizer="sgd") -> str:
    """Save a PNG comparing ``lrs`` (e.g. too small, good, too large) on ``f`` from ``x0``."""
    runs = [descend(f, x0, lr, steps, optimizer) for lr in lrs]
    with figure(path, figsize=(4.2 * len(runs), 3.8)) as fig:
        for i, run in enumerate(runs):
            ax = fig.add_subplot(1, len(runs), i + 1)
            _surface(ax, f, x0, _finite(run))
            _path(ax, f, x0, _finite(run), CLASS_COLORS[0 if numpy.ndim(x0) == 0 else 5])
            name = "" if run.optimizer == "sgd" else f"{run.optimizer}, "
            ax.set_title(f"{name}lr = {run.lr:g}: {run.regime}")
    return str(path)


def plot_optimizers(f, x0, lrs: dict, path, steps: int = 50) -> str:
    """Save a PNG of each optimizer's path on ``f`` from ``x0``, all on one picture.

    ``lrs`` maps an optimizer (a name such as "sgd", "momentum", "adam", or a ``bp.optim``
    class) to its learning rate. The view fits the paths that stay bounded, so one that
    diverges leaves the picture instead of shrinking the others to a dot.
    """
    runs = [descend(f, x0, lr, steps, optimizer) for optimizer, lr in lrs.items()]
    bounded = [_finite(r) for r in runs if r.regime != "diverging"]
    shown = numpy.concatenate(bounded or [_finite(r) for r in runs])
    with figure(path, figsize=(6.4, 4.8)) as fig:
        ax = fig.add_subplot(1, 1, 1)
        lo, hi = _surface(ax, f, x0, shown)
        for i, run in enumerate(runs):
            _path(ax, f, x0, _finite(run), CLASS_COLORS[i % len(CLASS_COLORS)],
                  f"{run.optimizer}, lr = {run.lr:g}: {run.regime}")
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.legend(fontsize="small")
        ax.set_title(f"{len(runs)} optimizers, {steps} steps from {numpy.round(x0, 3).tolist()}")
    return str(path)


def _finite(run) -> numpy.ndarray:
    """The path's points as an array, (n,) for 1-D or (n, 2), up to its first non-finite one."""
    pts = numpy.array(run.points, dtype=float)  # None (a non-finite number) becomes nan
    ok = numpy.isfinite(pts).reshape(len(pts), -1).all(axis=1)
    return pts if ok.all() else pts[: int(numpy.argmin(ok))]


def _values(f, grid: numpy.ndarray) -> numpy.ndarray:
    from backproplab.tensor import Tensor

    return f(Tensor(grid)).array


def _surface(ax, f, x0, pts) -> tuple:
    """Draw f under ``pts``; returns the drawn box's low and high corners, (x, y) each."""
    if numpy.ndim(x0) == 0:
        reach = max(1.0, float(numpy.abs(pts).max(initial=1.0))) * 1.1
        xs = numpy.linspace(-reach, reach, 200)
        ys = _values(f, xs)
        ax.plot(xs, ys, color="#888888")
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        margin = 0.05 * float(ys.max() - ys.min())
        return numpy.array([-reach, ys.min() - margin]), numpy.array([reach, ys.max() + margin])
    lo = numpy.minimum(pts.min(axis=0), -1.5) - 0.5
    hi = numpy.maximum(pts.max(axis=0), 1.5) + 0.5
    gx, gy = numpy.meshgrid(numpy.linspace(lo[0], hi[0], 120), numpy.linspace(lo[1], hi[1], 120))
    z = _values(f, numpy.stack([gx, gy]))
    ax.contour(gx, gy, numpy.log1p(z - z.min()), levels=20, cmap="viridis", linewidths=0.7)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return lo, hi


def _path(ax, f, x0, pts, color, label=None) -> None:
    if numpy.ndim(x0) == 0:
        ax.plot(pts, _values(f, pts), "o-", color=color, markersize=3, label=label)
    else:
        ax.plot(pts[:, 0], pts[:, 1], "o-", color=color, markersize=3, label=label)
