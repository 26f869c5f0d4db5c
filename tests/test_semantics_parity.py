"""Places where NumPy's semantics differed silently from PyTorch's, each pinned against torch.

Each test failed before its fix (issue 12, items 9 and 10).
"""

import numpy
import pytest

import backproplab as bp

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _same(ours, theirs):
    theirs = theirs.detach().numpy()
    assert tuple(ours.shape) == theirs.shape
    numpy.testing.assert_array_equal(ours.detach().numpy(), theirs)


@pytest.mark.parametrize("index", [
    (0, slice(None), [1, 2]),
    (slice(None), 1, [0, 2], slice(None)),
    (0, [1, 0], slice(None), 2),
    (Ellipsis, 0, [1, 1]),
    (1, None, slice(None), [2, 0]),
])
def test_indexing_mixing_ints_and_integer_arrays_follows_torch(index):
    data = numpy.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)
    ours = bp.tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    _same(ours[index], theirs[index])
    seed = numpy.random.default_rng(0).standard_normal(tuple(theirs[index].shape))
    ours[index].backward(bp.tensor(seed))
    theirs[index].backward(torch.tensor(seed))
    _same(ours.grad, theirs.grad)
    assert bp.ones(2, 3, 4)[0, :, [1, 2]].shape == (3, 2)


def test_a_uint8_index_is_a_mask():
    x = bp.tensor([1.0, 2.0, 3.0])
    assert x[bp.tensor([1, 0, 1], dtype=bp.uint8)].tolist() == [1.0, 3.0]


@pytest.mark.parametrize("view", [
    lambda x: x.view(2, 2),
    lambda x: x.reshape(4)[1:],
    lambda x: x.view(2, 2).t(),
    lambda x: x.view(2, 2)[0],
    lambda x: x.unsqueeze(0).squeeze(0),
])
def test_in_place_op_on_a_view_of_a_non_leaf_writes_through(view):
    ours_w = bp.tensor([1.0, 2.0, 3.0, 4.0], dtype=bp.float64, requires_grad=True)
    theirs_w = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64, requires_grad=True)
    results = []
    for w in (ours_w, theirs_w):
        x = w * 1.5
        v = view(x)
        v.mul_(3)
        v.add_(w[0])
        results.append(x)
        (x * x).sum().backward()
    _same(results[0], results[1])
    _same(ours_w.grad, theirs_w.grad)


def test_setitem_on_a_view_of_a_non_leaf_writes_through():
    w = bp.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    x = w * 2
    x.view(2, 2)[1, 0] = 10.0
    assert x.tolist() == [2.0, 4.0, 10.0, 8.0]
    x.sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 0.0, 2.0]


def test_in_place_op_on_a_view_of_a_leaf_that_requires_grad_is_refused():
    w = bp.ones(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf"):
        w.view(2, 2).mul_(2)


def test_max_min_argmax_and_gather_work_on_0d_tensors():
    x = bp.tensor(3.0, requires_grad=True)
    values, indices = x.max(0)
    assert values.item() == 3.0 and indices.item() == 0 and indices.shape == ()
    assert x.min(-1).indices.item() == 0
    assert x.argmax(0).item() == 0 and bp.argmin(x, 0).shape == ()
    g = bp.gather(x, 0, bp.tensor(0))
    assert g.shape == () and g.item() == 3.0
    (values + g).backward()
    assert x.grad.item() == 2.0


def test_max_along_dim_of_a_1d_tensor_gives_0d_tensor_indices():
    result = bp.tensor([1.0, 5.0, 2.0]).max(0)
    assert isinstance(result.indices, bp.Tensor) and result.indices.shape == ()
    assert result.indices.array.shape == () and type(result.indices.array) is numpy.ndarray


@pytest.mark.parametrize("expr", [
    "x.sum(0)", "x.sum(1)", "x.mean(1)", "x.amax(1)", "x.amin(1)", "x.max(1).values",
    "x.max(1).indices", "x.argmax(1)", "x.logsumexp(0)", "x.logsumexp(1)", "x.softmax(0)",
    "x.log_softmax(1)", "x.sum()",
])
def test_reductions_over_zero_size_dims_give_what_torch_gives(expr):
    ours = eval(expr, {"x": bp.zeros(0, 3, dtype=bp.float64)})
    theirs = eval(expr, {"x": torch.zeros(0, 3, dtype=torch.float64)})
    _same(ours, theirs)


@pytest.mark.parametrize("expr", ["x.amax(0)", "x.max(0)", "x.argmax(0)", "x.max()", "x.min()"])
def test_reductions_with_no_identity_over_an_empty_dim_raise_as_torch(expr):
    with pytest.raises((IndexError, RuntimeError)) as theirs:
        eval(expr, {"x": torch.zeros(0, 3)})
    with pytest.raises(theirs.type):
        eval(expr, {"x": bp.zeros(0, 3)})


def test_sum_over_an_empty_dim_list_reduces_everything():
    x = bp.ones(2, 3)
    assert x.sum(dim=[]).item() == 6.0 == torch.ones(2, 3).sum(dim=[]).item()
    assert x.mean(dim=()).shape == ()


@pytest.mark.parametrize("value", [2**63, -2**63 - 1, [1, 2**64]])
def test_integers_beyond_int64_raise_instead_of_wrapping(value):
    with pytest.raises(ValueError, match="int64") as ours:
        bp.tensor(value)
    assert isinstance(ours.value, OverflowError)
    with pytest.raises(ValueError):
        torch.tensor(value)
    assert bp.tensor(2**63 - 1).item() == 2**63 - 1


def test_cross_entropy_with_huge_float64_logits_is_exact():
    logits = numpy.array([[1e8, 1e8 + 1.0, 1e8 - 2.0], [3e8, 1.0, 2.0]])
    target = numpy.array([0, 2])
    ours = bp.tensor(logits, requires_grad=True)
    theirs = torch.tensor(logits, requires_grad=True)
    lo = bp.nn.functional.cross_entropy(ours, bp.tensor(target))
    lt = torch.nn.functional.cross_entropy(theirs, torch.tensor(target))
    assert lo.item() == lt.item()
    lo.backward()
    lt.backward()
    numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-15, atol=0)
    _same(ours.log_softmax(1), theirs.log_softmax(1))


