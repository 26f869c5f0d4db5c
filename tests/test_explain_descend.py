"""descend: the three learning-rate regimes on x², a narrow valley and Rosenbrock, and the path
of each bp.optim optimizer (checked step by step, and against torch.optim)."""

import functools

import numpy
import pytest

import backproplab as bp
from backproplab.explain import descend, double_well, himmelblau, narrow_valley, rosenbrock, square
from backproplab.tensor import Tensor

OPTIMIZERS = {  # descend's names -> the bp.optim optimizer a learner would write by hand
    "sgd": (bp.optim.SGD, {}),
    "momentum": (bp.optim.SGD, {"momentum": 0.9}),
    "nesterov": (bp.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "adam": (bp.optim.Adam, {}),
    "rmsprop": (bp.optim.RMSprop, {}),
}


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
    bp.explain.plot_learning_rates(narrow_valley, [2.0, 1.0], (0.01, 0.03), tmp_path / "m.png",
                                   optimizer="momentum")
    assert (tmp_path / "m.png").stat().st_size > 1000


@pytest.mark.parametrize(("f", "x0"), [(narrow_valley, [-2.5, 1.0]), (square, 3.0)])
def test_optimizer_comparison_plot_is_written_even_with_a_diverging_path(tmp_path, f, x0):
    lrs = {"sgd": 0.05 if f is narrow_valley else 1.1, "momentum": 0.01, "adam": 0.1,
           bp.optim.RMSprop: 0.03}
    out = bp.explain.plot_optimizers(f, x0, lrs, tmp_path / "opt.png", steps=20)
    assert (tmp_path / "opt.png").stat().st_size > 1000 and out.endswith("opt.png")


def _by_hand(f, x0, lr, steps, cls, kwargs):
    """``steps`` updates of a bp.optim optimizer on one (2,) parameter, written out plainly."""
    x = Tensor(numpy.array(x0, dtype=numpy.float64), requires_grad=True)
    opt = cls([x], lr=lr, **kwargs)
    points = [x.array.tolist()]
    for _ in range(steps):
        opt.zero_grad()
        f(x).backward()
        opt.step()
        points.append(x.array.tolist())
    return points


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize(("f", "x0", "lr"), [(narrow_valley, [2.0, 1.0], 0.03),
                                             (rosenbrock, [-1.0, 1.0], 1e-3)])
def test_path_is_the_bp_optim_optimizer_stepping_the_point(name, f, x0, lr):
    path = descend(f, x0, lr, steps=25, optimizer=name)
    assert path.optimizer == name and len(path.points) == 26
    assert path.points == _by_hand(f, x0, lr, 25, *OPTIMIZERS[name])  # bit for bit


def test_optimizer_class_or_factory_is_called_with_the_point_and_lr():
    heavy = functools.partial(bp.optim.SGD, momentum=0.5)
    path = descend(narrow_valley, [2.0, 1.0], 0.02, steps=10, optimizer=heavy)
    assert path.points == _by_hand(narrow_valley, [2.0, 1.0], 0.02, 10, bp.optim.SGD,
                                   {"momentum": 0.5})
    assert path.optimizer == "SGD"
    assert descend(square, 3.0, 0.1, steps=5, optimizer=bp.optim.Adam).optimizer == "Adam"


def test_momentum_on_one_variable_keeps_its_velocity():
    path = descend(square, 3.0, 0.1, steps=3, optimizer="momentum")
    # b ← 0.9·b + g, x ← x - 0.1·b with g = 2x: b = 6, 0.9·6 + 4.8, …
    assert path.points[:3] == pytest.approx([3.0, 2.4, 3.0 - 0.6 - 0.1 * (5.4 + 4.8)])


def test_regimes_of_other_optimizers_use_the_same_labels():
    assert descend(square, 3.0, 0.1, optimizer="momentum").regime == "oscillating"
    assert descend(narrow_valley, [2.0, 1.0], 0.1, optimizer="rmsprop").regime == "converging"
    assert descend(narrow_valley, [2.0, 1.0], 0.01, optimizer="adam").regime == "slow"
    assert descend(narrow_valley, [2.0, 1.0], 0.03, optimizer="nesterov").regime == "diverging"


def test_unknown_optimizer_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"valid names: .*momentum"):
        descend(square, 3.0, 0.1, optimizer="lbfgs")


