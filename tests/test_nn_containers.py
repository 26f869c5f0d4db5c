"""Sequential, Flatten and Dropout."""

from collections import OrderedDict

import numpy
import pytest

import backproplab as bp
from backproplab import nn


def test_sequential_applies_layers_in_order():
    first, second = nn.Linear(2, 3), nn.ReLU()
    model = nn.Sequential(first, second)
    x = bp.randn(4, 2)
    numpy.testing.assert_array_equal(model(x).array, second(first(x)).array)


def test_sequential_indexing_length_iteration_and_slices():
    layers = [nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3
    assert model[0] is layers[0] and model[-1] is layers[2]
    assert list(model) == layers
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    with pytest.raises(IndexError, match="out of range for 3 layers"):
        model[3]


def test_sequential_keys_are_positions_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid())
    model.append(nn.Linear(2, 1))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_sequential_from_ordered_dict_uses_the_names():
    model = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 2), act=nn.ReLU()))
    assert list(model.state_dict()) == ["hidden.weight", "hidden.bias"]


def test_sequential_refuses_non_modules():
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(lambda x: x)


def test_flatten_keeps_the_batch_dimension():
    assert nn.Flatten()(bp.zeros(5, 2, 3, 4)).shape == (5, 24)
    assert nn.Flatten(0)(bp.zeros(5, 2)).shape == (10,)


def test_dropout_in_training_zeroes_and_rescales():
    bp.manual_seed(0)
    x = bp.ones(1000, 10)
    out = nn.Dropout(0.25)(x).array
    assert set(numpy.unique(out)) == {0.0, numpy.float32(1 / 0.75)}
    assert abs((out == 0).mean() - 0.25) < 0.02


def test_dropout_in_eval_is_the_identity():
    layer = nn.Dropout(0.5).eval()
    x = bp.randn(20, 20)
    assert layer(x) is x


def test_dropout_mask_follows_the_library_seed():
    x = bp.ones(50)
    bp.manual_seed(11)
    a = nn.Dropout()(x).array
    bp.manual_seed(11)
    b = nn.Dropout()(x).array
    numpy.testing.assert_array_equal(a, b)


def test_dropout_gradient_is_the_mask():
    x = bp.ones(100, requires_grad=True)
    out = nn.Dropout(0.5, generator=bp.Generator(1))(x)
    out.sum().backward()
    numpy.testing.assert_array_equal(x.grad.array, out.array)


def test_dropout_rejects_probabilities_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)
