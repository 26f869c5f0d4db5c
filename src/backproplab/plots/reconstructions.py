"""Autoencoder originals (top row) against reconstructions (bottom row)."""

import math

import numpy

from backproplab.plots.figure import figure


def plot_reconstructions(originals, reconstructions, path, image_shape=None, count: int = 8) -> str:
    originals = numpy.asarray(originals)[:count]
    reconstructions = numpy.asarray(reconstructions)[:count]
    n = len(originals)
    if image_shape is None:
        side = math.isqrt(originals.shape[1])
        image_shape = (side, side) if side * side == originals.shape[1] else (1, originals.shape[1])
    with figure(path, figsize=(1.4 * n, 3.2)) as fig:
        for i in range(n):
            for row, data in enumerate((originals, reconstructions)):
                ax = fig.add_subplot(2, n, row * n + i + 1)
                ax.imshow(data[i].reshape(image_shape), cmap="gray_r", vmin=0, vmax=1,
                          aspect="auto" if image_shape[0] == 1 else "equal")
                ax.set_xticks([])
                ax.set_yticks([])
                if i == 0:
                    ax.set_ylabel("original" if row == 0 else "reconstruction", fontsize=8)
    return str(path)