def _torch_rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] * x[0]) ** 2


TORCH = {"sgd": ("SGD", {}), "momentum": ("SGD", {"momentum": 0.9}),
         "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}), "adam": ("Adam", {}),
         "rmsprop": ("RMSprop", {})}


@pytest.mark.torch
@pytest.mark.parametrize("name", TORCH)
def test_rosenbrock_path_matches_torch_optim(name):
    torch = pytest.importorskip("torch")
    lr, steps = 1e-3, 10
    x = torch.tensor([-1.0, 1.0], dtype=torch.float64, requires_grad=True)
    cls, kwargs = TORCH[name]
    opt = getattr(torch.optim, cls)([x], lr=lr, **kwargs)
    theirs = [x.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        _torch_rosenbrock(x).backward()
        opt.step()
        theirs.append(x.detach().numpy().copy())
    ours = descend(rosenbrock, [-1.0, 1.0], lr, steps=steps, optimizer=name).points
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


@pytest.mark.torch
def test_one_variable_momentum_matches_torch_optim():
    torch = pytest.importorskip("torch")
    x = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=0.1, momentum=0.9)
    theirs = [3.0]
    for _ in range(20):
        opt.zero_grad()
        (x * x).backward()
        opt.step()
        theirs.append(x.item())
    ours = descend(square, 3.0, 0.1, steps=20, optimizer="momentum").points
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def _central_difference(f, x, h=1e-6):
    """The gradient of f at x by central differences in float64, one coordinate at a time."""
    x = numpy.asarray(x, dtype=numpy.float64)
    grad = numpy.zeros_like(x)
    for i in numpy.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (float(f(Tensor(up)).array) - float(f(Tensor(down)).array)) / (2 * h)
    return grad


@pytest.mark.parametrize(("f", "x0"), [(double_well, 1.3), (double_well, -0.4),
                                       (himmelblau, [0.7, -1.2]), (himmelblau, [-3.0, 2.5])])
def test_multi_minimum_gradients_match_finite_differences(f, x0):
    path = descend(f, x0, 1e-3, steps=3)
    for point, grad in zip(path.points, path.grads, strict=True):
        numpy.testing.assert_allclose(grad, _central_difference(f, point), rtol=1e-6, atol=1e-6)


def test_double_well_derivative_is_the_textbook_one():
    for x in (-1.7, -0.2, 0.5, 1.9):
        assert descend(double_well, x, 0.01, steps=0).grads[0] == pytest.approx(
            4 * x ** 3 - 4 * x + 0.3, rel=1e-12)


def test_double_well_start_decides_between_local_and_global_minimum():
    # The minima are the roots of f'(x) = 4x³ - 4x + 0.3 where f'' = 12x² - 4 > 0.
    roots = sorted(r.real for r in numpy.roots([4, 0, -4, 0.3]))
    global_min, local_min = roots[0], roots[2]
    assert global_min == pytest.approx(-1.0356, abs=1e-4)
    assert local_min == pytest.approx(0.9601, abs=1e-4)
    right = descend(double_well, 1.6, 0.05, steps=200)
    left = descend(double_well, -1.6, 0.05, steps=200)
    assert right.points[-1] == pytest.approx(local_min, abs=1e-6)
    assert left.points[-1] == pytest.approx(global_min, abs=1e-6)
    assert left.values[-1] < right.values[-1] - 0.5  # the local minimum is the higher one
    assert right.regime == left.regime == "converging"


HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                     (3.584428, -1.848126)]  # the textbook values, f = 0 at each


@pytest.mark.parametrize(("start", "minimum"), zip([[1, 1], [-1, 1], [-1, -1], [1, -1]],
                                                   HIMMELBLAU_MINIMA, strict=True))
def test_himmelblau_start_quadrant_picks_one_of_four_minima(start, minimum):
    path = descend(himmelblau, start, 0.01, steps=300)
    assert path.points[-1] == pytest.approx(list(minimum), abs=1e-5)
    assert path.values[-1] == pytest.approx(0.0, abs=1e-9)
