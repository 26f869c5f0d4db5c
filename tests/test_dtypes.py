"""Type promotion: float32 stays float32, ints meet floats as in PyTorch, grads match inputs."""

import numpy
import pytest

import backproplab as bp


@pytest.mark.parametrize("scalar", [2.5, 2, numpy.float64(2.5), numpy.float32(2.5), numpy.int64(2)],
                         ids=["float", "int", "np.float64", "np.float32", "np.int64"])
def test_float32_tensor_with_python_or_numpy_scalar_stays_float32(scalar):
    x = bp.tensor([1.0, 2.0])
    for result in (x + scalar, scalar + x, x * scalar, x - scalar, scalar - x, x / scalar,
                   x**scalar, bp.maximum(x, scalar)):
        assert result.dtype == bp.float32


def test_float32_unary_ops_and_reductions_stay_float32():
    x = bp.tensor([[0.5, 2.0]])
    for result in (x.exp(), x.log(), x.sqrt(), x.sigmoid(), x.tanh(), x.sum(), x.mean(),
                   x.var(), bp.softmax(x, -1), bp.logsumexp(x, 1), x @ x.T):
        assert result.dtype == bp.float32


def test_int_tensor_times_float_scalar_is_float32():
    assert (bp.tensor([1, 2]) * 0.5).dtype == bp.float32
    assert (0.5 * bp.tensor([1, 2])).tolist() == [0.5, 1.0]


def test_int_tensor_arithmetic_stays_integer_and_true_division_gives_float32():
    i = bp.tensor([1, 2])
    assert (i * 2).dtype == bp.int64 and (i + i).dtype == bp.int64
    assert (i / 2).dtype == bp.float32 and (i / 2).tolist() == [0.5, 1.0]
    assert i.sum().dtype == bp.int64


def test_float32_meets_float64_tensor_promotes_to_float64():
    assert (bp.tensor([1.0]) + bp.tensor([1.0], dtype=bp.float64)).dtype == bp.float64


def test_gradients_have_their_input_dtype():
    a = bp.tensor([1.0, 2.0], requires_grad=True)  # float32
    b = bp.tensor([3.0, 4.0], dtype=bp.float64, requires_grad=True)
    (a * b).sum().backward()  # the product is float64
    assert a.grad.dtype == bp.float32 and b.grad.dtype == bp.float64


def test_gradient_through_cast_has_the_leaf_dtype():
    a = bp.tensor([1.0, 2.0], requires_grad=True)
    (a.double() * 3.0).sum().backward()
    assert a.grad.dtype == bp.float32 and a.grad.tolist() == [3.0, 3.0]


def test_float32_backward_stays_float32_everywhere():
    w = bp.tensor([[0.5, -1.0]], requires_grad=True)
    x = bp.tensor([[1.0, 2.0], [3.0, 4.0]])
    seen = []
    h = x @ w.T
    h.register_hook(lambda g: seen.append(g.dtype))
    bp.nn.functional.mse_loss(bp.sigmoid(h), bp.tensor([[1.0], [0.0]])).backward()
    assert seen == [bp.float32] and w.grad.dtype == bp.float32
