import numpy

from backproplab.data import make_checkerboard, make_linear


def _perceptron_separates(x, y, epochs=1000):
    """True if the perceptron rule reaches zero mistakes, which it does iff separable."""
    xb = numpy.hstack([x, numpy.ones((len(x), 1))]).astype(numpy.float64)
    sign = 2 * y[:, 0] - 1
    w = numpy.zeros(3)
    for _ in range(epochs):
        mistakes = 0
        for xi, si in zip(xb, sign, strict=True):
            if si * (xi @ w) <= 0:
                w += si * xi
                mistakes += 1
        if mistakes == 0:
            return True
    return False


def test_noiseless_linear_data_is_linearly_separable():
    ds = make_linear(n=200, noise=0.0, seed=3)
    assert 0 < ds.y.mean() < 1
    assert _perceptron_separates(ds.x, ds.y)


def test_noisy_linear_data_with_no_margin_is_not_separable():
    ds = make_linear(n=400, noise=0.3, seed=3, margin=0.0)
    assert not _perceptron_separates(ds.x, ds.y, epochs=50)


def test_noiseless_checkerboard_label_is_parity_of_cell():
    ds = make_checkerboard(n=500, noise=0.0, seed=0, cells=4)
    cell = numpy.floor((ds.x + 1.0) / 2.0 * 4).astype(int)
    numpy.testing.assert_array_equal(ds.y[:, 0], (cell[:, 0] + cell[:, 1]) % 2)
    assert ((ds.x >= -1) & (ds.x <= 1)).all()


def test_two_cell_checkerboard_is_xor_of_quadrants():
    ds = make_checkerboard(n=200, noise=0.0, seed=2, cells=2)
    numpy.testing.assert_array_equal(ds.y[:, 0], (ds.x[:, 0] > 0) ^ (ds.x[:, 1] > 0))
