"""1-D regression: the data points and the network's curve over the input range."""

import numpy

from backproplab.plots.figure import CLASS_COLORS, figure


def plot_regression_fit(predict, x, y, path, title: str = "Fit") -> str:
    x = numpy.asarray(x, dtype=numpy.float64).reshape(-1)
    y = numpy.asarray(y).reshape(-1)
    pad = (x.max() - x.min()) * 0.05 + 1e-9
    grid = numpy.linspace(x.min() - pad, x.max() + pad, 400)
    with figure(path) as fig:
        ax = fig.add_subplot(1, 1, 1)
        ax.scatter(x, y, s=10, color=CLASS_COLORS[0], label="data")
        ax.plot(grid, numpy.asarray(predict(grid[:, None])).reshape(-1), color=CLASS_COLORS[1],
                linewidth=2, label="network")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_title(title)
        ax.legend()
    return str(path)
