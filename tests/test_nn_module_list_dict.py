"""ModuleList and ModuleDict: their modules' parameters belong to the model, state keys and
numbering follow PyTorch after every list operation, and bad entries are refused."""

import pytest

import backproplab as bp
from backproplab import nn

torch = pytest.importorskip("torch")


class Stack(nn.Module):
    def __init__(self, lib, n):
        super().__init__()
        self.layers = lib.ModuleList([lib.Linear(2, 2) for _ in range(n)])
        self.heads = lib.ModuleDict({"a": lib.Linear(2, 1), "b": lib.Tanh()})


class TorchStack(torch.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(n)])
        self.heads = torch.nn.ModuleDict({"a": torch.nn.Linear(2, 1), "b": torch.nn.Tanh()})


def test_parameters_and_state_keys_match_torch():
    ours, theirs = Stack(nn, 3), TorchStack(3)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(list(ours.parameters())) == len(list(theirs.parameters())) == 8


@pytest.mark.parametrize("edit", [
    lambda m: m.layers.insert(1, m.lib.Linear(2, 2)),
    lambda m: m.layers.__delitem__(0),
    lambda m: m.layers.__delitem__(slice(0, 2)),
    lambda m: m.layers.append(m.lib.ReLU()),
    lambda m: m.layers.extend([m.lib.Linear(2, 3)]),
    lambda m: m.layers.pop(1),
    lambda m: m.heads.pop("a"),
    lambda m: m.heads.update({"c": m.lib.Linear(2, 4)}),
    lambda m: m.heads.__setitem__("a", m.lib.Linear(2, 5)),
])
def test_list_and_dict_edits_renumber_keys_as_torch(edit):
    ours, theirs = Stack(nn, 3), TorchStack(3)
    ours.lib, theirs.lib = nn, torch.nn
    edit(ours), edit(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [type(m).__name__ for m in ours.layers] == [type(m).__name__ for m in theirs.layers]
    assert list(ours.heads) == list(theirs.heads)


def test_module_list_indexing_slices_and_forward_in_a_loop():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.Tanh()])
    assert layers[-1] is list(layers)[1]
    assert isinstance(layers[:1], nn.ModuleList) and len(layers[:1]) == 1
    x = bp.ones(3, 2)
    for layer in layers:
        x = layer(x)
    assert x.shape == (3, 2)
    with pytest.raises(IndexError, match="index 2 is out of range for 2 modules"):
        layers[2]


def test_module_dict_lookup_and_bad_keys():
    heads = nn.ModuleDict([("x", nn.ReLU())])
    assert "x" in heads and list(heads.keys()) == ["x"]
    with pytest.raises(KeyError, match="has no module 'y'; it has 'x'"):
        heads["y"]
    with pytest.raises(KeyError, match=r"without '\."):
        heads["a.b"] = nn.ReLU()
    heads.clear()
    assert len(heads) == 0


def test_non_modules_are_refused_and_nothing_changes():
    layers = nn.ModuleList([nn.ReLU()])
    with pytest.raises(TypeError, match="ModuleList: int is not a Module"):
        layers.append(3)
    with pytest.raises(TypeError, match="ModuleDict: list is not a Module"):
        nn.ModuleDict({"a": []})
    assert len(layers) == 1
