"""The 2-D bottleneck of an autoencoder: each sample's code, coloured by its label."""

import numpy

from backproplab.plots.figure import CLASS_COLORS, figure


def plot_latent(codes, labels, path, title: str = "Latent space (bottleneck)") -> str:
    codes = numpy.asarray(codes)
    labels = None if labels is None else numpy.asarray(labels).reshape(len(codes), -1)
    with figure(path, figsize=(6, 5.4)) as fig:
        ax = fig.add_subplot(1, 1, 1)
        if labels is None:
            ax.scatter(codes[:, 0], codes[:, 1], s=12, color=CLASS_COLORS[0])
        else:
            lab = labels[:, 0] if labels.shape[1] == 1 else labels.argmax(axis=1)
            for c in numpy.unique(lab):
                m = lab == c
                ax.scatter(codes[m, 0], codes[m, 1], s=12,
                           color=CLASS_COLORS[int(c) % len(CLASS_COLORS)], label=str(int(c)))
            ax.legend(fontsize=7, ncol=2, title="label")
        ax.set_xlabel("code 1")
        ax.set_ylabel("code 2")
        ax.set_title(title)
    return str(path)
