"""Activation modules and the activation-name registry."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn
from backproplab.nn import functional as F
from backproplab.nn.activation import activation_spec

X = bp.tensor([[-2.0, -0.5, 0.0, 0.5, 3.0]])

MODULE_CASES = [
    (nn.Sigmoid(), F.sigmoid(X)),
    (nn.Tanh(), F.tanh(X)),
    (nn.ReLU(), F.relu(X)),
    (nn.LeakyReLU(0.2), F.leaky_relu(X, 0.2)),
    (nn.ELU(0.5), F.elu(X, 0.5)),
    (nn.GELU("tanh"), F.gelu(X, "tanh")),
    (nn.Softplus(2.0), F.softplus(X, 2.0)),
    (nn.Softmax(dim=1), F.softmax(X, 1)),
    (nn.LogSoftmax(dim=1), F.log_softmax(X, 1)),
]


@pytest.mark.parametrize(("module", "expected"), MODULE_CASES,
                         ids=[type(m).__name__ for m, _ in MODULE_CASES])
def test_activation_module_equals_its_functional_form(module, expected):
    numpy.testing.assert_array_equal(module(X).array, expected.array)


def test_activation_modules_match_torch():
    torch = pytest.importorskip("torch")
    x = numpy.linspace(-4, 4, 17).reshape(1, 17)
    pairs = [(nn.Sigmoid(), torch.nn.Sigmoid()), (nn.Tanh(), torch.nn.Tanh()),
             (nn.ReLU(), torch.nn.ReLU()), (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)),
             (nn.ELU(), torch.nn.ELU()), (nn.GELU(), torch.nn.GELU()),
             (nn.Softplus(), torch.nn.Softplus()), (nn.Softmax(1), torch.nn.Softmax(1)),
             (nn.LogSoftmax(1), torch.nn.LogSoftmax(1))]
    for ours, theirs in pairs:
        numpy.testing.assert_allclose(ours(bp.tensor(x)).array,
                                      theirs(torch.tensor(x)).numpy(), rtol=1e-12, atol=1e-15,
                                      err_msg=type(ours).__name__)


def test_repr_shows_arguments():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.ReLU()) == "ReLU()"


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_every_registered_name_builds_its_module_and_maps_back(name):
    module = nn.get_activation(name)
    assert type(module) is nn.ACTIVATIONS[name]
    spec = activation_spec(module)
    assert (spec if isinstance(spec, str) else spec["name"]) == name


def test_registry_accepts_classes_instances_dicts_and_any_case():
    relu = nn.ReLU()
    assert nn.get_activation(relu) is relu
    assert type(nn.get_activation(nn.Tanh)) is nn.Tanh
    assert type(nn.get_activation("ReLU")) is nn.ReLU
    leaky = nn.get_activation({"name": "leaky_relu", "negative_slope": 0.3})
    assert leaky.negative_slope == 0.3
    assert activation_spec(leaky) == {"name": "leaky_relu", "negative_slope": 0.3}


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'swish'; valid names: identity, "
                                         "sigmoid, tanh, relu"):
        nn.get_activation("swish")


def test_unknown_activation_argument_lists_the_accepted_ones():
    with pytest.raises(ValueError, match="takes: negative_slope"):
        nn.get_activation({"name": "leaky_relu", "slope": 0.1})
