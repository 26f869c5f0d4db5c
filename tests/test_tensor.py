"""Tensor attributes and conversions, and which results carry no gradient."""

import numpy
import pytest

import backproplab as bp


def test_leaf_attributes():
    x = bp.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None
    assert x.shape == (2, 3) and x.ndim == 2 and x.numel() == 6 and x.dtype == bp.float32
    assert x.size() == (2, 3) and x.size(1) == 3 and x.dim() == 2 and len(x) == 2


def test_op_result_has_grad_fn_and_is_not_a_leaf():
    x = bp.tensor([1.0], requires_grad=True)
    y = x * 2.0
    assert y.requires_grad and not y.is_leaf
    assert type(y.grad_fn).__name__ == "Mul" and repr(y.grad_fn) == "<MulBackward>"


def test_result_of_tensors_without_grad_is_a_leaf_without_grad():
    y = bp.tensor([1.0]) * 2.0
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None


def test_item_tolist_and_numpy():
    x = bp.tensor([[1.5, 2.0]])
    assert bp.tensor(3.5).item() == 3.5 and isinstance(bp.tensor(3).item(), int)
    assert x.tolist() == [[1.5, 2.0]]
    assert isinstance(x.numpy(), numpy.ndarray) and x.numpy().dtype == numpy.float32
    with pytest.raises(ValueError, match=r"one-element.*shape \(1, 2\)"):
        x.item()


def test_numpy_of_tensor_requiring_grad_asks_for_detach():
    x = bp.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0]


def test_detach_shares_memory_and_cuts_the_graph():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert numpy.shares_memory(d.numpy(), y.array)


def test_requires_grad_underscore_on_leaf_and_its_errors():
    x = bp.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="only change requires_grad of leaf"):
        (bp.tensor([1.0], requires_grad=True) * 2.0).requires_grad_(False)
    with pytest.raises(RuntimeError, match="floating-point"):
        bp.tensor([1, 2]).requires_grad_()


def test_repr_looks_like_torch():
    assert repr(bp.tensor([-20.0])) == "tensor([-20.])"
    assert repr(bp.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(bp.tensor([2.0], requires_grad=True)) == "tensor([2.], requires_grad=True)"
    assert repr(bp.tensor([1.0], dtype=bp.float64)) == "tensor([1.], dtype=float64)"
    y = bp.tensor([1.0], requires_grad=True) * 2.0
    assert repr(y) == "tensor([2.], grad_fn=<MulBackward>)"


def test_comparisons_are_bool_and_not_differentiable():
    x = bp.tensor([1.0, -2.0, 3.0], requires_grad=True)
    for result in (x > 0, x >= 0, x < 0, x <= 0, x == 1.0, x != 1.0):
        assert result.dtype == bp.bool_ and not result.requires_grad and result.grad_fn is None
    assert (x > 0).tolist() == [True, False, True]


def test_argmax_and_argmin_are_int64_and_not_differentiable():
    x = bp.tensor([[1.0, 5.0, 3.0], [7.0, 0.0, 2.0]], requires_grad=True)
    for result in (x.argmax(), x.argmax(dim=1), bp.argmin(x, dim=0)):
        assert result.dtype == bp.int64 and not result.requires_grad
    assert x.argmax().item() == 3
    assert x.argmax(dim=1).tolist() == [1, 0]
    assert x.argmin(dim=0, keepdim=True).tolist() == [[0, 1, 1]]


def test_max_with_dim_returns_values_and_indices_like_torch():
    x = bp.tensor([[1.0, 5.0, 3.0], [7.0, 0.0, 2.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    result = x.min(dim=0, keepdim=True)
    assert result.values.shape == (1, 3) and result.indices.dtype == bp.int64
    assert values.requires_grad and not indices.requires_grad


def test_bool_of_multi_element_tensor_is_ambiguous():
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(bp.tensor([1.0, 2.0]))
    assert bool(bp.tensor([1.0]))


def test_iterating_yields_rows_that_carry_gradient():
    x = bp.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    total = sum(row.sum() * float(i + 1) for i, row in enumerate(x))
    total.backward()
    assert x.grad.tolist() == [[1.0, 1.0], [2.0, 2.0]]
