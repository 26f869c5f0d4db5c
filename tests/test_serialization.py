"""bp.save / bp.load: predictions survive the round trip, optimizer state resumes training
exactly, and files that are not (or no longer) backproplab models are refused clearly."""

import json
import os

import numpy
import pytest

import backproplab as bp
from backproplab import nn, optim, train
from backproplab import safetensors_format as sf

SPECS = [
    {"layers": [2, 4, 1], "activation": "tanh", "output_activation": "sigmoid"},
    {"layers": [3, 5, 5, 4], "activation": "relu"},
    {"layers": [2, 3], "activations": [{"name": "leaky_relu", "negative_slope": 0.2}]},
    {"layers": [4, 1], "bias": False},
]


def _predict(model, x):
    with bp.no_grad():
        return model(bp.from_numpy(x)).array


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("spec", SPECS)
def test_saved_mlp_loads_with_identical_predictions(tmp_path, spec, dtype):
    bp.manual_seed(0)
    model = nn.from_spec({**spec, "dtype": dtype})
    x = numpy.random.default_rng(1).normal(size=(7, spec["layers"][0])).astype(dtype)
    bp.save(model, tmp_path / "m.safetensors")
    loaded = bp.load(tmp_path / "m.safetensors")
    assert type(loaded) is type(model)
    out = _predict(loaded, x)
    assert out.dtype == numpy.dtype(dtype)
    numpy.testing.assert_array_equal(out, _predict(model, x))


@pytest.mark.parametrize("dtype", [bp.float32, bp.float64])
def test_saved_autoencoder_loads_with_identical_reconstructions_and_codes(tmp_path, dtype):
    bp.manual_seed(0)
    model = nn.Autoencoder(6, hidden=[4], bottleneck=2, activation="tanh",
                           output_activation="sigmoid", dtype=dtype)
    x = numpy.random.default_rng(2).random((5, 6)).astype(model.encoder[0].weight.array.dtype)
    bp.save(model, tmp_path / "ae.safetensors")
    loaded = bp.load(tmp_path / "ae.safetensors")
    assert isinstance(loaded, nn.Autoencoder)
    numpy.testing.assert_array_equal(_predict(loaded, x), _predict(model, x))
    with bp.no_grad():
        numpy.testing.assert_array_equal(loaded.encode(bp.from_numpy(x)).array,
                                         model.encode(bp.from_numpy(x)).array)


def test_user_metadata_is_kept_as_strings_and_reserved_keys_refused(tmp_path):
    model = nn.from_spec({"layers": [2, 1]})
    bp.save(model, tmp_path / "m.safetensors", metadata={"epoch": 7, "dataset": "moons"})
    meta = bp.load_metadata(tmp_path / "m.safetensors")
    assert meta["epoch"] == "7" and meta["dataset"] == "moons"
    assert json.loads(meta["architecture"])["layers"] == [2, 1]
    with pytest.raises(ValueError, match="'architecture' is reserved"):
        bp.save(model, tmp_path / "x.safetensors", metadata={"architecture": "{}"})


def test_load_tensors_returns_every_weight(tmp_path):
    model = nn.from_spec({"layers": [2, 3, 1]})
    bp.save(model, tmp_path / "m.safetensors")
    tensors = bp.load_tensors(tmp_path / "m.safetensors")
    assert set(tensors) == set(model.state_dict())
    numpy.testing.assert_array_equal(tensors["0.weight"].array, model[0].weight.array)


def _saved(tmp_path):
    model = nn.from_spec({"layers": [2, 3, 1], "activation": "tanh"})
    path = tmp_path / "m.safetensors"
    bp.save(model, path)
    return path, *sf.load_file(path)


def _rewrite(path, tensors, meta):
    """Save edited content with a matching checksum, so the check under test is reached."""
    meta = {**meta, sf.CHECKSUM_KEY: sf.content_sha256(tensors, meta)}
    sf.save_file(tensors, path, meta)


