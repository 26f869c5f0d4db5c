"""Every differentiable op against PyTorch: forward values, dtypes and every input gradient.

float64 throughout, rtol 1e-7. The cases come from ``tests/op_cases.py``, the same list
gradcheck runs. Skipped when torch is not installed.
"""

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backproplab as bp
from tests.op_cases import GRADGRAD_CASES, OP_CASES

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

RTOL = 1e-7
ATOL = 1e-12  # for values that cancel to (almost) zero in a different summation order
HVP_ATOL = 1e-10  # a Hessian-vector product sums O(1) terms that may cancel to ~1e-6


def _outputs(result) -> tuple:
    return tuple(result) if isinstance(result, tuple) else (result,)


def _assert_close(ours, theirs, what: str, atol: float = ATOL) -> None:
    theirs = theirs.detach().numpy(force=True)  # force: torch's double backward gives ZeroTensors
    assert tuple(ours.shape) == theirs.shape, f"{what}: shape {ours.shape} vs {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype} vs {theirs.dtype}"
    numpy.testing.assert_allclose(ours.detach().numpy(), theirs, rtol=RTOL, atol=atol,
                                  err_msg=what)


def _assert_grad_close(ours, theirs, like, what: str, atol: float = ATOL) -> None:
    """Compare gradients; a missing gradient (None) counts as zeros of the input's shape."""
    ours = bp.zeros_like(like) if ours is None else ours
    theirs = torch.zeros(tuple(like.shape), dtype=torch.float64) if theirs is None else theirs
    _assert_close(ours, theirs, what, atol)


def _both(inputs):
    ours = [bp.tensor(a, dtype=bp.float64, requires_grad=True) for a in inputs.arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs.arrays]
    return ours, theirs


def _seed(shape, seed: int = 0):
    return numpy.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("case", OP_CASES, ids=repr)
@given(data=st.data())
def test_forward_and_gradients_match_torch(case, data):
    inputs = data.draw(case.inputs)
    ours, theirs = _both(inputs)
    out_ours = _outputs(case.fn(bp, *ours, **inputs.consts))
    out_theirs = _outputs(case.fn(torch, *theirs, **inputs.consts))
    assert len(out_ours) == len(out_theirs)
    for i, (o, t) in enumerate(zip(out_ours, out_theirs, strict=True)):
        _assert_close(o, t, f"{case.name} output {i}")

    seed = _seed(out_theirs[0].shape)
    out_ours[0].backward(bp.tensor(seed))
    out_theirs[0].backward(torch.tensor(seed))
    for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
        _assert_grad_close(o.grad, t.grad, o, f"{case.name} gradient of input {i}")


def _hessian_vector_products(lib, fn, leaves, seed, vectors):
    """d/dx <d<out, seed>/dx, v>: the second-order term gradgradcheck checks, per input."""
    out = _outputs(fn(*leaves))[0]
    grads = lib.autograd.grad(out, leaves, lib.tensor(seed), create_graph=True,
                              allow_unused=True)
    terms = [(g * lib.tensor(v)).sum() for g, v in zip(grads, vectors, strict=True)
             if g is not None and g.requires_grad]
    if not terms:
        return [None] * len(leaves)
    return lib.autograd.grad(sum(terms[1:], terms[0]), leaves, allow_unused=True)


@pytest.mark.parametrize("case", GRADGRAD_CASES, ids=repr)
@settings(max_examples=8)
@given(data=st.data())
def test_second_derivatives_match_torch(case, data):
    inputs = data.draw(case.inputs)
    ours, theirs = _both(inputs)
    out_shape = _outputs(case.fn(torch, *theirs, **inputs.consts))[0].shape
    seed = _seed(out_shape)
    vectors = [_seed(a.shape, seed=1 + i) for i, a in enumerate(inputs.arrays)]
    hvp_ours = _hessian_vector_products(bp, lambda *ts: case.fn(bp, *ts, **inputs.consts),
                                        ours, seed, vectors)
    hvp_theirs = _hessian_vector_products(torch, lambda *ts: case.fn(torch, *ts, **inputs.consts),
                                          theirs, seed, vectors)
    for i, (o, t) in enumerate(zip(hvp_ours, hvp_theirs, strict=True)):
        _assert_grad_close(o, t, ours[i], f"{case.name} Hessian-vector product for input {i}",
                           HVP_ATOL)
