"""Linear and Identity: shapes, PyTorch's default initialisation, and values against PyTorch."""

import math

import numpy
import pytest

import backproplab as bp
from backproplab import nn


def test_weight_is_out_by_in_and_output_has_out_features():
    layer = nn.Linear(3, 5)
    assert layer.weight.shape == (5, 3) and layer.bias.shape == (5,)
    assert layer(bp.ones(7, 3)).shape == (7, 5)
    assert layer.weight.dtype == bp.float32


def test_linear_without_bias_has_no_bias_parameter():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    numpy.testing.assert_allclose(layer(bp.ones(1, 3)).array, layer.weight.array.sum(1)[None],
                                  rtol=1e-6)


def test_default_init_stays_within_one_over_sqrt_fan_in():
    # kaiming_uniform(a=√5) gives bound gain·√(3/fan_in) = √(2/6)·√(3/fan_in) = 1/√fan_in
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = layer.weight.array
    assert numpy.abs(w).max() <= bound
    assert numpy.abs(w).max() > 0.99 * bound  # it uses the whole range
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert numpy.abs(layer.bias.array).max() <= bound


def test_init_is_reproducible_from_the_library_seed():
    bp.manual_seed(7)
    a = nn.Linear(4, 3)
    bp.manual_seed(7)
    b = nn.Linear(4, 3)
    numpy.testing.assert_array_equal(a.weight.array, b.weight.array)
    numpy.testing.assert_array_equal(a.bias.array, b.bias.array)
    c = nn.Linear(4, 3)
    assert not numpy.array_equal(a.weight.array, c.weight.array)


def test_explicit_generator_leaves_the_global_sequence_alone():
    bp.manual_seed(3)
    expected = bp.rand(2).array
    bp.manual_seed(3)
    nn.Linear(4, 3, generator=bp.Generator(0))
    numpy.testing.assert_array_equal(bp.rand(2).array, expected)


def test_nonpositive_sizes_are_refused():
    with pytest.raises(ValueError, match="in_features=0"):
        nn.Linear(0, 3)


def test_identity_returns_its_input():
    x = bp.ones(2)
    assert nn.Identity()(x) is x


def test_linear_forward_and_backward_match_torch_with_copied_weights():
    torch = pytest.importorskip("torch")
    rng = numpy.random.default_rng(0)
    layer = nn.Linear(4, 3, dtype=bp.float64)
    ref = torch.nn.Linear(4, 3, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.weight.array))
        ref.bias.copy_(torch.from_numpy(layer.bias.array))
    x_np = rng.normal(size=(5, 4))
    upstream = rng.normal(size=(5, 3))
    x = bp.tensor(x_np, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    out = layer(x)
    tout = ref(tx)
    numpy.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-12)
    out.backward(bp.tensor(upstream))
    tout.backward(torch.tensor(upstream))
    numpy.testing.assert_allclose(layer.weight.grad.array, ref.weight.grad.numpy(), rtol=1e-12)
    numpy.testing.assert_allclose(layer.bias.grad.array, ref.bias.grad.numpy(), rtol=1e-12)
    numpy.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-12)
