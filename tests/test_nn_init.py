"""bp.nn.init: torch.nn.init's formulas, checked by bounds and sample statistics."""

import math

import numpy
import pytest

import backproplab as bp
from backproplab.nn import init

FAN_OUT, FAN_IN = 200, 300


def _weight():
    return bp.nn.Parameter(bp.zeros(FAN_OUT, FAN_IN, dtype=bp.float64))


@pytest.mark.parametrize(("name", "param", "expected"), [
    ("linear", None, 1.0), ("sigmoid", None, 1.0), ("tanh", None, 5.0 / 3),
    ("relu", None, math.sqrt(2.0)), ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01**2))),
    ("leaky_relu", math.sqrt(5), math.sqrt(2.0 / 6)), ("selu", None, 0.75),
])
def test_calculate_gain_matches_torch_formulas(name, param, expected):
    assert init.calculate_gain(name, param) == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_agrees_with_torch():
    torch = pytest.importorskip("torch")
    for name in ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"):
        assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
    assert init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu",
                                                                                   0.2)


def test_calculate_gain_rejects_unknown_names_listing_valid_ones():
    with pytest.raises(ValueError, match=r"valid: .*relu"):
        init.calculate_gain("swish")


def test_kaiming_uniform_fills_the_he_bound():
    w = init.kaiming_uniform_(_weight(), nonlinearity="relu")
    bound = math.sqrt(2.0) * math.sqrt(3.0 / FAN_IN)
    assert numpy.abs(w.data).max() <= bound
    assert numpy.abs(w.data).max() > 0.999 * bound
    assert abs(w.data.std() - math.sqrt(2.0 / FAN_IN)) < 0.01 * math.sqrt(2.0 / FAN_IN)


def test_kaiming_normal_fan_out_has_the_he_std():
    w = init.kaiming_normal_(_weight(), mode="fan_out", nonlinearity="relu")
    std = math.sqrt(2.0 / FAN_OUT)
    assert abs(w.data.std() - std) < 0.01 * std
    assert abs(w.data.mean()) < 0.01 * std


def test_xavier_uniform_and_normal_have_the_glorot_std():
    std = math.sqrt(2.0 / (FAN_IN + FAN_OUT))
    u = init.xavier_uniform_(_weight())
    assert numpy.abs(u.data).max() <= math.sqrt(3.0) * std
    assert abs(u.data.std() - std) < 0.01 * std
    n = init.xavier_normal_(_weight(), gain=2.0)
    assert abs(n.data.std() - 2 * std) < 0.01 * 2 * std


def test_normal_and_uniform_use_their_arguments():
    n = init.normal_(_weight(), mean=3.0, std=0.5)
    assert abs(n.data.mean() - 3.0) < 0.01 and abs(n.data.std() - 0.5) < 0.01
    u = init.uniform_(_weight(), -2.0, -1.0)
    assert u.data.min() >= -2.0 and u.data.max() < -1.0


def test_constant_zeros_and_ones_fill_every_element():
    w = _weight()
    assert init.constant_(w, 0.25) is w
    assert (w.data == 0.25).all()
    assert (init.ones_(w).data == 1).all() and (init.zeros_(w).data == 0).all()


def test_init_records_no_graph_and_bumps_the_version():
    w = _weight()
    version = w._version
    init.normal_(w)
    assert w.is_leaf and w.requires_grad and w._version > version


def test_fan_needs_at_least_two_dimensions():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(bp.zeros(3))


def test_fan_counts_the_receptive_field():
    w = bp.zeros(4, 3, 5, 5, dtype=bp.float64)
    init.kaiming_uniform_(w, a=math.sqrt(5))
    assert numpy.abs(w.data).max() <= 1 / math.sqrt(3 * 25)


def test_same_generator_seed_gives_same_weights():
    a = init.xavier_normal_(_weight(), generator=bp.Generator(5))
    b = init.xavier_normal_(_weight(), generator=bp.Generator(5))
    numpy.testing.assert_array_equal(a.data, b.data)