def test_safetensors_file_without_our_metadata_loads_as_a_state_dict(tmp_path):
    path, tensors, _ = _saved(tmp_path)
    sf.save_file(tensors, path)
    with pytest.warns(UserWarning, match="no SHA-256 checksum"):
        state = bp.load(path)
    assert set(state) == set(tensors)
    model = nn.from_spec({"layers": [2, 3, 1], "activation": "tanh"})
    model.load_state_dict(state)
    numpy.testing.assert_array_equal(model[0].weight.array, tensors["0.weight"])


def test_official_safetensors_file_loads_as_a_state_dict(tmp_path):
    official = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "theirs.safetensors"
    official.save_file({"w": numpy.ones((2, 2), dtype=numpy.float32)}, str(path))
    with pytest.warns(UserWarning, match="not verified"):
        state = bp.load(path)
    assert isinstance(state["w"], bp.Tensor) and state["w"].shape == (2, 2)
    assert bp.load_tensors(path)["w"].shape == (2, 2)


def test_truncated_model_file_is_refused(tmp_path):
    path, _, _ = _saved(tmp_path)
    blob = path.read_bytes()
    path.write_bytes(blob[:-5])
    with pytest.raises(ValueError, match="truncated"):
        bp.load(path)


def test_random_bytes_are_refused_as_a_model(tmp_path):
    path = tmp_path / "noise.safetensors"
    path.write_bytes(numpy.random.default_rng(3).integers(0, 256, 512, numpy.uint8).tobytes())
    with pytest.raises(ValueError, match="not a valid safetensors file"):
        bp.load(path)


def test_architecture_that_is_not_json_is_refused(tmp_path):
    path, tensors, meta = _saved(tmp_path)
    _rewrite(path, tensors, {**meta, "architecture": "{layers: [2"})
    with pytest.raises(ValueError, match="architecture metadata is not valid JSON"):
        bp.load(path)


@pytest.mark.parametrize("architecture", ["[2, 3, 1]", '{"layers": [2, 3, 1], "bogus": 1}',
                                          '{"type": "cnn"}'])
def test_architecture_that_describes_no_model_is_refused_naming_the_file(tmp_path,
                                                                         architecture):
    path, tensors, meta = _saved(tmp_path)
    _rewrite(path, tensors, {**meta, "architecture": architecture})
    with pytest.raises(ValueError, match=r"m\.safetensors: the architecture metadata does not "
                                         "describe a model"):
        bp.load(path)


def test_weights_of_another_shape_than_the_architecture_are_refused(tmp_path):
    path, tensors, meta = _saved(tmp_path)
    _rewrite(path, tensors, {**meta, "architecture": json.dumps({"layers": [2, 5, 1]})})
    with pytest.raises(ValueError, match=r"do not match the saved architecture: size mismatch "
                                         r"for 0\.weight"):
        bp.load(path)


def test_missing_weight_is_refused(tmp_path):
    path, tensors, meta = _saved(tmp_path)
    del tensors["2.bias"]
    _rewrite(path, tensors, meta)
    with pytest.raises(ValueError, match=r'Missing key.*"2\.bias"'):
        bp.load(path)


def test_unexpected_weight_is_refused(tmp_path):
    path, tensors, meta = _saved(tmp_path)
    tensors["extra"] = numpy.zeros(3, dtype=numpy.float32)
    _rewrite(path, tensors, meta)
    with pytest.raises(ValueError, match=r'Unexpected key.*"extra"'):
        bp.load(path)


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.int32])
def test_weights_of_another_dtype_than_the_architecture_are_refused(tmp_path, dtype):
    path, tensors, meta = _saved(tmp_path)
    tensors["0.weight"] = tensors["0.weight"].astype(dtype)
    _rewrite(path, tensors, meta)
    with pytest.raises(ValueError, match=rf"'0\.weight' is {numpy.dtype(dtype)}, the "
                                         "architecture says float32"):
        bp.load(path)


