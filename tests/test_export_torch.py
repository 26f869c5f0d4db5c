"""bp.export.to_torch / from_torch: same outputs, same weights, refusals that name the layer."""

import subprocess
import sys

import numpy
import pytest

import backproplab as bp
from backproplab import nn
from backproplab.export import from_torch, to_torch

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

# Every registered activation with its defaults, then the layers with non-default arguments
# and the shape-keeping helpers; a newly registered activation joins this list by itself.
LAYERS = {
    **nn.ACTIVATIONS,
    "leaky_relu(0.2)": lambda: nn.LeakyReLU(0.2),
    "elu(0.5)": lambda: nn.ELU(0.5),
    "gelu(tanh)": lambda: nn.GELU("tanh"),
    "softplus(2,1)": lambda: nn.Softplus(beta=2.0, threshold=1.0),
    "softmax(dim=0)": lambda: nn.Softmax(dim=0),
    "dropout": lambda: nn.Dropout(0.3),
    "flatten": nn.Flatten,
}
TOLERANCE = {bp.float32: 2e-6, bp.float64: 1e-13}


def _mlp(layer, dtype, seed=0):
    """3 -> 5 -> 5 -> 2 with the layer under test after each Linear."""
    g = bp.Generator(seed)
    return nn.Sequential(
        nn.Linear(3, 5, dtype=dtype, generator=g), layer(),
        nn.Linear(5, 5, dtype=dtype, generator=g), layer(),
        nn.Linear(5, 2, bias=False, dtype=dtype, generator=g), layer(),
    )


def _inputs(dtype, n=7, width=3, seed=1):
    return (3 * numpy.random.default_rng(seed).standard_normal((n, width))).astype(dtype)


def _bp_out(model, x):
    with bp.no_grad():
        return model(bp.tensor(x)).array


def _torch_out(module, x):
    with torch.no_grad():
        return module(torch.from_numpy(x)).numpy()


