"""Train and validation loss per epoch, with event markers (early stop, divergence, lr)."""

import math

from backproplab.plots.figure import CLASS_COLORS, figure


def plot_loss_curves(history, path, log_scale: bool = True) -> str:
    with figure(path) as fig:
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(history.epochs, history.train_loss, color=CLASS_COLORS[0], label="train loss")
        if history.val_loss:
            ax.plot(history.epochs, history.val_loss, color=CLASS_COLORS[1],
                    label="validation loss")
        finite = [v for v in history.train_loss + history.val_loss if math.isfinite(v) and v > 0]
        if log_scale and finite:
            ax.set_yscale("log")
        for event in history.events:
            ax.axvline(event.epoch, color="#777777", linestyle=":", linewidth=1)
            ax.annotate(event.kind.replace("_", " "), (event.epoch, 1.0),
                        xycoords=("data", "axes fraction"), rotation=90, va="top",
                        fontsize=8, color="#555555")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.set_title("Loss per epoch")
        ax.legend()
    return str(path)
