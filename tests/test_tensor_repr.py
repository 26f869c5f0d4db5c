"""Tensors print like PyTorch's: same number formats, same padding, same suffixes."""

import math

import pytest

import backproplab as bp

CASES = [
    [-20.0],
    [0.0, 0.5, 1.0],
    [1.0, 2.0],
    [1e-5, 1.0],
    [12345.678, 0.1],
    3.14159,
    [1e9, 1.0],
    [[1.5, -2.25], [100.0, 3.0]],
    [math.nan, 1.5],
    [math.inf, -2.0, 0.25],
    [[0.0, 0.0], [0.0, 0.0]],
]


@pytest.mark.torch
@pytest.mark.parametrize("values", CASES, ids=str)
def test_float_tensors_print_like_pytorch(values):
    torch = pytest.importorskip("torch")
    assert repr(bp.tensor(values)) == repr(torch.tensor(values))


@pytest.mark.torch
def test_suffixes_match_pytorch_for_grad_and_ints():
    torch = pytest.importorskip("torch")
    assert repr(bp.tensor([[1.5, 2.0]], requires_grad=True)) == repr(
        torch.tensor([[1.5, 2.0]], requires_grad=True))
    assert repr(bp.tensor([1, 2, 3])) == repr(torch.tensor([1, 2, 3]))


def test_float64_tensors_name_their_dtype():
    assert repr(bp.tensor([0.5], dtype=bp.float64)) == "tensor([0.5000], dtype=float64)"
