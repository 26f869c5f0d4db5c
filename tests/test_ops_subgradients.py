"""Gradients at kinks and ties follow PyTorch's conventions."""

import pytest

import backproplab as bp


def grad_of(fn, values):
    x = bp.tensor(values, dtype=bp.float64, requires_grad=True)
    fn(x).sum().backward()
    return x.grad.tolist()


def test_relu_derivative_at_zero_is_zero():
    assert grad_of(bp.relu, [-1.0, 0.0, 2.0]) == [0.0, 0.0, 1.0]


def test_abs_derivative_at_zero_is_zero():
    assert grad_of(bp.abs, [-3.0, 0.0, 3.0]) == [-1.0, 0.0, 1.0]


def test_leaky_relu_derivative_at_zero_is_the_slope():
    assert grad_of(lambda x: bp.leaky_relu(x, 0.1), [0.0, 1.0]) == [0.1, 1.0]


def test_ties_of_full_max_share_the_gradient_evenly():
    assert grad_of(lambda x: x.max(), [3.0, 1.0, 3.0]) == [0.5, 0.0, 0.5]
    assert grad_of(lambda x: x.min(), [1.0, 1.0, 1.0, 2.0]) == pytest.approx([1 / 3] * 3 + [0])


def test_ties_of_amax_over_a_dim_share_the_gradient_evenly_per_row():
    assert grad_of(lambda x: x.amax(dim=1), [[2.0, 2.0], [1.0, 5.0]]) == [[0.5, 0.5], [0.0, 1.0]]


def test_max_with_dim_sends_the_gradient_to_the_returned_index_only():
    x = bp.tensor([[2.0, 2.0, 1.0]], dtype=bp.float64, requires_grad=True)
    values, indices = x.max(dim=1)
    values.sum().backward()
    expected = [0.0, 0.0, 0.0]
    expected[indices.item()] = 1.0
    assert x.grad.tolist() == [expected]


def test_clamp_at_the_boundary_passes_the_gradient():
    assert grad_of(lambda x: x.clamp(-1.0, 1.0), [-2.0, -1.0, 0.0, 1.0, 2.0]) == [
        0.0, 1.0, 1.0, 1.0, 0.0]


def test_maximum_and_minimum_split_ties_evenly():
    a = bp.tensor([1.0, 2.0], dtype=bp.float64, requires_grad=True)
    b = bp.tensor([1.0, 0.0], dtype=bp.float64, requires_grad=True)
    (bp.maximum(a, b) + bp.minimum(a, b) * 10.0).sum().backward()
    assert a.grad.tolist() == [5.5, 1.0]
    assert b.grad.tolist() == [5.5, 10.0]


def test_subgradients_agree_with_torch():
    torch = pytest.importorskip("torch")
    values = [[-1.0, 0.0, 2.0, 2.0], [3.0, 3.0, 0.0, -3.0]]

    def run(lib):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        y = (lib.relu(x).sum() + lib.abs(x).sum() * 2 + x.amax() * 3 + x.amax(dim=1).sum() * 5
             + x.clamp(0.0, 2.0).sum() * 7 + x.max(dim=0).values.sum() * 11)
        y.backward()
        return x.grad.tolist()

    assert run(bp) == run(torch)
