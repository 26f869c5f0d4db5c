"""The data space: a heatmap of the model's output over the plane, with the data on top."""

import numpy

from backproplab.plots.figure import CLASS_COLORS, DIVERGING, figure


def grid(x: numpy.ndarray, resolution: int = 200, margin: float = 0.1):
    """A resolution×resolution grid covering the data's range plus a margin on every side."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = (hi - lo) * margin + 1e-9
    xs = numpy.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = numpy.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    gx, gy = numpy.meshgrid(xs, ys)
    return gx, gy, numpy.column_stack([gx.ravel(), gy.ravel()])


def plot_decision_boundary(predict, x, y, path, title: str = "Decision boundary",
                           resolution: int = 200) -> str:
    """``predict(points) -> scores``: (N,) probabilities of class 1, or (N, C) class scores."""
    x = numpy.asarray(x, dtype=numpy.float64)
    y = numpy.asarray(y).reshape(len(x), -1)
    gx, gy, points = grid(x, resolution)
    scores = numpy.asarray(predict(points))
    labels = y[:, 0] if y.shape[1] == 1 else y.argmax(axis=1)
    with figure(path, figsize=(6, 5.4)) as fig:
        ax = fig.add_subplot(1, 1, 1)
        if scores.ndim == 2 and scores.shape[1] > 1:
            cls = scores.argmax(axis=1).reshape(gx.shape)
            from matplotlib.colors import ListedColormap

            cmap = ListedColormap(CLASS_COLORS[:scores.shape[1]])
            ax.contourf(gx, gy, cls, levels=numpy.arange(scores.shape[1] + 1) - 0.5, cmap=cmap,
                        alpha=0.35)
        else:
            z = scores.reshape(gx.shape)
            im = ax.contourf(gx, gy, z, levels=numpy.linspace(0, 1, 21), cmap=DIVERGING,
                             alpha=0.8)
            ax.contour(gx, gy, z, levels=[0.5], colors="black", linewidths=1)
            fig.colorbar(im, ax=ax, label="P(class 1)")
        classes = numpy.unique(labels.astype(numpy.int64))
        for c in classes:
            m = labels.astype(numpy.int64) == c
            ax.scatter(x[m, 0], x[m, 1], s=14, color=CLASS_COLORS[int(c) % len(CLASS_COLORS)],
                       edgecolors="white", linewidths=0.4, label=f"class {int(c)}")
        ax.set_xlabel("input 1")
        ax.set_ylabel("input 2")
        ax.set_title(title)
        ax.legend(loc="best", fontsize=8)
    return str(path)
