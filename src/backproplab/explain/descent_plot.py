"""Pictures of gradient descent paths: one panel per learning rate, the function drawn under the
path (a curve for 1-D, contours for 2-D), titled with the regime the path shows."""

import numpy

from backproplab.explain.descend import descend
from backproplab.plots.figure import CLASS_COLORS, figure


def plot_learning_rates(f, x0, lrs, path, steps: int = 30) -> str:
    """Save a PNG comparing ``lrs`` (e.g. too small, good, too large) on ``f`` from ``x0``."""
    runs = [descend(f, x0, lr, steps) for lr in lrs]
    with figure(path, figsize=(4.2 * len(runs), 3.8)) as fig:
        for i, run in enumerate(runs):
            ax = fig.add_subplot(1, len(runs), i + 1)
            pts = numpy.array([p for p in run.points if p is not None], dtype=float)
            if numpy.ndim(x0) == 0:
                _curve(ax, f, pts)
            else:
                _contours(ax, f, pts)
            ax.set_title(f"lr = {run.lr:g}: {run.regime}")
    return str(path)


def _values(f, grid: numpy.ndarray) -> numpy.ndarray:
    from backproplab.tensor import Tensor

    return f(Tensor(grid)).data


def _curve(ax, f, pts) -> None:
    finite = pts[numpy.isfinite(pts)]
    reach = max(1.0, float(numpy.abs(finite).max(initial=1.0))) * 1.1
    xs = numpy.linspace(-reach, reach, 200)
    ax.plot(xs, _values(f, xs), color="#888888")
    ax.plot(pts, _values(f, pts), "o-", color=CLASS_COLORS[0], markersize=3)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")


def _contours(ax, f, pts) -> None:
    finite = pts[numpy.isfinite(pts).all(axis=1)]
    lo = numpy.minimum(finite.min(axis=0), -1.5) - 0.5
    hi = numpy.maximum(finite.max(axis=0), 1.5) + 0.5
    gx, gy = numpy.meshgrid(numpy.linspace(lo[0], hi[0], 120), numpy.linspace(lo[1], hi[1], 120))
    z = _values(f, numpy.stack([gx, gy]))
    ax.contour(gx, gy, numpy.log1p(z - z.min()), levels=20, cmap="viridis", linewidths=0.7)
    ax.plot(finite[:, 0], finite[:, 1], "o-", color=CLASS_COLORS[5], markersize=3)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
