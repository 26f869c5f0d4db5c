import numpy
import pytest

from backproplab.data import load_dataset, make_bump, make_plane


def test_noiseless_plane_is_the_plane_on_the_unit_square():
    ds = make_plane(n=80, seed=0, slope=(0.5, -2.0))
    assert ds.x.shape == (80, 2) and ds.y.shape == (80, 1) and ds.info.task == "regression"
    assert (numpy.abs(ds.x) <= 1).all()
    numpy.testing.assert_allclose(ds.y[:, 0], 0.5 * ds.x[:, 0] - 2.0 * ds.x[:, 1], atol=1e-6)


def test_bump_is_one_at_the_centre_and_falls_with_the_distance():
    ds = make_bump(n=300, seed=1, width=0.4)
    r2 = (ds.x.astype(numpy.float64) ** 2).sum(axis=1)
    numpy.testing.assert_allclose(ds.y[:, 0], numpy.exp(-r2 / (2 * 0.16)), atol=1e-6)
    order = numpy.argsort(r2)
    assert ds.y[order[0], 0] > 0.9 and ds.y[order[-1], 0] < 0.01


def test_surface_noise_has_the_given_spread():
    clean, noisy = make_plane(n=4000, seed=3), make_plane(n=4000, noise=0.2, seed=3)
    numpy.testing.assert_array_equal(clean.x, noisy.x)
    assert 0.18 < numpy.std(noisy.y - clean.y) < 0.22


def test_surfaces_are_listed_by_name_and_refuse_a_bad_width():
    assert load_dataset("bump", n=10, seed=0).info.name == "bump"
    with pytest.raises(ValueError, match="width must be positive"):
        make_bump(width=0)
