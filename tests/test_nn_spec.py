"""Network specs: hand-written JSON to model and back, with clear errors for bad specs."""

import json

import numpy
import pytest

import backproplab as bp
from backproplab import nn

TEXTBOOK = {
    "layers": [2, 2, 1],
    "activation": "sigmoid",
    "output_activation": "sigmoid",
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45]]],
    "biases": [[0.35, 0.35], [0.60]],
    "dtype": "float64",
}


def _sigmoid(z):
    return 1 / (1 + numpy.exp(-z))


def test_textbook_2_2_1_network_computes_the_hand_written_forward_pass():
    model = nn.from_spec(TEXTBOOK)
    x = numpy.array([[0.05, 0.10], [1.0, -1.0]])
    w1 = numpy.array([[0.15, 0.20], [0.25, 0.30]])
    b1 = numpy.array([0.35, 0.35])
    w2 = numpy.array([[0.40, 0.45]])
    b2 = numpy.array([0.60])
    hidden = _sigmoid(x @ w1.T + b1)
    expected = _sigmoid(hidden @ w2.T + b2)
    numpy.testing.assert_allclose(model(bp.tensor(x)).array, expected, rtol=1e-15)
    # first row is Matt Mazur's worked example: h = σ(0.3775), σ(0.3925) -> out_o1 = 0.75136507
    assert model(bp.tensor(x)).array[0, 0] == pytest.approx(0.75136507, abs=1e-8)


def test_spec_builds_linear_and_activation_layers_in_order():
    model = nn.from_spec(TEXTBOOK)
    assert [type(m).__name__ for m in model] == ["Linear", "Sigmoid", "Linear", "Sigmoid"]
    assert model[0].weight.dtype == bp.float64


def test_per_layer_activations_with_none_for_a_linear_output():
    model = nn.from_spec({"layers": [3, 4, 4, 2],
                          "activations": ["tanh", {"name": "leaky_relu", "negative_slope": 0.2},
                                          None]})
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear", "LeakyReLU",
                                                 "Linear"]
    assert model[3].negative_slope == 0.2


def test_default_activation_is_relu_between_layers_and_none_after_the_last():
    model = nn.from_spec({"layers": [2, 3, 1]})
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]


def test_to_spec_survives_json_and_rebuilds_an_identical_model():
    model = nn.Sequential(nn.Linear(3, 4), nn.GELU(), nn.Linear(4, 2), nn.Softmax(dim=-1))
    text = json.dumps(model.to_spec())
    rebuilt = nn.from_spec(json.loads(text))
    x = bp.randn(5, 3)
    numpy.testing.assert_array_equal(model(x).array, rebuilt(x).array)
    assert rebuilt.to_spec() == model.to_spec()


def test_to_spec_of_the_textbook_network_gives_back_its_weights():
    spec = nn.from_spec(TEXTBOOK).to_spec()
    assert spec["weights"] == TEXTBOOK["weights"] and spec["biases"] == TEXTBOOK["biases"]
    assert spec["activations"] == ["sigmoid", "sigmoid"] and spec["layers"] == [2, 2, 1]


def test_to_spec_without_weights_describes_only_the_architecture():
    spec = nn.from_spec(TEXTBOOK).to_spec(weights=False)
    assert "weights" not in spec and "biases" not in spec


def test_layers_without_bias():
    model = nn.from_spec({"layers": [2, 1], "bias": False, "weights": [[[1.0, 2.0]]]})
    assert model[0].bias is None
    numpy.testing.assert_array_equal(model(bp.tensor([[1.0, 1.0]])).array, [[3.0]])
    assert nn.from_spec(model.to_spec()).to_spec() == model.to_spec()


def test_autoencoder_spec_round_trip():
    model = nn.Autoencoder(4, hidden=[3], bottleneck=2, activation="tanh",
                           output_activation="sigmoid")
    spec = json.loads(json.dumps(model.to_spec()))
    assert spec["type"] == "autoencoder" and spec["hidden"] == [3]
    rebuilt = nn.from_spec(spec)
    assert isinstance(rebuilt, nn.Autoencoder)
    x = bp.rand(6, 4)
    numpy.testing.assert_array_equal(model(x).array, rebuilt(x).array)


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'sigmod'; valid names: identity"):
        nn.from_spec({"layers": [2, 2, 1], "activation": "sigmod"})


def test_weight_of_the_wrong_shape_names_both_shapes():
    bad = {**TEXTBOOK, "weights": [[[0.15, 0.20, 0.1], [0.25, 0.30, 0.1]], [[0.40, 0.45]]]}
    with pytest.raises(ValueError, match=r"weight of layer 0 has shape \(2, 3\) but layers "
                                         r"\[2, 2, 1\] need shape \(2, 2\)"):
        nn.from_spec(bad)


def test_wrong_number_of_weight_matrices_is_refused():
    with pytest.raises(ValueError, match="one entry per Linear layer"):
        nn.from_spec({**TEXTBOOK, "weights": TEXTBOOK["weights"][:1]})


def test_ragged_weights_are_refused():
    with pytest.raises(ValueError, match="not a rectangular list"):
        nn.from_spec({**TEXTBOOK, "weights": [[[0.15], [0.25, 0.30]], [[0.40, 0.45]]]})


def test_unknown_keys_are_refused_listing_valid_ones():
    with pytest.raises(ValueError, match=r"unknown key.*'activaton'.*valid keys: type, layers"):
        nn.from_spec({"layers": [2, 1], "activaton": "relu"})


@pytest.mark.parametrize("layers", [[2], [2, 0], [2, 1.5], "2,1"])
def test_bad_layer_sizes_are_refused(layers):
    with pytest.raises(ValueError, match="layer"):
        nn.from_spec({"layers": layers})


def test_activation_and_activations_together_are_ambiguous():
    with pytest.raises(ValueError, match="either 'activations'"):
        nn.from_spec({"layers": [2, 1], "activation": "relu", "activations": ["relu"]})


def test_unknown_type_lists_valid_types():
    with pytest.raises(ValueError, match="valid types: mlp, autoencoder"):
        nn.from_spec({"type": "cnn"})


def test_to_spec_refuses_models_a_spec_cannot_describe():
    with pytest.raises(TypeError, match="Dropout"):
        nn.Sequential(nn.Linear(2, 2), nn.Dropout(), nn.Linear(2, 1)).to_spec()
    with pytest.raises(TypeError, match="only Sequential MLPs and Autoencoders"):
        nn.Linear(2, 2).to_spec()


@pytest.mark.parametrize("spec", [
    {"layers": [2, 3, 1]},
    {"layers": [3, 4, 4, 2], "activation": "tanh", "output_activation": "sigmoid"},
    {"layers": [2, 5, 1], "activations": [None, "relu"], "bias": False},
    {"type": "autoencoder", "input_dim": 6, "hidden": [4, 3], "bottleneck": 2,
     "output_activation": "sigmoid"},
    {"type": "autoencoder", "input_dim": 4, "bottleneck": 1},
])
def test_state_shapes_are_those_of_the_built_model_without_building_it(spec):
    built = {k: tuple(v.shape) for k, v in nn.from_spec(spec).state_dict().items()}
    assert nn.spec.state_shapes(spec) == built
