"""How the lab draws a network's initial weights: Kaiming (He) uniform and bias 0.1 before
ReLUs, Xavier (Glorot) before tanh, sigmoid and the output, and ReLU units dead on every
training row drawn again — said on screen and done the same way by the exported script."""

import numpy
import pytest

from backproplab import nn
from backproplab.lab.code_generation import python_script
from backproplab.lab.config import DATASET_PRESETS, LabConfig
from backproplab.lab.gradients import initialisation
from backproplab.lab.network import LabNetwork
from backproplab.lab.session import Session
from tests.test_lab_code_generation import run_script

DEEP_RELU = {**DATASET_PRESETS["circles"], "dataset": "circles", "hidden": (4,) * 6,
             "activation": "relu"}


def _dead_units(session) -> int:
    rows = ~session.points.is_test
    outputs = session.network.layer_outputs(session.points.x[rows])[1:-1]
    return sum(int((~(h > 0).any(axis=0)).sum()) for h in outputs)


@pytest.mark.parametrize("seed", range(8))
def test_no_relu_unit_starts_dead_on_the_training_rows(seed):
    session = Session(LabConfig().updated({**DEEP_RELU, "seed": seed}))
    assert _dead_units(session) == 0


def test_without_the_redraw_narrow_deep_relu_networks_are_born_with_dead_units():
    """What the redraw is for: the same seeds' Kaiming draws alone leave units dead."""
    dead = 0
    for seed in range(8):
        session = Session(LabConfig().updated({**DEEP_RELU, "seed": seed}))
        session.network = LabNetwork(session.config, session.points.info)  # no training rows
        dead += _dead_units(session)
    assert dead >= 8


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_tanh_and_sigmoid_networks_are_exactly_the_seeds_xavier_draws(activation):
    session = Session(LabConfig().updated({"hidden": (4, 3), "activation": activation,
                                           "seed": 3}))
    rng = numpy.random.default_rng(3)
    for (linear, _), w in zip(session.network.layers, session.network.weights(), strict=True):
        expected = nn.Linear(linear.in_features, linear.out_features)
        nn.init.init_linear_for_(expected, w["activation"], rng)  # the output's: sigmoid
        numpy.testing.assert_array_equal(linear.weight.array, expected.weight.array)
        assert (linear.bias.array == 0).all()


def test_the_gradient_panel_names_the_initialisation_the_bias_and_the_redraw():
    relu = Session(LabConfig().updated(DEEP_RELU))
    assert initialisation(relu.network) == (
        "Kaiming (He) uniform before relu; Xavier (Glorot) uniform before the output; "
        "biases 0.1 before relu, 0 before the output; ReLU units dead on every training row "
        "at the start drawn again")
    assert initialisation(Session().network).endswith("before tanh and the output; biases 0")


def test_the_exported_script_of_a_relu_run_ends_at_the_lab_weights(tmp_path):
    session = Session(LabConfig().updated({**DEEP_RELU, "points": 60, "seed": 10}))
    for _ in range(3):
        session.step("epoch")
    code = python_script(session)
    assert "redraw_dead_relus_" in code
    weights = run_script(code, tmp_path)
    lab = [p.array for p in session.network.parameters()]
    assert all(numpy.array_equal(a, b) for a, b in zip(weights, lab, strict=True))
