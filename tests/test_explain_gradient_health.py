"""Gradient health and the gradient-check view."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn
from backproplab.explain.vanishing_demo import deep_mlp


def test_deep_sigmoid_network_is_flagged_vanishing_and_relu_with_he_init_is_not():
    reports = bp.explain.vanishing_gradient_demo(depth=8, width=12, samples=16)
    assert reports["sigmoid"].vanishing
    assert reports["sigmoid"].first_to_last_ratio < 1e-4
    assert not reports["relu"].vanishing and not reports["relu"].exploding
    assert "VANISHING" in reports["sigmoid"].summary()


def test_dead_relu_and_saturated_sigmoid_units_are_found():
    model = nn.from_spec({"layers": [1, 2, 1], "activation": "relu", "dtype": "float64",
                          "weights": [[[1.0], [-1.0]], [[1.0, 1.0]]], "biases": [[0, -5], [0]]})
    health = bp.explain.gradient_health(model, [[1.0], [2.0]], [[0.0], [1.0]], nn.MSELoss())
    assert health.layers[0].dead_units == [1]
    model = nn.from_spec({"layers": [1, 2, 1], "activation": "sigmoid", "dtype": "float64",
                          "weights": [[[20.0], [0.1]], [[1.0, 1.0]]], "biases": [[0, 0], [0]]})
    health = bp.explain.gradient_health(model, [[1.0]], [[0.0]], nn.MSELoss())
    assert health.layers[0].saturated_units == [0]


def test_update_ratio_is_lr_times_gradient_norm_over_weight_norm():
    model = deep_mlp("tanh", 3, 4, seed=1)
    x, t = numpy.ones((2, 2)), numpy.zeros((2, 1))
    h = bp.explain.gradient_health(model, x, t, nn.MSELoss(), lr=0.5).layers[0]
    assert h.update_ratio == pytest.approx(0.5 * h.grad_norm / h.weight_norm)


@pytest.mark.parametrize("loss", [nn.MSELoss(), nn.BCEWithLogitsLoss()])
def test_gradient_check_agrees_for_a_float32_model(loss):
    model = nn.from_spec({"layers": [2, 3, 1], "activation": "tanh"})
    check = bp.explain.gradient_check(model, [[0.3, -0.7]], [[1.0]], loss)
    assert check.ok and len(check.rows) == 13
    assert model[0].weight.dtype == bp.float32 and model[0].weight.grad is None


def test_gradient_check_exposes_a_wrong_gradient():
    class Doubled(nn.Module):  # a user layer whose hook doubles the gradient: backward is wrong
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 1, dtype="float64")

        def forward(self, x):
            y = self.lin(x)
            if y.requires_grad:
                y.register_hook(lambda g: g * 2)
            return y

    check = bp.explain.gradient_check(Doubled(), [[0.3, -0.7]], [[1.0]], nn.MSELoss())
    assert not check.ok and check.max_relative_error == pytest.approx(1 / 3, rel=1e-4)


def test_flags_say_what_is_wrong_in_one_sentence_each():
    sigmoid = bp.explain.vanishing_gradient_demo(depth=8, width=12, samples=16)["sigmoid"]
    ratio = sigmoid.first_to_last_ratio
    mantissa, exponent = f"{ratio:.1e}".split("e")
    assert sigmoid.flags() == [f"vanishing gradient: layer 1 receives "
                               f"{float(mantissa):g}e{int(exponent)} of layer 8's gradient"]
    model = nn.from_spec({"layers": [1, 2, 1], "activation": "sigmoid", "dtype": "float64",
                          "weights": [[[20.0], [30.0]], [[1.0, 1.0]]], "biases": [[0, 0], [0]]})
    health = bp.explain.gradient_health(model, [[1.0], [2.0]], [[0.0], [0.0]], nn.MSELoss())
    assert ("2 of 2 units in layer 1 are saturated: slope under 10% of its peak on every sample"
            in health.flags())


def test_exploding_flag_gives_the_ratio_as_a_multiple():
    model = nn.from_spec({"layers": [1, 1, 1], "activation": "identity", "dtype": "float64",
                          "weights": [[[0.001]], [[1000.0]]], "biases": [[0], [0]]})
    health = bp.explain.gradient_health(model, [[1.0]], [[5.0]], nn.MSELoss())
    assert health.exploding
    assert health.flags() == [f"exploding gradient: layer 1 receives "
                              f"{health.first_to_last_ratio:.2g}× layer 2's gradient"
                              .replace("e+0", "e").replace("e+", "e")]
