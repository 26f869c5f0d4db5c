"""Tensor methods beginner code calls, against torch: values, dtypes and gradients."""

import numpy
import pytest

import backproplab as bp

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

A = numpy.array([[5.5, -7.25, 3.0], [0.5, 2.0, -1.5]])
B = numpy.array([[2.0, 3.0, -2.5], [0.25, -1.5, 4.0]])


def _pair(lib):
    a = lib.tensor(A, dtype=lib.float64, requires_grad=True)
    b = lib.tensor(B, dtype=lib.float64, requires_grad=True)
    return a, b


CASES = {
    "mod": lambda lib, a, b: a % b,
    "mod_scalar": lambda lib, a, b: a % 2.0,
    "remainder": lambda lib, a, b: lib.remainder(a, b),
    "log10": lambda lib, a, b: (a * a + 1).log10(),
    "log2": lambda lib, a, b: lib.log2(b * b + 0.5),
    "flip": lambda lib, a, b: a.flip(0) * b,
    "flip_both": lambda lib, a, b: lib.flip(a, (0, 1)) * b,
    "index_select": lambda lib, a, b: a.index_select(1, lib.tensor([2, 0, 2])),
    "index_select0": lambda lib, a, b: lib.index_select(b, 0, lib.tensor([1])),
    "masked_fill": lambda lib, a, b: a.masked_fill(b > 0, 0.5) * b,
    "masked_fill_tensor_value": lambda lib, a, b: lib.masked_fill(a, b < 0, b.sum()),
}


@pytest.mark.parametrize("name", list(CASES))
def test_method_values_and_gradients_match_torch(name):
    fn = CASES[name]
    ours, theirs = _pair(bp), _pair(torch)
    o, t = fn(bp, *ours), fn(torch, *theirs)
    assert o.dtype == bp.float64 and tuple(o.shape) == tuple(t.shape)
    numpy.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-12)
    seed = numpy.arange(o.numel(), dtype=float).reshape(o.shape) - 2
    o.backward(bp.tensor(seed))
    t.backward(torch.tensor(seed))
    for x, y in zip(ours, theirs, strict=True):
        expected = numpy.zeros(A.shape) if y.grad is None else y.grad.numpy()
        got = numpy.zeros(A.shape) if x.grad is None else x.grad.numpy()
        numpy.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_scalar_modulo_tensor_matches_torch():
    assert (7.5 % bp.tensor(B)).tolist() == (7.5 % torch.tensor(B)).tolist()


def test_floor_division_matches_torch_and_carries_no_gradient():
    for a, b in [(A, B), (A, 2.0), (7, B)]:
        ours = bp.tensor(a) // (bp.tensor(b) if isinstance(b, numpy.ndarray) else b) \
            if isinstance(a, numpy.ndarray) else a // bp.tensor(b)
        theirs = torch.tensor(a) // (torch.tensor(b) if isinstance(b, numpy.ndarray) else b) \
            if isinstance(a, numpy.ndarray) else a // torch.tensor(b)
        assert ours.tolist() == theirs.tolist()
    ints = bp.tensor([7, -7, 9]) // bp.tensor([2, 2, -4])
    assert ints.dtype == bp.int64 and ints.tolist() == [3, -4, -3]
    assert not (bp.tensor([1.0], requires_grad=True) // 2).requires_grad


def test_in_place_activations_change_the_tensor_and_keep_gradients_right():
    for name in ("relu_", "sigmoid_", "tanh_", "exp_", "abs_", "neg_"):
        ours = bp.tensor(A, requires_grad=True, dtype=bp.float64)
        theirs = torch.tensor(A, requires_grad=True)
        o, t = ours * 0.3, theirs * 0.3  # unsaturated: 1 - tanh² cancels near ±1
        assert getattr(o, name)() is o
        getattr(t, name)()
        numpy.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-13)
        o.sum().backward()
        t.sum().backward()
        numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-13)
    x = bp.tensor([-1.0, 2.0])
    x.masked_fill_(x < 0, 9.0)
    assert x.tolist() == [9.0, 2.0]


def test_counting_and_equality_helpers():
    x = bp.zeros(2, 3, 4)
    assert x.nelement() == 24 == x.numel() and x.element_size() == 4
    assert bp.tensor([1.0, 2.0]).allclose(bp.tensor([1.0, 2.0 + 1e-9]))
    assert not bp.allclose(bp.tensor([1.0]), bp.tensor([1.1]))
    assert bp.equal(bp.tensor([1, 2]), bp.tensor([1, 2])) is True
    assert bp.tensor([1, 2]).equal(bp.tensor([[1, 2]])) is False  # shapes differ


def test_comparing_with_none_or_other_objects_is_false_not_an_error():
    x = bp.tensor([1.0, 2.0])
    assert (x == None) is False and (x != None) is True  # noqa: E711 - the pattern under test
    assert (x == "a") is False and (x != object()) is True
    assert (x == 1.0).tolist() == [True, False]
    with pytest.raises(TypeError):
        x < None  # noqa: B015 - ordering against None stays an error, as in PyTorch


def test_legacy_constructors_make_data_or_zeros_of_a_shape():
    assert bp.FloatTensor([1, 2]).dtype == bp.float32 and bp.FloatTensor([1, 2]).tolist() == [1, 2]
    assert bp.LongTensor([1.7]).dtype == bp.int64
    assert bp.DoubleTensor(2, 3).shape == (2, 3) and bp.DoubleTensor(2, 3).dtype == bp.float64
    assert bp.BoolTensor([1, 0]).tolist() == [True, False]
    assert bp.IntTensor(3).shape == (3,)
