"""The gradient descent plot follows its path: the box the page draws is the function's own,
scaled about its centre to hold every finite point of the path (the 'Diverging' stage's
zig-zag left x in [-3, 3] after one step), and the surface is sampled over that box."""

import numpy
import pytest

from backproplab.lab.descent import FUNCTIONS, SCALE_LIMIT, descent_path


def _inside(extent, point) -> bool:
    box = numpy.asarray(extent).reshape(-1, 2)
    p = numpy.atleast_1d(point)
    return bool(((box[:, 0] <= p) & (p <= box[:, 1])).all())


@pytest.mark.parametrize(("name", "start", "lr"), [
    ("square", [2.5], 1.1), ("square", [2.5], 0.9), ("double_well", [1.5], 0.3),
    ("double_well", [-1.9], 0.05),
    ("narrow_valley", [-2.5, 1.0], 0.041), ("himmelblau", [-0.5, -0.5], 0.01)])
def test_every_finite_point_of_the_path_lies_in_the_drawn_box(name, start, lr):
    result = descent_path(name, start, lr, 40)
    points = [p for p in result["path"]["points"] if p is not None]
    assert all(_inside(result["extent"], p) for p in points)
    own = FUNCTIONS[name]["extent"]
    assert _inside(result["extent"], own[::2]) and _inside(result["extent"], own[1::2])
    if all(_inside(own, p) for p in points):
        assert result["extent"] == own  # a path inside the usual box keeps it


def test_a_widened_one_variable_plot_samples_its_curve_over_the_whole_box():
    result = descent_path("square", [2.5], 1.1, 40)
    lo, hi = result["extent"]
    assert hi > 3674 and lo == -hi  # about x = 0, as the function's own box
    xs, ys = numpy.array(result["surface"]["xs"]), numpy.array(result["surface"]["ys"])
    assert xs[0] == pytest.approx(lo) and xs[-1] == pytest.approx(hi)
    numpy.testing.assert_allclose(ys, xs ** 2, rtol=1e-4)


def test_a_path_far_past_divergence_widens_the_plot_only_so_far():
    result = descent_path("square", [2.5], 3.0, 40)
    assert result["path"]["regime"] == "diverging"
    assert result["extent"] == [-3.0 * SCALE_LIMIT, 3.0 * SCALE_LIMIT]