def test_scalar_power_of_a_tensor_has_float64_derivatives_under_create_graph():
    def derivatives(lib):
        x = lib.tensor([0.3, 1.7], dtype=lib.float64, requires_grad=True)
        y = (3.7 ** x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g.detach().numpy(), h.numpy()

    for ours, theirs in zip(derivatives(bp), derivatives(torch), strict=True):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-15)


# ----- mismatches the differential fuzz found (tests/test_fuzz_vs_torch.py) ----------------------

def _grads(lib, fn, data):
    x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
    fn(lib, x).sum().backward()
    return x.grad.numpy()


def test_std_over_equal_values_has_zero_gradient_not_nan():
    data = numpy.array([[1.5, 1.5], [0.5, 2.0]])
    fn = lambda lib, x: x.std(1, correction=0)  # noqa: E731
    numpy.testing.assert_array_equal(_grads(bp, fn, data), _grads(torch, fn, data))


def test_variance_without_degrees_of_freedom_gives_nan_gradients():
    with numpy.errstate(all="ignore"):
        ours = _grads(bp, lambda lib, x: x.var(0), numpy.array([2.0]))
    assert numpy.isnan(ours).all()


def test_mean_losses_of_nothing_are_nan():
    empty = bp.zeros(0, dtype=bp.float64)
    assert numpy.isnan(bp.nn.functional.mse_loss(empty, empty).item())
    assert numpy.isnan(bp.nn.functional.binary_cross_entropy_with_logits(empty, empty).item())


def test_second_derivatives_through_an_in_place_op_see_the_values_it_used():
    def hvp(lib):
        x = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([2.0, 0.25], dtype=lib.float64, requires_grad=True)
        z = x.clone()
        z.mul_(y)
        z.view(-1)[:1].mul_(x.sum())
        gx, gy = lib.autograd.grad((z * z).sum(), (x, y), create_graph=True)
        return [g.numpy() for g in lib.autograd.grad((gx + gy).sum(), (x, y))]

    for ours, theirs in zip(hvp(bp), hvp(torch), strict=True):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-14)


def test_view_refuses_a_layout_that_needs_a_copy_as_torch():
    with pytest.raises(RuntimeError, match="reshape"):
        torch.ones(2, 3).t().view(-1)
    with pytest.raises(RuntimeError, match="reshape"):
        bp.ones(2, 3).t().view(-1)
    assert bp.ones(2, 3).t().reshape(-1).shape == (6,)


def test_view_of_a_tensor_numpy_lays_out_in_another_order_still_writes_through():
    values = numpy.arange(6.0).reshape(2, 3)
    results = []
    # the same values, Fortran-ordered for NumPy (which keeps that order through w * 1.0),
    # contiguous for torch, whose view then shares memory
    for lib, data in ((bp, numpy.asfortranarray(values)), (torch, values)):
        w = lib.tensor(data, requires_grad=True)
        x = w * 1.0
        x.view(-1)[:4].mul_(3)  # found by the fuzz (seed 3919): NumPy's copy lost the write
        (x * x).sum().backward()
        results.append((x.detach().numpy(), w.grad.numpy()))
    for ours, theirs in zip(*results, strict=True):
        numpy.testing.assert_array_equal(ours, theirs)
