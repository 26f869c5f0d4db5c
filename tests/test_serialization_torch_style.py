"""PyTorch's saving idioms with bp.save / bp.load, pickle-free: state_dicts, custom modules,
checkpoint dicts, and files exchanged with PyTorch through safetensors."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn, optim


class Net(nn.Module):
    """A custom model: no spec, so its file holds its weights only."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(6, 3)
        self.norm = nn.LayerNorm(3)
        self.out = nn.Linear(3, 2)

    def forward(self, ix):
        return self.out(self.norm(self.emb(ix)))


def _same_state(a: dict, b: dict):
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        numpy.testing.assert_array_equal(a[k].array, b[k].array, err_msg=k)


def test_a_state_dict_loads_back_as_a_state_dict(tmp_path):
    bp.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    model(bp.randn(5, 2))
    bp.save(model.state_dict(), tmp_path / "sd.safetensors")
    state = bp.load(tmp_path / "sd.safetensors")
    assert isinstance(state, dict) and all(isinstance(v, bp.Tensor) for v in state.values())
    _same_state(state, model.state_dict())
    bp.manual_seed(1)
    fresh = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    fresh.load_state_dict(bp.load(tmp_path / "sd.safetensors"))
    _same_state(fresh.state_dict(), model.state_dict())


def test_a_custom_module_saves_its_weights_and_loads_as_its_state_dict(tmp_path):
    bp.manual_seed(2)
    model = Net()
    bp.save(model, tmp_path / "net.safetensors")
    assert bp.load_metadata(tmp_path / "net.safetensors")["module_class"] == "Net"
    fresh = Net()
    fresh.load_state_dict(bp.load(tmp_path / "net.safetensors"))
    ix = bp.tensor([[0, 5], [3, 3]])
    numpy.testing.assert_array_equal(fresh(ix).array, model(ix).array)


def test_a_spec_able_model_still_loads_as_a_model(tmp_path):
    model = nn.from_spec({"layers": [2, 3, 1]})
    bp.save(model, tmp_path / "m.safetensors")
    assert isinstance(bp.load(tmp_path / "m.safetensors", map_location="cpu",
                              weights_only=True), nn.Sequential)


def test_a_checkpoint_dict_round_trips_with_its_types(tmp_path):
    model = Net()
    opt = optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    model(bp.tensor([1, 2])).sum().backward()
    opt.step()
    checkpoint = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3,
                  "losses": [0.5, float("inf")], "best": None, "note": "run 1",
                  "shape": (2, 3), "ids": {0: "a", 7: "b"}, "mask": numpy.array([True, False])}
    bp.save(checkpoint, tmp_path / "ckpt.safetensors")
    loaded = bp.load(tmp_path / "ckpt.safetensors")
    assert list(loaded) == list(checkpoint)
    _same_state(loaded["model"], checkpoint["model"])
    assert loaded["epoch"] == 3 and loaded["losses"] == [0.5, float("inf")]
    assert loaded["best"] is None and loaded["note"] == "run 1"
    assert loaded["shape"] == (2, 3) and loaded["ids"] == {0: "a", 7: "b"}
    assert isinstance(loaded["mask"], numpy.ndarray) and loaded["mask"].tolist() == [True, False]
    saved_opt, loaded_opt = checkpoint["optimizer"], loaded["optimizer"]
    assert loaded_opt["param_groups"] == saved_opt["param_groups"]
    assert loaded_opt["param_groups"][0]["betas"] == (0.8, 0.9)
    assert list(loaded_opt["state"]) == list(saved_opt["state"])  # int keys stay ints
    for i, s in saved_opt["state"].items():
        for k, v in s.items():
            numpy.testing.assert_array_equal(loaded_opt["state"][i][k], v)


def test_resuming_from_a_checkpoint_dict_equals_uninterrupted_training(tmp_path):
    ix = bp.tensor([0, 1, 2, 3, 4, 5])
    target = bp.tensor([0, 1, 0, 1, 1, 0])

    def steps(model, opt, n):
        for _ in range(n):
            opt.zero_grad()
            nn.functional.cross_entropy(model(ix), target).backward()
            opt.step()

    bp.manual_seed(3)
    straight = Net()
    steps(straight, optim.Adam(straight.parameters(), lr=0.05), 4)

    bp.manual_seed(3)
    first = Net()
    opt = optim.Adam(first.parameters(), lr=0.05)
    steps(first, opt, 2)
    bp.save({"model": first.state_dict(), "optimizer": opt.state_dict(), "epoch": 2},
            tmp_path / "ckpt.safetensors")

    checkpoint = bp.load(tmp_path / "ckpt.safetensors")
    resumed = Net()
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt = optim.Adam(resumed.parameters(), lr=0.5)
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    steps(resumed, resumed_opt, 2)
    assert checkpoint["epoch"] == 2
    _same_state(resumed.state_dict(), straight.state_dict())


