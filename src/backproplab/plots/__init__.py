"""Matplotlib figures of a training run, written as PNG files (headless, Agg backend).

One figure per module; each function takes plain data (arrays, a History, a predict
function) and a path, so the CLI, the lab and users' notebooks draw the same pictures.
"""

from backproplab.plots.boundary import plot_decision_boundary
from backproplab.plots.gradient_norms import plot_gradient_norms
from backproplab.plots.latent import plot_latent
from backproplab.plots.loss_curves import plot_loss_curves
from backproplab.plots.reconstructions import plot_reconstructions
from backproplab.plots.regression_fit import plot_regression_fit

__all__ = [
    "plot_decision_boundary",
    "plot_gradient_norms",
    "plot_latent",
    "plot_loss_curves",
    "plot_reconstructions",
    "plot_regression_fit",
]
