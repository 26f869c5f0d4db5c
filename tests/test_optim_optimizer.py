"""Optimizer mechanics: param groups, zero_grad, version bumps, closures, saving and resuming."""

import json

import numpy
import pytest

import backproplab as bp
from backproplab import nn, optim

ALL = [
    (optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    (optim.Adam, {"lr": 0.01, "amsgrad": True}),
    (optim.AdamW, {"lr": 0.01}),
    (optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
    (optim.Adagrad, {"lr": 0.1}),
]
IDS = [cls.__name__ for cls, _ in ALL]


def _model():
    bp.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))


def _batch():
    rng = numpy.random.default_rng(1)
    return bp.tensor(rng.normal(size=(8, 3)).astype("float32")), \
        bp.tensor(rng.normal(size=(8, 1)).astype("float32"))


def _train(model, opt, steps):
    x, y = _batch()
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()


@pytest.mark.parametrize(("cls", "kwargs"), ALL, ids=IDS)
def test_state_dict_round_trip_resumes_identically(cls, kwargs):
    straight = _model()
    opt = cls(straight.parameters(), **kwargs)
    _train(straight, opt, 10)

    first = _model()
    opt1 = cls(first.parameters(), **kwargs)
    _train(first, opt1, 5)
    saved_model, saved_opt = first.state_dict(), opt1.state_dict()
    resumed = _model()
    resumed.load_state_dict(saved_model)
    opt2 = cls(resumed.parameters(), **kwargs)
    opt2.load_state_dict(saved_opt)
    _train(resumed, opt2, 5)
    for a, b in zip(straight.parameters(), resumed.parameters(), strict=True):
        numpy.testing.assert_array_equal(a.array, b.array)


@pytest.mark.parametrize(("cls", "kwargs"), ALL, ids=IDS)
def test_state_dict_survives_json_and_resumes_identically(cls, kwargs):
    straight = _model()
    opt = cls(straight.parameters(), **kwargs)
    _train(straight, opt, 6)

    first = _model()
    opt1 = cls(first.parameters(), **kwargs)
    _train(first, opt1, 3)
    state = opt1.state_dict()
    text = json.dumps({"state": {k: {n: v.tolist() if isinstance(v, numpy.ndarray) else v
                                     for n, v in s.items()} for k, s in state["state"].items()},
                       "param_groups": state["param_groups"]})
    opt1.load_state_dict(json.loads(text))
    _train(first, opt1, 3)
    for a, b in zip(straight.parameters(), first.parameters(), strict=True):
        numpy.testing.assert_array_equal(a.array, b.array)


def test_state_dict_is_plain_data_indexed_by_position():
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    _train(model, opt, 2)
    state = opt.state_dict()
    assert sorted(state["state"]) == [0, 1, 2, 3]
    assert state["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert state["state"][0]["step"] == 2
    assert isinstance(state["state"][0]["exp_avg"], numpy.ndarray)


def test_saved_state_is_a_copy_that_later_steps_do_not_change():
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    _train(model, opt, 1)
    saved = opt.state_dict()["state"][0]["momentum_buffer"].copy()
    snapshot = opt.state_dict()
    _train(model, opt, 1)
    numpy.testing.assert_array_equal(snapshot["state"][0]["momentum_buffer"], saved)


def test_load_state_dict_refuses_a_different_number_of_parameters():
    opt = optim.SGD(_model().parameters(), lr=0.1)
    other = optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="2 parameters in the loaded state dict but 4 here"):
        opt.load_state_dict(other.state_dict())


def test_load_state_dict_refuses_state_of_the_wrong_shape():
    model = nn.Linear(2, 1)
    opt = optim.Adam(model.parameters())
    state = {"state": {0: {"step": 1, "exp_avg": [0.0], "exp_avg_sq": [[0.0, 0.0]]}},
             "param_groups": opt.state_dict()["param_groups"]}
    with pytest.raises(ValueError, match=r"'exp_avg' has shape \(1,\) but its parameter has "
                                         r"shape \(1, 2\)"):
        opt.load_state_dict(state)