@pytest.mark.parametrize("dtype", [bp.float32, bp.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("layer", LAYERS.values(), ids=LAYERS.keys())
def test_torch_module_computes_what_the_backproplab_model_computes(layer, dtype):
    model = _mlp(layer, dtype).eval()
    x = _inputs(dtype)
    out = _torch_out(to_torch(model), x)
    assert out.dtype == dtype
    numpy.testing.assert_allclose(out, _bp_out(model, x), rtol=TOLERANCE[dtype],
                                  atol=TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", [bp.float32, bp.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("layer", LAYERS.values(), ids=LAYERS.keys())
def test_round_trip_through_torch_gives_identical_weights_and_layers(layer, dtype):
    model = _mlp(layer, dtype)
    back = from_torch(to_torch(model))
    assert repr(back) == repr(model)
    mine, theirs = model.state_dict(), back.state_dict()
    assert list(theirs) == list(mine)
    for key in mine:
        assert theirs[key].dtype == mine[key].dtype
        numpy.testing.assert_array_equal(theirs[key].array, mine[key].array)


def test_torch_state_dict_keys_and_values_match_backproplab():
    model = _mlp(nn.Tanh, bp.float64)
    exported = to_torch(model).state_dict()
    assert list(exported) == list(model.state_dict())
    for key, value in model.state_dict().items():
        numpy.testing.assert_array_equal(exported[key].numpy(), value.array)


def test_exported_weights_do_not_share_memory_with_the_model():
    model = _mlp(nn.ReLU, bp.float32)
    exported = to_torch(model)
    with torch.no_grad():
        exported[0].weight.zero_()
    assert numpy.abs(model[0].weight.array).sum() > 0


@pytest.mark.parametrize("dtype", [bp.float32, bp.float64], ids=["float32", "float64"])
def test_autoencoder_exports_with_encoder_and_decoder_that_match(dtype):
    model = nn.Autoencoder(6, hidden=[5, 4], bottleneck=2, activation="tanh",
                           output_activation="sigmoid", dtype=dtype)
    exported = to_torch(model)
    x = _inputs(dtype, width=6)
    tol = TOLERANCE[dtype]
    numpy.testing.assert_allclose(_torch_out(exported, x), _bp_out(model, x), rtol=tol, atol=tol)
    with bp.no_grad():
        code = model.encode(bp.tensor(x)).array
    numpy.testing.assert_allclose(_torch_out(exported.encoder, x), code, rtol=tol, atol=tol)
    numpy.testing.assert_allclose(_torch_out(exported.decoder, code),
                                  _bp_out(model.decoder, code), rtol=tol, atol=tol)


@pytest.mark.parametrize("kwargs", [
    {"hidden": [], "activation": "relu", "output_activation": None},
    {"hidden": [4], "activation": {"name": "leaky_relu", "negative_slope": 0.3},
     "output_activation": "softplus"},
    {"hidden": [5, 3], "activation": "gelu", "output_activation": None},
])
def test_autoencoder_round_trip_comes_back_as_an_autoencoder(kwargs):
    model = nn.Autoencoder(6, bottleneck=2, dtype=bp.float64, **kwargs)
    back = from_torch(to_torch(model))
    assert type(back) is nn.Autoencoder
    assert (back.input_dim, back.hidden, back.bottleneck) == (6, kwargs["hidden"], 2)
    assert repr(back) == repr(model)
    for key, value in model.state_dict().items():
        numpy.testing.assert_array_equal(back.state_dict()[key].array, value.array)


def test_encoder_decoder_sequential_not_shaped_like_an_autoencoder_stays_sequential():
    odd = torch.nn.Sequential()
    odd.add_module("encoder", torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(),
                                                  torch.nn.Linear(3, 2)))
    odd.add_module("decoder", torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(),
                                                  torch.nn.Linear(3, 4)))
    back = from_torch(odd)
    assert type(back) is nn.Sequential
    assert list(back.state_dict()) == list(odd.state_dict())
    x = _inputs(numpy.float32, width=4)
    numpy.testing.assert_allclose(_bp_out(back, x), _torch_out(odd, x), rtol=2e-6, atol=2e-6)


def test_training_mode_is_carried_both_ways():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    model[1].eval()
    exported = to_torch(model)
    assert exported.training and not exported[1].training
    back = from_torch(exported)
    assert back.training and not back[1].training


def test_from_torch_leaves_the_library_generator_where_it_was():
    source = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    bp.manual_seed(7)
    expected = bp.random.default_generator().random(3)
    bp.manual_seed(7)
    from_torch(source)
    numpy.testing.assert_array_equal(bp.random.default_generator().random(3), expected)


def test_to_torch_leaves_torch_generator_where_it_was():
    torch.manual_seed(3)
    expected = torch.rand(3)
    torch.manual_seed(3)
    to_torch(_mlp(nn.ReLU, bp.float32))
    assert torch.equal(torch.rand(3), expected)


def test_to_torch_refuses_an_unknown_module_naming_it_and_the_supported_layers():
    class Square(nn.Module):
        def forward(self, x):
            return x * x

    with pytest.raises(TypeError, match=r"Square.*supported layers: Sequential, Linear"):
        to_torch(nn.Sequential(nn.Linear(2, 2), Square()))


def test_to_torch_refuses_a_sequential_subclass_whose_forward_may_differ():
    class Residual(nn.Sequential):
        def forward(self, x):
            return x + super().forward(x)

    with pytest.raises(TypeError, match="Residual"):
        to_torch(Residual(nn.Linear(2, 2)))


def test_from_torch_refuses_an_unsupported_layer_naming_it_and_the_supported_layers():
    source = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    with pytest.raises(TypeError, match=r"BatchNorm1d.*supported layers: .*Linear.*GELU"):
        from_torch(source)


def test_from_torch_refuses_softmax_with_implicit_dim():
    with pytest.raises(ValueError, match="dim=None"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Softmax()))


def test_from_torch_refuses_weights_in_bfloat16():
    with pytest.raises(TypeError, match="dtype"):
        from_torch(torch.nn.Linear(2, 2, dtype=torch.bfloat16))


def test_missing_torch_gives_an_import_error_with_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="pip install torch"):
        to_torch(nn.Linear(2, 2))


def test_importing_backproplab_does_not_import_torch():
    code = "import sys, backproplab; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
