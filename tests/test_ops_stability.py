"""Ops that must stay finite at extreme inputs (±1000): values, gradients, and no NumPy warnings."""

import math
import warnings

import pytest

import backproplab as bp

F = bp.nn.functional
EXTREMES = [-1000.0, -50.0, 0.0, 50.0, 1000.0]


def finite_value_and_grad(fn, values, dtype):
    """fn's output and the input's gradient, raising on any warning (overflow, divide...)."""
    x = bp.tensor(values, dtype=dtype, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(x)
        out.sum().backward()
    assert bp.isfinite(out).all().item(), f"non-finite output {out}"
    assert bp.isfinite(x.grad).all().item(), f"non-finite gradient {x.grad}"
    assert out.dtype == dtype and x.grad.dtype == dtype
    return out.tolist(), x.grad.tolist()


DTYPES = pytest.mark.parametrize("dtype", [bp.float32, bp.float64], ids=["float32", "float64"])


@DTYPES
def test_sigmoid_is_finite_at_extremes(dtype):
    out, grad = finite_value_and_grad(bp.sigmoid, EXTREMES, dtype)
    assert out[0] == 0.0 and out[-1] == 1.0 and out[2] == 0.5
    assert grad[0] == 0.0 and grad[-1] == 0.0 and grad[2] == 0.25


@DTYPES
def test_softplus_is_finite_at_extremes(dtype):
    out, grad = finite_value_and_grad(F.softplus, EXTREMES, dtype)
    assert out[-1] == 1000.0 and out[0] == 0.0 and out[2] == pytest.approx(math.log(2), rel=1e-6)
    assert grad[-1] == 1.0 and grad[0] == 0.0


@DTYPES
def test_log_softmax_is_finite_at_extremes(dtype):
    out, grad = finite_value_and_grad(lambda x: bp.log_softmax(x, dim=-1),
                                      [[1000.0, -1000.0, 0.0]], dtype)
    assert out == [[0.0, -2000.0, -1000.0]]
    assert grad == [[pytest.approx(-2.0), 1.0, 1.0]]  # 1 - 3·softmax


@DTYPES
def test_softmax_is_finite_at_extremes(dtype):
    out, _ = finite_value_and_grad(lambda x: bp.softmax(x, dim=-1), [[1000.0, -1000.0]], dtype)
    assert out == [[1.0, 0.0]]


@DTYPES
def test_logsumexp_is_finite_at_extremes(dtype):
    out, grad = finite_value_and_grad(lambda x: bp.logsumexp(x, dim=1),
                                      [[1000.0, 1000.0], [-1000.0, -1000.0]], dtype)
    rel = 1e-4 if dtype == bp.float32 else 1e-12  # float32 holds 1000 + ln 2 to ~3e-5
    assert out == [pytest.approx(1000 + math.log(2)), pytest.approx(-1000 + math.log(2))]
    assert grad == [[pytest.approx(0.5, rel=rel)] * 2] * 2


@DTYPES
def test_cross_entropy_is_finite_at_extremes(dtype):
    target = bp.tensor([1, 0])
    out, grad = finite_value_and_grad(lambda x: F.cross_entropy(x, target, reduction="none"),
                                      [[1000.0, -1000.0], [1000.0, -1000.0]], dtype)
    assert out == [2000.0, 0.0]
    assert grad == [[1.0, -1.0], [0.0, 0.0]]


@DTYPES
def test_cross_entropy_of_one_sample_with_weights_and_smoothing_is_finite_at_extremes(dtype):
    weight = bp.tensor([1.0, 2.0, 3.0], dtype=dtype)
    out, grad = finite_value_and_grad(
        lambda x: F.cross_entropy(x, bp.tensor(1), weight=weight, label_smoothing=0.3),
        [1000.0, -1000.0, 0.0], dtype)
    # q = 0.7·w[1]·onehot(1) + 0.1·w = [0.1, 1.6, 0.3]; log_softmax = [0, -2000, -1000]
    assert out == (1.6 * 2000 + 0.3 * 1000) / 2  # a mean divides by w[t] = 2
    assert grad == pytest.approx([(2.0 - 0.1) / 2, -1.6 / 2, -0.3 / 2])  # (Σq·softmax - q)/2


@DTYPES
def test_bce_with_logits_is_finite_at_extremes(dtype):
    target = bp.tensor([0.0, 1.0, 1.0, 0.0], dtype=dtype)
    out, grad = finite_value_and_grad(
        lambda x: F.binary_cross_entropy_with_logits(x, target, reduction="none",
                                                     pos_weight=bp.tensor(2.0, dtype=dtype)),
        [1000.0, -1000.0, 1000.0, -1000.0], dtype)
    assert out == [1000.0, 2000.0, 0.0, 0.0]
    assert grad == [1.0, -2.0, 0.0, 0.0]


@DTYPES
def test_binary_cross_entropy_on_saturated_probabilities_is_clamped_like_torch(dtype):
    target = bp.tensor([1.0, 0.0, 1.0], dtype=dtype)
    out, grad = finite_value_and_grad(
        lambda x: F.binary_cross_entropy(x, target, reduction="none"), [0.0, 1.0, 1.0], dtype)
    assert out == [100.0, 100.0, 0.0]  # log clamped at -100
    assert grad == [pytest.approx(-1e12, rel=1e-6), pytest.approx(1e12, rel=1e-6), 0.0]
