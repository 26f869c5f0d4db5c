"""bp.export.to_onnx: a valid file whose evaluation matches the model, written atomically."""

import os
import subprocess
import sys

import numpy
import pytest

import backproplab as bp
from backproplab import nn
from backproplab.export import to_onnx

onnx = pytest.importorskip("onnx")
ReferenceEvaluator = pytest.importorskip("onnx.reference").ReferenceEvaluator

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
# onnx's ReferenceEvaluator rounds Erf through float32 (np.vectorize(math.erf, otypes=["f"]))
# and evaluates its Gelu function in less than double precision, so float64 GELU graphs can
# only be checked to about 1e-8 with it; the file itself holds double weights and constants.
GELU_FLOAT64_TOLERANCE = 1e-7
DTYPES = pytest.mark.parametrize("dtype", [bp.float32, bp.float64], ids=["float32", "float64"])


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


def _evaluate(path, x):
    return ReferenceEvaluator(str(path)).run(None, {"input": x})


def _ops(proto):
    return {node.op_type for node in proto.graph.node}


@DTYPES
@pytest.mark.parametrize("opset", [17, 20])
@pytest.mark.parametrize("layer", LAYERS.values(), ids=LAYERS.keys())
def test_onnx_file_passes_the_checker_and_evaluates_to_the_model_output(layer, opset, dtype,
                                                                         tmp_path):
    model = _mlp(layer, dtype).eval()
    path = tmp_path / "model.onnx"
    to_onnx(model, path, opset=opset)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    x = _inputs(dtype)
    (out,) = _evaluate(path, x)
    assert out.dtype == dtype
    tol = TOLERANCE[dtype]
    if dtype == bp.float64 and isinstance(model[1], nn.GELU):
        tol = GELU_FLOAT64_TOLERANCE
    numpy.testing.assert_allclose(out, _bp_out(model, x), rtol=tol, atol=tol)


def test_batch_dimension_is_symbolic(tmp_path):
    model = _mlp(nn.Tanh, bp.float32)
    proto = to_onnx(model, tmp_path / "m.onnx")
    for value in (proto.graph.input[0], proto.graph.output[0]):
        assert value.type.tensor_type.shape.dim[0].dim_param == "batch"
    for n in (1, 13):
        x = _inputs(bp.float32, n=n)
        numpy.testing.assert_allclose(_evaluate(tmp_path / "m.onnx", x)[0], _bp_out(model, x),
                                      rtol=2e-6, atol=2e-6)


def test_gelu_uses_the_operator_from_opset_20_and_its_erf_formula_before(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2), nn.GELU())
    assert "Gelu" in _ops(to_onnx(model, tmp_path / "new.onnx", opset=20))
    old = _ops(to_onnx(model, tmp_path / "old.onnx", opset=17))
    assert "Erf" in old and "Gelu" not in old


@pytest.mark.parametrize("layer", [nn.LeakyReLU(0.01), nn.ELU(0.3)], ids=repr)
def test_float64_slopes_that_float32_cannot_hold_are_kept_exact(layer, tmp_path):
    model = nn.Sequential(nn.Linear(3, 4, dtype=bp.float64), layer)
    proto = to_onnx(model, tmp_path / "m.onnx")
    assert not _ops(proto) & {"LeakyRelu", "Elu"}
    x = _inputs(bp.float64)
    numpy.testing.assert_allclose(_evaluate(tmp_path / "m.onnx", x)[0], _bp_out(model, x),
                                  rtol=1e-13, atol=1e-13)


def test_softplus_returns_its_input_above_the_threshold_like_pytorch(tmp_path):
    model = nn.Sequential(nn.Softplus(beta=1.0, threshold=20.0))
    to_onnx(model, tmp_path / "m.onnx", input_dim=2)
    x = numpy.array([[25.0, 100.0], [-3.0, 0.5]], dtype=numpy.float64)
    (out,) = _evaluate(tmp_path / "m.onnx", x.astype(numpy.float32))
    numpy.testing.assert_array_equal(out[0], [25.0, 100.0])
    numpy.testing.assert_allclose(out, _bp_out(model, x.astype(numpy.float32)), rtol=2e-6)


