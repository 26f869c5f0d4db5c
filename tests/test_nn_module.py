"""Module bookkeeping: registration, traversal, state dicts, modes, dtype moves and repr."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.act = nn.Tanh()
        self.out = nn.Linear(4, 2)
        self.scale = nn.Parameter(bp.ones(1))
        self.note = "not registered"

    def forward(self, x):
        return self.out(self.act(self.hidden(x))) * self.scale


def test_parameters_are_registered_by_attribute_assignment_with_dotted_names():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert [n for n, _ in model.named_children()] == ["hidden", "act", "out"]
    assert [n for n, _ in model.named_modules()] == ["", "hidden", "act", "out"]
    assert len(list(model.modules())) == 4
    assert model.note == "not registered"


def test_parameter_is_a_leaf_tensor_that_receives_gradients():
    p = nn.Parameter(bp.tensor([1.0, 2.0]))
    assert isinstance(p, bp.Tensor) and p.requires_grad and p.is_leaf
    (p * p).sum().backward()
    numpy.testing.assert_array_equal(p.grad.numpy(), [2.0, 4.0])


def test_parameter_made_from_a_tensor_shares_its_array():
    t = bp.zeros(3)
    p = nn.Parameter(t)
    assert p.array is t.array


def test_parameter_repr_says_it_is_a_parameter():
    assert repr(nn.Parameter(bp.ones(2))).startswith("Parameter containing:\ntensor(")


def test_shared_parameter_is_listed_once():
    a = nn.Linear(2, 2)
    b = nn.Linear(2, 2)
    b.weight = a.weight
    model = nn.Sequential(a, b)
    assert len(list(model.parameters())) == 3
    assert set(model.state_dict()) == {"0.weight", "0.bias", "1.weight", "1.bias"}


def test_assigning_a_parameter_before_init_says_to_call_super_init():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(bp.ones(1))

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_assigning_a_plain_tensor_over_a_parameter_is_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameter 'weight'"):
        layer.weight = bp.ones(2, 2)


def test_state_dict_round_trip_restores_outputs():
    bp.manual_seed(0)
    source = TwoLayer()
    bp.manual_seed(1)
    target = TwoLayer()
    x = bp.randn(5, 3)
    assert not numpy.array_equal(source(x).array, target(x).array)
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    numpy.testing.assert_array_equal(source(x).array, target(x).array)


def test_state_dict_values_are_detached_and_share_memory():
    layer = nn.Linear(2, 3)
    state = layer.state_dict()
    assert not state["weight"].requires_grad
    assert state["weight"].array is layer.weight.array


def test_load_state_dict_accepts_arrays_and_nested_lists():
    layer = nn.Linear(2, 1)
    layer.load_state_dict({"weight": [[1.0, 2.0]], "bias": numpy.array([3.0])})
    numpy.testing.assert_array_equal(layer(bp.tensor([[1.0, 1.0]])).array, [[6.0]])


def test_load_state_dict_refuses_unexpected_keys_and_lists_them():
    layer = nn.Linear(2, 1)
    state = {**layer.state_dict(), "extra.weight": bp.ones(1), "other": bp.ones(1)}
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "extra.weight", '
                                           r'"other"'):
        layer.load_state_dict(state)


def test_load_state_dict_refuses_missing_keys_and_lists_them():
    layer = nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "bias"'):
        layer.load_state_dict({"weight": bp.ones(1, 2)})


def test_load_state_dict_non_strict_reports_keys_and_loads_the_rest():
    layer = nn.Linear(2, 1)
    result = layer.load_state_dict({"weight": bp.ones(1, 2), "junk": bp.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["junk"]
    numpy.testing.assert_array_equal(layer.weight.array, [[1.0, 1.0]])


def test_load_state_dict_shape_mismatch_names_both_shapes_and_loads_nothing():
    layer = nn.Linear(2, 1)
    before = layer.weight.array.copy()
    with pytest.raises(RuntimeError, match=r"bias: .*shape \(2,\).*shape in current model "
                                           r"is \(1,\)"):
        layer.load_state_dict({"weight": bp.ones(1, 2), "bias": bp.ones(2)})
    numpy.testing.assert_array_equal(layer.weight.array, before)


def test_load_state_dict_bumps_versions_so_stale_graphs_refuse_backward():
    layer = nn.Linear(2, 1)
    out = (layer(bp.ones(1, 2)) ** 2).sum()
    layer.load_state_dict({"weight": bp.ones(1, 2), "bias": bp.zeros(1)})
    with pytest.raises(RuntimeError, match=r"is at version \d+; expected version \d+"):
        out.backward()


def test_buffers_are_saved_unless_not_persistent():
    model = nn.Linear(1, 1)
    model.register_buffer("running", bp.zeros(2))
    model.register_buffer("scratch", bp.zeros(2), persistent=False)
    assert set(model.state_dict()) == {"weight", "bias", "running"}
    assert [n for n, _ in model.named_buffers()] == ["running", "scratch"]
    assert "running" not in dict(model.named_parameters())


def test_train_and_eval_switch_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    model.eval()
    assert [m.training for m in model.modules()] == [False, False, False, False]
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_sets_to_none_or_to_zeros():
    layer = nn.Linear(2, 1)
    layer(bp.ones(3, 2)).sum().backward()
    layer.zero_grad(set_to_none=False)
    numpy.testing.assert_array_equal(layer.weight.grad.numpy(), numpy.zeros((1, 2)))
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None


def test_double_converts_parameters_in_place_keeping_the_objects():
    layer = nn.Linear(2, 1)
    weight = layer.weight
    layer.double()
    assert layer.weight is weight and weight.dtype == bp.float64
    assert layer(bp.ones(1, 2, dtype=bp.float64)).dtype == bp.float64
    assert layer.float().weight.dtype == bp.float32


def test_apply_visits_children_before_parent():
    model = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
    visited = []
    model.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "ReLU", "Sequential"]


def test_requires_grad_false_freezes_every_parameter():
    model = TwoLayer().requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_repr_nests_like_pytorch_and_counts_parameters():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1, bias=False))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=2, bias=True)  # 6 parameters\n"
        "  (1): Sigmoid()\n"
        "  (2): Linear(in_features=2, out_features=1, bias=False)  # 2 parameters\n"
        ")  # 8 parameters"
    )


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(bp.ones(1))
