import numpy
import pytest

from backproplab.data import make_and, make_or, make_xor

CORNERS = [[0, 0], [0, 1], [1, 0], [1, 1]]


@pytest.mark.parametrize(("make", "table"), [
    (make_xor, [0, 1, 1, 0]),
    (make_and, [0, 0, 0, 1]),
    (make_or, [0, 1, 1, 1]),
])
def test_default_is_exact_four_row_truth_table(make, table):
    ds = make()
    assert ds.x.dtype == numpy.float32 and ds.y.dtype == numpy.float32
    numpy.testing.assert_array_equal(ds.x, CORNERS)
    numpy.testing.assert_array_equal(ds.y, numpy.array(table, dtype=numpy.float32)[:, None])
    assert ds.info.task == "binary" and ds.info.n_features == 2


def test_n_points_are_spread_equally_over_the_corners():
    ds = make_xor(n=100, seed=0)
    corners, counts = numpy.unique(ds.x, axis=0, return_counts=True)
    numpy.testing.assert_array_equal(corners, CORNERS)
    assert counts.tolist() == [25, 25, 25, 25]


def test_noisy_cloud_points_keep_their_corner_label():
    ds = make_xor(n=200, noise=0.05, seed=1)
    assert not numpy.isin(ds.x, [0.0, 1.0]).all()
    rounded = numpy.round(ds.x).astype(int)
    numpy.testing.assert_array_equal(ds.y[:, 0], rounded[:, 0] ^ rounded[:, 1])