@DTYPES
def test_autoencoder_gives_its_reconstruction_and_its_code(dtype, tmp_path):
    model = nn.Autoencoder(6, hidden=[5, 4], bottleneck=2, activation="elu",
                           output_activation="sigmoid", dtype=dtype)
    proto = to_onnx(model, tmp_path / "ae.onnx")
    assert [o.name for o in proto.graph.output] == ["output", "code"]
    x = _inputs(dtype, width=6)
    out, code = _evaluate(tmp_path / "ae.onnx", x)
    tol = TOLERANCE[dtype]
    numpy.testing.assert_allclose(out, _bp_out(model, x), rtol=tol, atol=tol)
    with bp.no_grad():
        numpy.testing.assert_allclose(code, model.encode(bp.tensor(x)).array, rtol=tol, atol=tol)


def test_initializers_are_named_like_state_dict_keys(tmp_path):
    model = nn.Autoencoder(4, hidden=[3], bottleneck=2)
    proto = to_onnx(model, tmp_path / "ae.onnx")
    assert sorted(t.name for t in proto.graph.initializer) == sorted(model.state_dict())


def test_a_layer_used_twice_is_exported_with_shared_weights(tmp_path):
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    proto = to_onnx(model, tmp_path / "m.onnx")
    assert len(proto.graph.initializer) == 2
    x = _inputs(bp.float32)
    numpy.testing.assert_allclose(_evaluate(tmp_path / "m.onnx", x)[0], _bp_out(model, x),
                                  rtol=2e-6, atol=2e-6)


def test_model_without_linear_layers_needs_input_dim(tmp_path):
    with pytest.raises(ValueError, match="pass input_dim"):
        to_onnx(nn.Sequential(nn.ReLU()), tmp_path / "m.onnx")
    to_onnx(nn.Sequential(nn.ReLU()), tmp_path / "m.onnx", input_dim=4)
    x = _inputs(bp.float32, width=4)
    numpy.testing.assert_array_equal(_evaluate(tmp_path / "m.onnx", x)[0], numpy.maximum(x, 0))


def test_input_dim_that_does_not_fit_the_first_layer_is_refused(tmp_path):
    with pytest.raises(ValueError, match="takes 3 features but receives 4"):
        to_onnx(_mlp(nn.ReLU, bp.float32), tmp_path / "m.onnx", input_dim=4)


def test_unsupported_module_is_refused_by_name_and_nothing_is_written(tmp_path):
    class Square(nn.Module):
        def forward(self, x):
            return x * x

    path = tmp_path / "m.onnx"
    with pytest.raises(TypeError, match=r"Square.*supported layers: Sequential, Autoencoder"):
        to_onnx(nn.Sequential(nn.Linear(2, 2), Square()), path)
    assert list(tmp_path.iterdir()) == []


def test_flatten_that_would_change_the_shape_is_refused(tmp_path):
    with pytest.raises(ValueError, match="Flatten"):
        to_onnx(nn.Sequential(nn.Linear(2, 2), nn.Flatten(0)), tmp_path / "m.onnx")


@pytest.mark.parametrize("opset", [12, 10_000, 17.0, True])
def test_opset_outside_the_supported_range_is_refused(opset, tmp_path):
    with pytest.raises(ValueError, match="opset must be an integer from 13"):
        to_onnx(_mlp(nn.ReLU, bp.float32), tmp_path / "m.onnx", opset=opset)


def test_parameters_of_mixed_dtypes_are_refused(tmp_path):
    model = nn.Sequential(nn.Linear(2, 2, dtype=bp.float32), nn.Linear(2, 2, dtype=bp.float64))
    with pytest.raises(TypeError, match="mix dtypes"):
        to_onnx(model, tmp_path / "m.onnx")


def test_failed_write_leaves_no_temporary_file_and_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"previous model")

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        to_onnx(_mlp(nn.ReLU, bp.float32), path)
    assert list(tmp_path.iterdir()) == [path]
    assert path.read_bytes() == b"previous model"


def test_writing_over_a_directory_fails_without_leaving_a_temporary_file(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(OSError):
        to_onnx(_mlp(nn.ReLU, bp.float32), tmp_path / "taken")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_missing_onnx_gives_an_import_error_naming_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r'pip install "backproplab\[onnx\]"'):
        to_onnx(_mlp(nn.ReLU, bp.float32), tmp_path / "m.onnx")


def test_importing_backproplab_does_not_import_onnx():
    code = "import sys, backproplab; sys.exit('onnx' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
