import math

import numpy
import pytest

from backproplab.data import make_circles, make_moons, make_spirals


def _radius(x):
    return numpy.hypot(x[:, 0], x[:, 1])


def test_noiseless_circles_lie_on_two_radii_by_class():
    ds = make_circles(n=200, noise=0.0, seed=0, factor=0.3)
    label = ds.y[:, 0]
    numpy.testing.assert_allclose(_radius(ds.x[label == 0]), 1.0, atol=1e-6)
    numpy.testing.assert_allclose(_radius(ds.x[label == 1]), 0.3, atol=1e-6)


@pytest.mark.parametrize("make", [make_circles, make_moons])
def test_two_class_shapes_are_balanced_and_binary(make):
    ds = make(n=201, seed=0)
    assert ds.x.shape == (201, 2) and ds.y.shape == (201, 1)
    assert ds.x.dtype == numpy.float32 and ds.y.dtype == numpy.float32
    assert sorted(numpy.unique(ds.y, return_counts=True)[1].tolist()) == [100, 101]


def test_noiseless_moons_are_sklearn_half_circles():
    ds = make_moons(n=100, noise=0.0, seed=0)
    upper, lower = ds.x[ds.y[:, 0] == 0], ds.x[ds.y[:, 0] == 1]
    numpy.testing.assert_allclose(_radius(upper), 1.0, atol=1e-6)
    assert (upper[:, 1] >= -1e-6).all()
    numpy.testing.assert_allclose(_radius(lower - [1.0, 0.5]), 1.0, atol=1e-6)
    assert (lower[:, 1] <= 0.5 + 1e-6).all()
    numpy.testing.assert_allclose(upper[:, 0].min(), -1.0, atol=1e-6)
    numpy.testing.assert_allclose(lower[:, 0].max(), 2.0, atol=1e-6)


def test_noise_moves_points_off_the_curve_by_about_its_size():
    ds = make_circles(n=2000, noise=0.1, seed=0)
    outer = ds.x[ds.y[:, 0] == 0]
    assert 0.07 < numpy.std(_radius(outer) - 1.0) < 0.13


def test_noiseless_spiral_arms_follow_their_angle_formula():
    classes, turns = 3, 1.5
    ds = make_spirals(n=300, noise=0.0, seed=0, classes=classes, turns=turns)
    assert ds.info.task == "multiclass" and ds.y.dtype == numpy.int64
    assert numpy.bincount(ds.y).tolist() == [100, 100, 100]
    t = (_radius(ds.x) - 0.1) / 0.9
    expected = 2 * math.pi * (turns * t + ds.y / classes)
    angle = numpy.arctan2(ds.x[:, 1], ds.x[:, 0])
    gap = numpy.angle(numpy.exp(1j * (angle - expected)))  # difference modulo 2π
    numpy.testing.assert_allclose(gap, 0.0, atol=1e-4)


def test_two_spirals_are_a_binary_problem():
    ds = make_spirals(n=50, seed=0)
    assert ds.info.task == "binary" and ds.y.shape == (50, 1)
