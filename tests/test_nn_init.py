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
    assert numpy.abs(w.array).max() <= bound
    assert numpy.abs(w.array).max() > 0.999 * bound
    assert abs(w.array.std() - math.sqrt(2.0 / FAN_IN)) < 0.01 * math.sqrt(2.0 / FAN_IN)


def test_kaiming_normal_fan_out_has_the_he_std():
    w = init.kaiming_normal_(_weight(), mode="fan_out", nonlinearity="relu")
    std = math.sqrt(2.0 / FAN_OUT)
    assert abs(w.array.std() - std) < 0.01 * std
    assert abs(w.array.mean()) < 0.01 * std


def test_xavier_uniform_and_normal_have_the_glorot_std():
    std = math.sqrt(2.0 / (FAN_IN + FAN_OUT))
    u = init.xavier_uniform_(_weight())
    assert numpy.abs(u.array).max() <= math.sqrt(3.0) * std
    assert abs(u.array.std() - std) < 0.01 * std
    n = init.xavier_normal_(_weight(), gain=2.0)
    assert abs(n.array.std() - 2 * std) < 0.01 * 2 * std


def test_normal_and_uniform_use_their_arguments():
    n = init.normal_(_weight(), mean=3.0, std=0.5)
    assert abs(n.array.mean() - 3.0) < 0.01 and abs(n.array.std() - 0.5) < 0.01
    u = init.uniform_(_weight(), -2.0, -1.0)
    assert u.array.min() >= -2.0 and u.array.max() < -1.0


def test_constant_zeros_and_ones_fill_every_element():
    w = _weight()
    assert init.constant_(w, 0.25) is w
    assert (w.array == 0.25).all()
    assert (init.ones_(w).array == 1).all() and (init.zeros_(w).array == 0).all()


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
    assert numpy.abs(w.array).max() <= 1 / math.sqrt(3 * 25)


def test_same_generator_seed_gives_same_weights():
    a = init.xavier_normal_(_weight(), generator=bp.Generator(5))
    b = init.xavier_normal_(_weight(), generator=bp.Generator(5))
    numpy.testing.assert_array_equal(a.array, b.array)


def _linear(n_in=FAN_IN, n_out=FAN_OUT):
    return bp.nn.Linear(n_in, n_out, dtype=bp.float64)


def test_a_layer_feeding_a_relu_gets_kaiming_uniform_weights_and_a_small_positive_bias():
    layer = init.init_linear_for_(_linear(), "relu", generator=bp.Generator(1))
    bound = math.sqrt(2.0) * math.sqrt(3.0 / FAN_IN)  # He: gain √2, fan_in
    w = layer.weight.array
    assert bound * 0.999 < numpy.abs(w).max() <= bound
    assert abs(w.std() - math.sqrt(2.0 / FAN_IN)) < 0.01 * math.sqrt(2.0 / FAN_IN)
    assert (layer.bias.array == init.RELU_BIAS).all() and init.RELU_BIAS == 0.1


def test_init_linear_for_has_torch_kaiming_and_xavier_statistics():
    torch = pytest.importorskip("torch")
    for activation, fill in (
            ("relu", lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu")),
            ("tanh", lambda t: torch.nn.init.xavier_uniform_(
                t, gain=torch.nn.init.calculate_gain("tanh"))),
            ("sigmoid", torch.nn.init.xavier_uniform_)):
        ours = init.init_linear_for_(_linear(), activation, generator=bp.Generator(2))
        theirs = fill(torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)).numpy()
        w = ours.weight.array
        assert abs(w.std() - theirs.std()) < 0.02 * theirs.std()
        assert abs(numpy.abs(w).max() - numpy.abs(theirs).max()) < 0.01 * numpy.abs(theirs).max()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "identity"])
def test_layers_feeding_sigmoid_tanh_or_the_output_get_a_zero_bias(activation):
    layer = init.init_linear_for_(_linear(), activation, generator=bp.Generator(3))
    assert (layer.bias.array == 0).all()
    assert init.bias_for(activation) == 0.0 and init.bias_for("relu") == init.RELU_BIAS


def _relu_net():
    return bp.nn.Sequential(bp.nn.Linear(2, 4, dtype=bp.float64), bp.nn.ReLU(),
                            bp.nn.Linear(4, 4, dtype=bp.float64), bp.nn.ReLU(),
                            bp.nn.Linear(4, 1, dtype=bp.float64), bp.nn.Sigmoid())


def _net_inputs(model, x):
    """Each ReLU layer's net input on ``x``."""
    nets, h = [], bp.from_numpy(x)
    for module in model:
        h = module(h)
        if isinstance(module, bp.nn.Linear):
            nets.append(h.array)
    return nets[:-1]


def test_units_dead_on_the_data_are_drawn_again_until_they_fire_and_live_ones_stay():
    model = _relu_net()
    x = numpy.random.default_rng(0).uniform(-1, 1, (50, 2))
    for layer in (model[0], model[2]):
        init.init_linear_for_(layer, "relu", generator=bp.Generator(4))
    with bp.no_grad():
        model[0].weight.array[1] = -5.0  # unit 1 of layer 1: off on every row of x …
        model[0].bias.array[1] = -20.0
        model[2].weight.array[3] = -1.0  # … and unit 3 of layer 2 (its inputs are all ≥ 0)
        model[2].bias.array[3] = -1.0
    alive = [model[0].weight.array[[0, 2, 3]].copy(), model[2].weight.array[:3].copy()]
    redrawn = init.redraw_dead_relus_(model, bp.from_numpy(x), generator=bp.Generator(5))
    assert redrawn == [1, 1]
    assert all((net > 0).any(axis=0).all() for net in _net_inputs(model, x))
    numpy.testing.assert_array_equal(model[0].weight.array[[0, 2, 3]], alive[0])
    numpy.testing.assert_array_equal(model[2].weight.array[:3], alive[1])
    bound = math.sqrt(2.0) * math.sqrt(3.0 / 2)  # the layer's own Kaiming bound
    assert numpy.abs(model[0].weight.array[1]).max() <= bound
    assert model[0].bias.array[1] == init.RELU_BIAS  # a redrawn unit starts as a new one


def test_redrawing_dead_units_is_seeded_and_leaves_a_live_network_as_it_was():
    x = bp.from_numpy(numpy.random.default_rng(1).uniform(-1, 1, (50, 2)))
    a, b = _relu_net(), _relu_net()
    b.load_state_dict(a.state_dict())
    assert init.redraw_dead_relus_(a, x, generator=bp.Generator(6)) == \
        init.redraw_dead_relus_(b, x, generator=bp.Generator(6))
    assert all(numpy.array_equal(p.array, q.array)
               for p, q in zip(a.parameters(), b.parameters(), strict=True))
    before = [p.array.copy() for p in a.parameters()]
    assert init.redraw_dead_relus_(a, x, generator=bp.Generator(7)) == [0, 0]
    assert all(numpy.array_equal(p.array, q) for p, q in zip(a.parameters(), before,
                                                             strict=True))


def test_redraw_refuses_inputs_of_the_wrong_width_and_changes_nothing():
    model = _relu_net()
    before = [p.array.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"3 columns.*2 inputs"):
        init.redraw_dead_relus_(model, bp.zeros(5, 3, dtype=bp.float64))
    assert all(numpy.array_equal(p.array, q) for p, q in zip(model.parameters(), before,
                                                             strict=True))
