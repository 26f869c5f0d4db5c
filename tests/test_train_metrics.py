"""Metrics against hand-written NumPy: accuracy (binary with threshold, multi-class), MSE,
MAE, R²; and the name registry."""

import math

import numpy
import pytest

import backproplab as bp
from backproplab.train import accuracy, mae, metrics, mse, r2

RNG = numpy.random.default_rng(0)


def test_binary_accuracy_thresholds_probabilities_at_one_half():
    out = numpy.array([[0.1], [0.6], [0.5], [0.9]])
    target = numpy.array([[0.0], [1.0], [1.0], [0.0]])
    assert accuracy(out, target) == 0.5  # 0.5 itself is not above the threshold


def test_binary_accuracy_thresholds_logits_at_zero():
    logits = numpy.array([[-2.0], [0.3], [-0.1], [4.0]])
    target = numpy.array([0.0, 1.0, 0.0, 1.0])
    assert accuracy(logits, target, threshold=0.0) == 1.0
    assert accuracy(logits, target) == 0.75  # 0.3 is a positive logit but below 0.5


def test_binary_accuracy_matches_numpy_on_random_data():
    out = RNG.random((50, 1))
    target = RNG.integers(0, 2, (50, 1)).astype(numpy.float32)
    assert accuracy(out, target, 0.3) == pytest.approx(((out > 0.3) == (target > 0.5)).mean())


def test_multiclass_accuracy_takes_argmax_with_index_or_one_hot_targets():
    out = RNG.normal(size=(40, 4))
    labels = RNG.integers(0, 4, 40)
    expected = (out.argmax(axis=1) == labels).mean()
    assert accuracy(out, labels) == pytest.approx(expected)
    assert accuracy(out, numpy.eye(4)[labels]) == pytest.approx(expected)


def test_metrics_accept_tensors():
    out = bp.tensor([[0.2, 0.8], [0.9, 0.1]])
    assert accuracy(out, bp.tensor([1, 1])) == 0.5


def test_mse_and_mae_match_numpy():
    out = RNG.normal(size=(30, 1))
    target = RNG.normal(size=(30,))
    diff = out[:, 0] - target
    assert mse(out, target) == pytest.approx((diff ** 2).mean(), rel=1e-12)
    assert mae(out, target) == pytest.approx(numpy.abs(diff).mean(), rel=1e-12)


def test_r2_matches_its_definition_and_is_one_for_a_perfect_fit():
    target = RNG.normal(size=(30, 1))
    out = target + 0.3 * RNG.normal(size=(30, 1))
    ss_res = ((target - out) ** 2).sum()
    ss_tot = ((target - target.mean()) ** 2).sum()
    assert r2(out, target) == pytest.approx(1 - ss_res / ss_tot, rel=1e-12)
    assert r2(target, target) == 1.0


def test_r2_is_negative_when_worse_than_the_mean():
    target = numpy.array([1.0, 2.0, 3.0])
    assert r2(numpy.array([3.0, 2.0, 1.0]), target) == pytest.approx(-3.0)


def test_r2_of_constant_targets_is_nan():
    assert math.isnan(r2(numpy.array([1.0, 2.0]), numpy.array([5.0, 5.0])))


def test_resolve_maps_names_and_keeps_callables():
    assert metrics.resolve("acc") == ("accuracy", accuracy)
    assert metrics.resolve("r2") == ("r2", r2)

    def hits(out, target):
        return 1.0

    assert metrics.resolve(hits) == ("hits", hits)


def test_unknown_metric_lists_valid_names():
    with pytest.raises(ValueError, match="unknown metric 'f1'; valid names: acc, accuracy, "
                                         "mae, mse, r2"):
        metrics.resolve("f1")
