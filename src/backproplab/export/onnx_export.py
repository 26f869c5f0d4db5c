"""``to_onnx``: write a trained model as an ONNX file, for inference runtimes in any language.

The graph is built node by node with the ``onnx`` package's helpers (no PyTorch detour), so
every layer maps to operators a reader can check against the layer's formula. The batch
dimension is left symbolic. Dropout, Identity and Flatten (on the (batch, features) tensors an
MLP passes along) are identities at inference. The ``onnx`` package is imported only when
this is called.
"""

import math

import numpy

from backproplab import atomic_file, dtypes
from backproplab.nn import (
    ELU,
    GELU,
    Autoencoder,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)

INSTALL_HINT = 'pip install "backproplab[onnx]"'
MIN_OPSET = 13  # Softmax/LogSoftmax act on one axis from opset 13; earlier ones coerce to 2-D
GELU_OPSET = 20  # the first opset with a Gelu operator; before it, its formula is written out
SUPPORTED = ("Sequential", "Autoencoder", "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU",
             "ELU", "GELU", "Softplus", "Softmax", "LogSoftmax", "Identity", "Flatten",
             "Dropout")


def _onnx():
    try:
        import onnx
    except ImportError as err:
        raise ImportError(f"exporting to ONNX needs the onnx package, which is not installed; "
                          f"install it with: {INSTALL_HINT}") from err
    return onnx


def to_onnx(model: Module, path, input_dim: int | None = None, opset: int = 17):
    """Write ``model`` to ``path`` as ONNX and return the ``onnx.ModelProto``.

    The graph takes ``input`` of shape (batch, input_dim) (``input_dim`` defaults to the first
    Linear layer's ``in_features``) and gives ``output``; an Autoencoder also gives ``code``,
    its bottleneck. The model is validated with ``onnx.checker`` before anything is written,
    and the file is replaced atomically, so ``path`` never holds a partial or invalid model.
    """
    onnx = _onnx()
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"to_onnx: opset must be an integer from {MIN_OPSET} to {newest} "
                         f"(the newest this onnx package knows), got {opset!r}")
    layers = list(_layers(model))
    dtype = _dtype(model)
    if input_dim is None:
        first = next((m for m in layers if isinstance(m, Linear)), None)
        if first is None:
            raise ValueError("to_onnx: the model has no Linear layer to read the input size "
                             "from; pass input_dim")
        input_dim = first.in_features
    if isinstance(input_dim, bool) or not isinstance(input_dim, int) or input_dim < 1:
        raise ValueError(f"to_onnx: input_dim must be a positive integer, got {input_dim!r}")

    graph = _Graph(onnx, dtype, opset)
    graph.walk(model, "input", input_dim)
    graph_proto = onnx.helper.make_graph(
        graph.nodes, f"backproplab_{type(model).__name__}",
        [graph.value_info("input", input_dim)],
        [graph.value_info(name, size)  # "output" first, then an Autoencoder's "code"
         for name, size in sorted(graph.outputs, key=lambda o: o[0] != "output")],
        graph.initializers,
    )
    opsets = [onnx.helper.make_opsetid("", opset)]
    proto = onnx.helper.make_model(
        graph_proto, opset_imports=opsets, producer_name="backproplab",
        ir_version=onnx.helper.find_min_ir_version_for(opsets),
        doc_string=f"Exported from backproplab: {type(model).__name__}",
    )
    onnx.checker.check_model(proto, full_check=True)
    atomic_file.write_bytes(path, proto.SerializeToString())
    return proto


def _layers(model: Module):
    """The leaf layers of ``model`` in execution order, refusing anything not exportable."""
    if type(model) in (Sequential, Autoencoder):  # a subclass may change forward()
        for child in model.children():
            yield from _layers(child)
    elif type(model) in _EMITTERS:
        yield model
    else:
        raise TypeError(f"to_onnx: cannot export layer {type(model).__name__}; "
                        f"supported layers: {', '.join(SUPPORTED)}")


