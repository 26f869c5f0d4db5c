import math

import numpy

from backproplab.data import make_polynomial, make_sine


def test_noiseless_sine_is_exact_on_its_range():
    ds = make_sine(n=50, noise=0.0, seed=0)
    assert ds.x.shape == (50, 1) and ds.y.shape == (50, 1) and ds.y.dtype == numpy.float32
    assert ds.info.task == "regression" and ds.info.n_classes is None
    assert (numpy.abs(ds.x) <= math.pi).all()
    numpy.testing.assert_allclose(ds.y, numpy.sin(ds.x), atol=1e-6)


def test_polynomial_uses_lowest_degree_coefficient_first():
    ds = make_polynomial(n=30, noise=0.0, seed=0, coefficients=(1.0, 2.0), x_range=(0, 1))
    numpy.testing.assert_allclose(ds.y, 1.0 + 2.0 * ds.x, atol=1e-6)
    assert (ds.x >= 0).all() and (ds.x <= 1).all()


def test_noise_is_added_to_targets_with_given_spread():
    ds = make_sine(n=4000, noise=0.2, seed=0)
    assert 0.18 < numpy.std(ds.y - numpy.sin(ds.x)) < 0.22