def test_step_bumps_the_version_so_an_old_graph_refuses_backward():
    layer = nn.Linear(2, 1)
    opt = optim.SGD(layer.parameters(), lr=0.1)
    x = bp.ones(3, 2)
    layer(x).sum().backward()
    stale = (layer(x) ** 2).sum()  # saves the current weight for its backward
    opt.step()
    with pytest.raises(RuntimeError, match=r"is at version \d+; expected version \d+"):
        stale.backward()


def test_step_updates_the_same_arrays_in_place():
    layer = nn.Linear(2, 1)
    weight_array = layer.weight.array
    opt = optim.SGD(layer.parameters(), lr=0.5)
    layer.weight.grad = bp.ones(1, 2)
    before = weight_array.copy()
    opt.step()
    assert layer.weight.array is weight_array
    numpy.testing.assert_allclose(weight_array, before - 0.5)


def test_parameters_without_gradient_are_left_alone():
    layer = nn.Linear(2, 1)
    opt = optim.Adam(layer.parameters())
    layer.weight.grad = bp.ones(1, 2)
    bias = layer.bias.array.copy()
    opt.step()
    numpy.testing.assert_array_equal(layer.bias.array, bias)
    assert layer.bias not in opt.state


def test_zero_grad_sets_to_none_or_to_zeros():
    layer = nn.Linear(2, 1)
    opt = optim.SGD(layer.parameters(), lr=0.1)
    layer(bp.ones(1, 2)).sum().backward()
    opt.zero_grad(set_to_none=False)
    numpy.testing.assert_array_equal(layer.weight.grad.array, [[0.0, 0.0]])
    opt.zero_grad()
    assert layer.weight.grad is None


def test_param_groups_take_defaults_for_missing_hyperparameters():
    a, b = nn.Linear(2, 2), nn.Linear(2, 1)
    opt = optim.SGD([{"params": a.parameters()}, {"params": b.parameters(), "lr": 0.5}],
                    lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9]
    opt.add_param_group({"params": [nn.Parameter(bp.ones(1))], "lr": 0.01})
    assert len(opt.param_groups) == 3


def test_a_parameter_in_two_groups_is_refused():
    layer = nn.Linear(2, 1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [layer.weight]}, {"params": [layer.weight]}], lr=0.1)


def test_empty_and_non_leaf_parameters_are_refused():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    w = bp.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.Adam([w * 2])
    with pytest.raises(TypeError, match="iterable"):
        optim.Adam(w)


def test_invalid_hyperparameters_are_refused():
    params = list(nn.Linear(2, 1).parameters())
    with pytest.raises(ValueError, match="learning rate"):
        optim.SGD(params, lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD(params, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta"):
        optim.Adam(params, betas=(0.9, 1.0))


def test_closure_is_evaluated_and_its_loss_returned():
    layer = nn.Linear(2, 1)
    opt = optim.SGD(layer.parameters(), lr=0.1)
    x = bp.ones(4, 2)

    def closure():
        opt.zero_grad()
        loss = layer(x).pow(2).mean()
        loss.backward()
        return loss

    with bp.no_grad():
        loss = opt.step(closure)
    assert loss.requires_grad and layer.weight.grad is not None


def test_float32_parameters_stay_float32():
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    _train(model, opt, 2)
    assert all(p.dtype == bp.float32 for p in model.parameters())
    assert all(s["exp_avg"].dtype == bp.float32 for s in opt.state.values())


def test_sgd_on_a_quadratic_converges_to_its_minimum():
    w = nn.Parameter(bp.tensor([5.0, -3.0]))
    opt = optim.SGD([w], lr=0.1, momentum=0.5)
    for _ in range(200):
        opt.zero_grad()
        ((w - bp.tensor([1.0, 2.0])) ** 2).sum().backward()
        opt.step()
    numpy.testing.assert_allclose(w.array, [1.0, 2.0], atol=1e-5)
