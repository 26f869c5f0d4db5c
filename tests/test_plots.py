"""Every plot function writes a valid PNG and leaves pyplot's state (backend, open figures)
exactly as it found it."""

import os

import matplotlib
import matplotlib.image
import matplotlib.pyplot as plt
import numpy
import pytest

from backproplab import plots
from backproplab.train import Event, History

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RNG = numpy.random.default_rng(0)


def _history():
    h = History(epochs=[1, 2, 3], train_loss=[1.0, 0.5, 0.25], val_loss=[1.1, 0.6, 0.4])
    h.events.append(Event("early_stop", 3, 30, "stop"))
    return h


def _binary_predict(points):
    return 1 / (1 + numpy.exp(-points[:, 0] * points[:, 1]))


CASES = {
    "loss": lambda p: plots.plot_loss_curves(_history(), p),
    "loss_nan": lambda p: plots.plot_loss_curves(
        History(epochs=[1, 2], train_loss=[1.0, float("nan")]), p),
    "gradient_norms": lambda p: plots.plot_gradient_norms({"0": [0.1, 0.01], "2": [1.0, 0.5]},
                                                          p),
    "boundary_binary": lambda p: plots.plot_decision_boundary(
        _binary_predict, RNG.normal(size=(30, 2)), RNG.integers(0, 2, (30, 1)), p,
        resolution=30),
    "boundary_multiclass": lambda p: plots.plot_decision_boundary(
        lambda pts: numpy.stack([pts[:, 0], pts[:, 1], -pts[:, 0]], axis=1),
        RNG.normal(size=(30, 2)), RNG.integers(0, 3, 30), p, resolution=30),
    "regression": lambda p: plots.plot_regression_fit(
        lambda g: numpy.sin(g), numpy.linspace(-3, 3, 20), numpy.sin(numpy.linspace(-3, 3, 20)),
        p),
    "reconstructions": lambda p: plots.plot_reconstructions(RNG.random((5, 64)),
                                                            RNG.random((5, 64)), p),
    "reconstructions_flat": lambda p: plots.plot_reconstructions(RNG.random((3, 8)),
                                                                 RNG.random((3, 8)), p),
    "latent": lambda p: plots.plot_latent(RNG.normal(size=(20, 2)), RNG.integers(0, 4, 20), p),
    "latent_unlabelled": lambda p: plots.plot_latent(RNG.normal(size=(20, 2)), None, p),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_plot_writes_a_readable_png_and_leaves_no_figure_open(tmp_path, name):
    before = plt.get_fignums()
    path = tmp_path / f"{name}.png"
    assert CASES[name](path) == str(path)
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert plt.get_fignums() == before
    assert os.listdir(tmp_path) == [path.name]


def test_plotting_keeps_the_callers_backend_and_open_figures(tmp_path):
    previous = matplotlib.get_backend()
    plt.switch_backend("svg")
    try:
        mine = plt.figure()
        plots.plot_loss_curves(_history(), tmp_path / "loss.png")
        assert matplotlib.get_backend() == "svg"
        assert plt.fignum_exists(mine.number)
        assert plt.get_fignums() == [mine.number]
    finally:
        plt.close("all")
        plt.switch_backend(previous)


def test_failed_plot_leaves_no_file_behind(tmp_path):
    def broken(points):
        raise RuntimeError("model failed")

    with pytest.raises(RuntimeError, match="model failed"):
        plots.plot_decision_boundary(broken, RNG.normal(size=(5, 2)), numpy.zeros(5),
                                     tmp_path / "b.png")
    assert os.listdir(tmp_path) == []
