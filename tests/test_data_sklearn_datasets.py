import sys

import numpy
import pytest

from backproplab.data import load_digits, load_iris


def test_digits_are_64_pixels_scaled_to_unit_interval():
    pytest.importorskip("sklearn")
    ds = load_digits()
    assert ds.x.shape == (1797, 64) and ds.x.dtype == numpy.float32
    assert ds.x.min() == 0.0 and ds.x.max() == 1.0
    assert ds.y.dtype == numpy.int64 and set(ds.y.tolist()) == set(range(10))
    assert ds.info.task == "multiclass" and ds.info.n_outputs == 10


def test_iris_has_three_named_species():
    pytest.importorskip("sklearn")
    ds = load_iris()
    assert ds.x.shape == (150, 4) and numpy.bincount(ds.y).tolist() == [50, 50, 50]
    assert ds.info.class_names == ("setosa", "versicolor", "virginica")


def test_n_draws_a_reproducible_subset():
    pytest.importorskip("sklearn")
    a, b = load_iris(n=30, seed=5), load_iris(n=30, seed=5)
    assert a.x.shape == (30, 4)
    numpy.testing.assert_array_equal(a.x, b.x)
    with pytest.raises(ValueError, match="150 rows"):
        load_iris(n=151)


@pytest.mark.parametrize("load", [load_digits, load_iris])
def test_missing_scikit_learn_says_how_to_install_it(monkeypatch, load):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(ImportError, match=r'pip install "backproplab\[datasets\]"'):
        load()
