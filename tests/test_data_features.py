import numpy
import pytest

from backproplab.data import FEATURES, feature_columns
from backproplab.data.features import check_features


def points():
    return numpy.random.default_rng(0).uniform(-3, 3, size=(50, 2)).astype(numpy.float32)


def test_each_feature_is_its_formula_of_the_point():
    x = points()
    x1, x2 = x[:, 0].astype(numpy.float64), x[:, 1].astype(numpy.float64)
    expected = {"x1": x1, "x2": x2, "x1sq": x1 ** 2, "x2sq": x2 ** 2, "x1x2": x1 * x2,
                "sinx1": numpy.sin(x1), "sinx2": numpy.sin(x2)}
    out = feature_columns(x, tuple(FEATURES))
    assert out.shape == (50, 7) and out.dtype == numpy.float32
    for k, name in enumerate(FEATURES):
        numpy.testing.assert_allclose(out[:, k], expected[name], rtol=1e-6, atol=1e-6)


def test_printed_expression_computes_the_same_bits_as_the_library():
    x = points()
    x1, x2 = x[:, 0], x[:, 1]
    for name, feature in FEATURES.items():
        printed = eval(feature.expression, {"numpy": numpy, "x1": x1, "x2": x2})
        numpy.testing.assert_array_equal(printed, feature_columns(x, (name,))[:, 0])


def test_features_come_in_canonical_order_and_bad_sets_are_refused():
    assert check_features(("sinx2", "x1")) == ("x1", "sinx2")
    with pytest.raises(ValueError, match="unknown feature 'x3'; valid: x1, x2"):
        check_features(("x3",))
    with pytest.raises(ValueError, match="twice"):
        check_features(("x1", "x1"))
    with pytest.raises(ValueError, match="at least one"):
        check_features(())
    with pytest.raises(ValueError, match=r"shape \(N, 2\), got \(4, 1\)"):
        feature_columns(numpy.zeros((4, 1)), ("x1",))
