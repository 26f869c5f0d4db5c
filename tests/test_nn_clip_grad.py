"""clip_grad_norm_ / clip_grad_value_ against PyTorch in float64: the returned norm and the
clipped gradients, for every norm type, below and above the threshold."""

import math

import numpy
import pytest

import backproplab as bp
from backproplab.nn.utils import clip_grad_norm_, clip_grad_value_

torch = pytest.importorskip("torch")


def _params(seed, scale=1.0):
    rng = numpy.random.default_rng(seed)
    grads = [rng.normal(size=s) * scale for s in [(3, 4), (4,), (2, 2, 2)]]
    ours, theirs = [], []
    for g in grads:
        p = bp.zeros(g.shape, dtype=bp.float64, requires_grad=True)
        p.grad = bp.tensor(g)
        q = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        q.grad = torch.tensor(g)
        ours.append(p)
        theirs.append(q)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = _params(0)
    total = clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    numpy.testing.assert_allclose(float(total), float(expected), rtol=1e-13)
    for p, q in zip(ours, theirs, strict=True):
        numpy.testing.assert_allclose(p.grad.array, q.grad.numpy(), rtol=1e-13, atol=1e-15)


def test_clipped_norm_is_max_norm_and_parameters_without_grad_are_skipped():
    ours, _ = _params(1, scale=10.0)
    extra = bp.zeros(3, requires_grad=True)
    clip_grad_norm_([*ours, extra], 2.0)
    joint = math.sqrt(sum(float((p.grad.array ** 2).sum()) for p in ours))
    assert joint == pytest.approx(2.0, rel=1e-6)
    assert extra.grad is None


def test_nonfinite_norm_raises_only_when_asked():
    ours, _ = _params(2)
    ours[0].grad.array[0, 0] = numpy.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert math.isinf(float(clip_grad_norm_(ours, 1.0)))


def test_clip_grad_value_matches_torch():
    ours, theirs = _params(3)
    clip_grad_value_(ours, 0.4)
    torch.nn.utils.clip_grad_value_(theirs, 0.4)
    for p, q in zip(ours, theirs, strict=True):
        numpy.testing.assert_array_equal(p.grad.array, q.grad.numpy())
    assert max(float(abs(p.grad.array).max()) for p in ours) == 0.4


def test_a_single_tensor_is_accepted_as_torch_does():
    ours, theirs = _params(4)
    total = clip_grad_norm_(ours[0], 0.1)
    expected = torch.nn.utils.clip_grad_norm_(theirs[0], 0.1)
    numpy.testing.assert_allclose(float(total), float(expected), rtol=1e-13)