def _dtype(model: Module) -> numpy.dtype:
    found = {p.array.dtype for p in model.parameters()}
    if len(found) > 1:
        raise TypeError(f"to_onnx: the parameters mix dtypes {sorted(map(str, found))}; "
                        "convert the model with .to(dtype) first")
    dtype = found.pop() if found else numpy.dtype(dtypes.get_default_dtype())
    if dtype.name not in ("float16", "float32", "float64"):
        raise TypeError(f"to_onnx: parameters of dtype {dtype} cannot be exported; "
                        "supported: float16, float32, float64")
    return dtype


class _Graph:
    """Nodes and initializers collected while walking the model; values are tensor names."""

    def __init__(self, onnx, dtype: numpy.dtype, opset: int):
        self.onnx = onnx
        self.dtype = dtype
        self.opset = opset
        self.nodes = []
        self.initializers = []
        self.outputs = []  # (name, width): "output", and an Autoencoder's "code" before it
        self._count = 0
        self._names = {}  # id(layer) -> dotted name, as in state_dict keys
        self._last = None

    def value_info(self, name: str, width: int):
        elem = self.onnx.helper.np_dtype_to_tensor_dtype(self.dtype)
        return self.onnx.helper.make_tensor_value_info(name, elem, ["batch", width])

    def node(self, op: str, *inputs: str, **attrs) -> str:
        self._count += 1
        out = f"{op.lower()}_{self._count}"
        self.nodes.append(self.onnx.helper.make_node(op, list(inputs), [out],
                                                     name=f"{op}_{self._count}", **attrs))
        return out

    def constant(self, name: str, value) -> str:
        if any(t.name == name for t in self.initializers):
            return name  # a layer used twice shares its weights
        array = numpy.asarray(value, dtype=self.dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def scalar(self, value: float) -> str:
        self._count += 1
        return self.constant(f"const_{self._count}", value)

    def name_output(self, value: str, name: str, width: int) -> str:
        """Make ``value`` a graph output called ``name`` (renaming the node that made it)."""
        producer = next((n for n in self.nodes if value in n.output), None)
        if producer is None or any(value == o for o, _ in self.outputs):
            value = self.node("Identity", value)  # the graph input, or already an output
            producer = self.nodes[-1]
        producer.output[list(producer.output).index(value)] = name
        self.outputs.append((name, width))
        return name

    def walk(self, model: Module, x: str, width: int) -> int:
        """Emit ``model`` applied to ``x`` (of ``width`` features) and name its outputs."""
        self._names = {id(m): name for name, m in model.named_modules()}
        if type(model) is Autoencoder:
            width = self._chain(model.encoder, x, width)
            code = self.name_output(self._last, "code", width)
            width = self._chain(model.decoder, code, width)
        else:
            width = self._chain(model, x, width)
        self.name_output(self._last, "output", width)

    def _chain(self, model: Module, x: str, width: int) -> int:
        for layer in _layers(model):
            name = self._names.get(id(layer), "")
            x, width = _EMITTERS[type(layer)](self, layer, x, width, name)
        self._last = x
        return width


# ----- one emitter per layer: (graph, layer, input, width, dotted name) -> (output, width) ----
def _linear(g: _Graph, layer: Linear, x: str, width: int, name: str):
    if layer.in_features != width:
        raise ValueError(f"to_onnx: layer {name!r} (Linear) takes {layer.in_features} features "
                         f"but receives {width}; check input_dim and the layer sizes")
    prefix = f"{name}." if name else ""
    inputs = [x, g.constant(f"{prefix}weight", layer.weight.array)]  # (out, in)
    if layer.bias is not None:
        inputs.append(g.constant(f"{prefix}bias", layer.bias.array))
    return g.node("Gemm", *inputs, transB=1), layer.out_features  # (B,in)@(in,out) -> (B,out)


def _plain(op: str):
    def emit(g: _Graph, layer, x: str, width: int, name: str):
        return g.node(op, x), width
    return emit


def _attribute_is_exact(g: _Graph, value: float) -> bool:
    """ONNX float attributes are 32-bit: a float64 model keeps a slope such as 0.01 exact only
    when it is written as a constant of the model's dtype instead."""
    return g.dtype.itemsize <= 4 or float(numpy.float32(value)) == float(value)


def _leaky_relu(g, layer: LeakyReLU, x, width, name):
    slope = float(layer.negative_slope)
    if _attribute_is_exact(g, slope):
        return g.node("LeakyRelu", x, alpha=slope), width
    positive = g.node("Greater", x, g.scalar(0.0))
    return g.node("Where", positive, x, g.node("Mul", x, g.scalar(slope))), width


def _elu(g, layer: ELU, x, width, name):
    alpha = float(layer.alpha)
    if _attribute_is_exact(g, alpha):
        return g.node("Elu", x, alpha=alpha), width
    negative = g.node("Mul", g.node("Sub", g.node("Exp", x), g.scalar(1.0)), g.scalar(alpha))
    return g.node("Where", g.node("Greater", x, g.scalar(0.0)), x, negative), width


def _gelu(g, layer: GELU, x, width, name):
    if g.opset >= GELU_OPSET:
        return g.node("Gelu", x, approximate=layer.approximate), width
    if layer.approximate == "tanh":  # 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
        cube = g.node("Mul", g.node("Mul", x, x), x)
        inner = g.node("Add", x, g.node("Mul", cube, g.scalar(0.044715)))
        squashed = g.node("Tanh", g.node("Mul", inner, g.scalar(math.sqrt(2 / math.pi))))
    else:  # 0.5·x·(1 + erf(x/√2))
        squashed = g.node("Erf", g.node("Mul", x, g.scalar(1 / math.sqrt(2))))
    half_x = g.node("Mul", x, g.scalar(0.5))
    return g.node("Mul", half_x, g.node("Add", squashed, g.scalar(1.0))), width


def _softplus(g, layer: Softplus, x, width, name):
    # ONNX Softplus has no beta or threshold: softplus(β·x)/β, and x itself where β·x > threshold
    scaled = g.node("Mul", x, g.scalar(layer.beta)) if layer.beta != 1 else x
    smooth = g.node("Softplus", scaled)
    if layer.beta != 1:
        smooth = g.node("Div", smooth, g.scalar(layer.beta))
    above = g.node("Greater", scaled, g.scalar(layer.threshold))
    return g.node("Where", above, x, smooth), width


def _softmax(op: str):
    def emit(g: _Graph, layer: Softmax, x: str, width: int, name: str):
        if layer.dim not in (-2, -1, 0, 1):
            raise ValueError(f"to_onnx: layer {name!r} ({type(layer).__name__}) uses dim="
                             f"{layer.dim}, but the exported tensors are (batch, features)")
        return g.node(op, x, axis=int(layer.dim)), width
    return emit


def _flatten(g, layer: Flatten, x, width, name):
    start, end = (d % 2 if -2 <= d < 2 else None for d in (layer.start_dim, layer.end_dim))
    if start is None or start != end:
        raise ValueError(f"to_onnx: layer {name!r} (Flatten(start_dim={layer.start_dim}, end_dim="
                         f"{layer.end_dim})) does not keep (batch, features) tensors as they "
                         "are; only a Flatten that is the identity there can be exported")
    return g.node("Identity", x), width


_EMITTERS = {
    Linear: _linear,
    Sigmoid: _plain("Sigmoid"),
    Tanh: _plain("Tanh"),
    ReLU: _plain("Relu"),
    LeakyReLU: _leaky_relu,
    ELU: _elu,
    GELU: _gelu,
    Softplus: _softplus,
    Softmax: _softmax("Softmax"),
    LogSoftmax: _softmax("LogSoftmax"),
    Identity: _plain("Identity"),
    Flatten: _flatten,
    Dropout: _plain("Identity"),  # inference: dropout keeps every unit
}