def test_failed_save_leaves_the_previous_model_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    old = nn.from_spec({"layers": [2, 1]})
    bp.save(old, path)
    before = path.read_bytes()

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        bp.save(nn.from_spec({"layers": [2, 8, 1]}), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.safetensors"]
    numpy.testing.assert_array_equal(bp.load(path)[0].weight.array, old[0].weight.array)


def _data():
    rng = numpy.random.default_rng(4)
    x = rng.normal(size=(40, 2)).astype(numpy.float32)
    y = (x[:, :1] * x[:, 1:] > 0).astype(numpy.float32)
    return x, y


@pytest.mark.parametrize("make_opt", [
    lambda p: optim.Adam(p, lr=0.02),
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    lambda p: optim.RMSprop(p, lr=0.01),
    lambda p: optim.Adagrad(p, lr=0.1),
])
def test_resuming_from_a_saved_optimizer_equals_uninterrupted_training(tmp_path, make_opt):
    x, y = _data()
    spec = {"layers": [2, 6, 1], "activation": "tanh"}
    kw = {"loss": "bce_with_logits", "batch_size": 8, "verbose": 0}

    bp.manual_seed(5)
    straight = nn.from_spec(spec)
    train.fit(straight, (x, y), optimizer=make_opt(straight.parameters()), epochs=4,
              generator=numpy.random.default_rng(9), **kw)

    bp.manual_seed(5)
    first = nn.from_spec(spec)
    opt = make_opt(first.parameters())
    gen = numpy.random.default_rng(9)
    train.fit(first, (x, y), optimizer=opt, epochs=2, generator=gen, **kw)
    bp.save(first, tmp_path / "ckpt.safetensors", optimizer=opt)

    resumed = bp.load(tmp_path / "ckpt.safetensors")
    resumed_opt = make_opt(resumed.parameters())
    bp.load(tmp_path / "ckpt.safetensors", optimizer=resumed_opt)
    train.fit(resumed, (x, y), optimizer=resumed_opt, epochs=2, generator=gen, **kw)

    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values(),
                            strict=True):
        numpy.testing.assert_array_equal(b.array, a.array, err_msg=name)


def test_restored_optimizer_state_equals_the_saved_one(tmp_path):
    model = nn.from_spec({"layers": [2, 3, 1]})
    opt = optim.Adam(model.parameters(), lr=0.03, betas=(0.8, 0.99))
    x, y = _data()
    train.fit(model, (x, y), optimizer=opt, epochs=1, verbose=0)
    bp.save(model, tmp_path / "m.safetensors", optimizer=opt)
    fresh = optim.Adam(model.parameters(), lr=0.5)
    bp.load(tmp_path / "m.safetensors", optimizer=fresh)
    saved, restored = opt.state_dict(), fresh.state_dict()
    assert restored["param_groups"][0]["lr"] == 0.03
    assert list(restored["param_groups"][0]["betas"]) == [0.8, 0.99]
    for i, s in saved["state"].items():
        assert restored["state"][i]["step"] == s["step"]
        numpy.testing.assert_array_equal(restored["state"][i]["exp_avg"], s["exp_avg"])
        numpy.testing.assert_array_equal(restored["state"][i]["exp_avg_sq"], s["exp_avg_sq"])


def test_loading_optimizer_state_of_another_class_is_refused(tmp_path):
    model = nn.from_spec({"layers": [2, 1]})
    bp.save(model, tmp_path / "m.safetensors", optimizer=optim.Adam(model.parameters()))
    with pytest.raises(ValueError, match="holds Adam state, not SGD state"):
        bp.load(tmp_path / "m.safetensors", optimizer=optim.SGD(model.parameters(), lr=0.1))


def test_loading_optimizer_state_from_a_file_without_it_is_refused(tmp_path):
    model = nn.from_spec({"layers": [2, 1]})
    bp.save(model, tmp_path / "m.safetensors")
    with pytest.raises(ValueError, match="holds no optimizer state"):
        bp.load(tmp_path / "m.safetensors", optimizer=optim.Adam(model.parameters()))
