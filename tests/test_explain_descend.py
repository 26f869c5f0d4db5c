"""descend: the three learning-rate regimes on x², a narrow valley and Rosenbrock."""

import pytest

import backproplab as bp
from backproplab.explain import descend, narrow_valley, rosenbrock, square


@pytest.mark.parametrize(("lr", "regime"), [(0.01, "slow"), (0.1, "converging"),
                                             (0.95, "oscillating"), (1.1, "diverging")])
def test_learning_rate_regimes_on_x_squared(lr, regime):
    path = descend(square, 3.0, lr, steps=50)
    assert path.regime == regime
    assert path.points[1] == pytest.approx(3.0 - lr * 6.0)  # x ← x - lr·2x


def test_narrow_valley_oscillates_across_then_diverges_past_its_stability_limit():
    assert descend(narrow_valley, [2.0, 1.0], 0.039).regime == "oscillating"
    assert descend(narrow_valley, [2.0, 1.0], 0.041).regime == "diverging"
    assert descend(narrow_valley, [2.0, 1.0], 0.001).regime == "slow"


def test_rosenbrock_path_records_points_values_and_gradients():
    path = descend(rosenbrock, [-1.0, 1.0], 1e-3, steps=20)
    assert len(path.points) == len(path.values) == len(path.grads) == 21
    assert path.grads[0] == pytest.approx([-4.0, 0.0])  # ∇ at (-1, 1)
    assert path.values[-1] < path.values[0]
    assert descend(rosenbrock, [-1.0, 1.0], 0.01, steps=50).regime == "diverging"


def test_learning_rate_plot_is_written(tmp_path):
    out = bp.explain.plot_learning_rates(square, 3.0, (0.01, 0.3, 1.05), tmp_path / "lr.png")
    assert (tmp_path / "lr.png").stat().st_size > 1000 and out.endswith("lr.png")