@pytest.mark.parametrize("obj,match", [
    ({"model": Net()}, r"\['model'\] is a Net module.*save module\.state_dict\(\) there"),
    ({"steps": {1, 2}}, r"\['steps'\] is a set, which cannot be saved without pickle"),
    ({"fn": len}, r"\['fn'\] is a builtin_function_or_method"),
    ({(1, 2): 3}, "dict keys must be str, int, float, bool or None"),
    (object(), "the saved object itself is a object"),
])
def test_what_cannot_be_saved_without_pickle_is_refused_and_nothing_is_written(tmp_path, obj,
                                                                              match):
    path = tmp_path / "x.safetensors"
    with pytest.raises(TypeError, match=match):
        bp.save(obj, path)
    assert list(tmp_path.iterdir()) == []


def test_optimizer_argument_with_a_checkpoint_dict_is_refused(tmp_path):
    model = Net()
    with pytest.raises(TypeError, match=r"store optimizer\.state_dict"):
        bp.save({"epoch": 1}, tmp_path / "c.safetensors", optimizer=optim.SGD(
            model.parameters(), lr=0.1))


def test_a_file_of_the_previous_format_still_loads_as_a_model(tmp_path):
    from backproplab import safetensors_format as sf

    model = nn.from_spec({"layers": [2, 2]})
    tensors = {k: v.array for k, v in model.state_dict().items()}
    meta = {"format": "backproplab", "format_version": "1",
            "architecture": '{"type": "mlp", "layers": [2, 2], "activations": [null], '
                            '"bias": true, "dtype": "float32"}'}
    sf.save_file(tensors, tmp_path / "old.safetensors", meta)
    with pytest.warns(UserWarning, match="not verified"):
        loaded = bp.load(tmp_path / "old.safetensors")
    _same_state(loaded.state_dict(), model.state_dict())


def test_state_dicts_cross_between_torch_and_backproplab_through_safetensors(tmp_path):
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    ours = nn.Sequential(nn.Linear(3, 4, dtype=bp.float64), nn.BatchNorm1d(4, dtype=bp.float64))
    ours(bp.randn(6, 3, dtype=bp.float64))
    bp.save(ours.state_dict(), tmp_path / "ours.safetensors")
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)).double()
    theirs.load_state_dict(st.load_file(str(tmp_path / "ours.safetensors")))
    x = numpy.random.default_rng(0).normal(size=(5, 3))
    ours.eval(), theirs.eval()
    numpy.testing.assert_allclose(theirs(torch.tensor(x)).detach().numpy(),
                                  ours(bp.tensor(x)).array, rtol=1e-12)
    st.save_file(theirs.state_dict(), str(tmp_path / "theirs.safetensors"))
    with pytest.warns(UserWarning, match="not verified"):
        state = bp.load(tmp_path / "theirs.safetensors")
    back = nn.Sequential(nn.Linear(3, 4, dtype=bp.float64), nn.BatchNorm1d(4, dtype=bp.float64))
    back.load_state_dict(state)
    _same_state(back.state_dict(), ours.state_dict())


def test_saving_and_loading_on_the_cupy_stand_in_needs_no_implicit_conversion(tmp_path):
    from tests import strict_array_module

    bp.set_array_module(strict_array_module.module)
    try:
        model = nn.from_spec({"layers": [2, 3, 1]})
        opt = optim.Adam(model.parameters())
        model(bp.ones(1, 2)).sum().backward()
        opt.step()
        bp.save(model, tmp_path / "m.safetensors", optimizer=opt)
        bp.save({"model": model.state_dict(), "optimizer": opt.state_dict()},
                tmp_path / "ckpt.safetensors")
        loaded = bp.load(tmp_path / "m.safetensors")
        assert loaded[0].weight.device == "cuda:0"
        checkpoint = bp.load(tmp_path / "ckpt.safetensors", map_location="cuda")
        assert checkpoint["model"]["0.weight"].device == "cuda:0"
        resumed = optim.Adam(loaded.parameters())
        resumed.load_state_dict(checkpoint["optimizer"])
        saved = {k: v.cpu().numpy() for k, v in model.state_dict().items()}
        restored = {k: v.cpu().numpy() for k, v in loaded.state_dict().items()}
    finally:
        bp.set_array_module(numpy)
    for k, v in saved.items():
        numpy.testing.assert_array_equal(restored[k], v, err_msg=k)
