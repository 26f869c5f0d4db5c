"""Network specs: a model as a small JSON document a person can write by hand.

A textbook 2-2-1 sigmoid network with given weights::

    {"layers": [2, 2, 1], "activation": "sigmoid", "output_activation": "sigmoid",
     "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45]]],
     "biases": [[0.35, 0.35], [0.60]]}

MLP keys (``"type": "mlp"``, the default): ``layers`` (sizes from input to output);
either ``activation`` (after every hidden layer, default ``"relu"``) and ``output_activation``
(after the last, default none) or ``activations`` (one per Linear layer, ``null`` for none);
``bias`` (default true); ``weights`` (per layer, shape (out, in) as in ``Linear``) and
``biases`` (per layer), both optional; ``dtype`` ("float32" or "float64").

Autoencoder keys (``"type": "autoencoder"``): ``input_dim``, ``hidden``, ``bottleneck``,
``activation``, ``output_activation``, ``dtype`` and optional ``weights`` / ``biases`` listing
the encoder's layers and then the decoder's.

Activation names come from :data:`backproplab.nn.activation.ACTIVATIONS`; a name may also be
a dict with arguments, e.g. ``{"name": "leaky_relu", "negative_slope": 0.2}``.
"""

import itertools
import json

import numpy

from backproplab import dtypes
from backproplab.autograd.grad_mode import no_grad
from backproplab.nn.activation import activation_spec, get_activation
from backproplab.nn.autoencoder import Autoencoder
from backproplab.nn.containers import Sequential
from backproplab.nn.linear import Linear
from backproplab.nn.module import Module

_MLP_KEYS = ("type", "layers", "activation", "output_activation", "activations", "bias",
             "weights", "biases", "dtype")
_AUTOENCODER_KEYS = ("type", "input_dim", "hidden", "bottleneck", "activation",
                     "output_activation", "weights", "biases", "dtype")


def from_spec(spec) -> Module:
    """Build the model a spec describes (a ``Sequential`` MLP or an ``Autoencoder``)."""
    if not isinstance(spec, dict):
        raise TypeError(f"from_spec: a spec is a dict (e.g. json.load(file)), "
                        f"not {type(spec).__name__}")
    kind = spec.get("type", "mlp")
    if kind == "mlp":
        return _mlp(spec)
    if kind == "autoencoder":
        return _autoencoder(spec)
    raise ValueError(f"from_spec: unknown type {kind!r}; valid types: mlp, autoencoder")


def to_spec(model: Module, weights: bool = True) -> dict:
    """The spec of ``model`` (with its current weights unless ``weights=False``)."""
    if isinstance(model, Autoencoder):
        return _autoencoder_spec(model, weights)
    if isinstance(model, Sequential):
        return _mlp_spec(model, weights)
    raise TypeError(f"to_spec: only Sequential MLPs and Autoencoders have a spec, "
                    f"not {type(model).__name__}")


# ----- building ---------------------------------------------------------------------------------
def _check_keys(spec: dict, allowed: tuple, kind: str) -> None:
    unknown = [k for k in spec if k not in allowed]
    if unknown:
        raise ValueError(f"{kind} spec: unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"valid keys: {', '.join(allowed)}")


def _size(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"spec: {what} must be a positive integer, got {value!r}")
    return value


def _dtype(spec: dict):
    if "dtype" not in spec:
        return None
    dtype = dtypes.as_dtype(spec["dtype"])
    if dtype.kind != "f":
        raise ValueError(f"spec: dtype must be a floating-point type, not {spec['dtype']!r}")
    return dtype


def _mlp_plan(spec: dict) -> tuple[list, list, bool, object]:
    """(layer sizes, activation after each Linear, bias, dtype) of a checked mlp spec."""
    _check_keys(spec, _MLP_KEYS, "mlp")
    sizes = spec.get("layers")
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise ValueError(f"mlp spec: 'layers' must list at least an input and an output size, "
                         f"e.g. [2, 2, 1]; got {sizes!r}")
    sizes = [_size(s, "every layer size") for s in sizes]
    n = len(sizes) - 1
    if "activations" in spec:
        if "activation" in spec or "output_activation" in spec:
            raise ValueError("mlp spec: give either 'activations' (one per layer) or "
                             "'activation' / 'output_activation', not both")
        acts = spec["activations"]
        if not isinstance(acts, list) or len(acts) != n:
            raise ValueError(f"mlp spec: 'activations' needs one entry per Linear layer "
                             f"({n} for layers {sizes}), got {acts!r}")
    else:
        acts = [spec.get("activation", "relu")] * (n - 1) + [spec.get("output_activation")]
    bias = spec.get("bias", True)
    if not isinstance(bias, bool):
        raise ValueError(f"mlp spec: 'bias' must be true or false, got {bias!r}")
    for act in {json.dumps(a, sort_keys=True): a for a in acts if a is not None}.values():
        get_activation(act)  # a bad name fails here, before any layer is built
    return sizes, acts, bias, _dtype(spec)


def _mlp(spec: dict) -> Sequential:
    sizes, acts, bias, dtype = _mlp_plan(spec)
    model = Sequential()
    linears = []
    for n_in, n_out, act in zip(sizes[:-1], sizes[1:], acts, strict=True):
        linears.append(Linear(n_in, n_out, bias=bias, dtype=dtype))
        model.append(linears[-1])
        if act is not None:
            model.append(get_activation(act))
    _load_weights(linears, spec, f"layers {sizes}")
    return model


def _autoencoder_plan(spec: dict) -> tuple:
    """(input_dim, hidden sizes, bottleneck, activation, output_activation, dtype), checked."""
    _check_keys(spec, _AUTOENCODER_KEYS, "autoencoder")
    if "input_dim" not in spec:
        raise ValueError("autoencoder spec: 'input_dim' is required")
    hidden = spec.get("hidden", [])
    if not isinstance(hidden, list):
        raise ValueError(f"autoencoder spec: 'hidden' must be a list of sizes, got {hidden!r}")
    activation, output_activation = spec.get("activation", "relu"), spec.get("output_activation")
    get_activation(activation)
    if output_activation is not None:
        get_activation(output_activation)
    return (_size(spec["input_dim"], "input_dim"), [_size(h, "every hidden size") for h in hidden],
            _size(spec.get("bottleneck", 2), "bottleneck"), activation, output_activation,
            _dtype(spec))


def _autoencoder(spec: dict) -> Autoencoder:
    input_dim, hidden, bottleneck, activation, output_activation, dtype = _autoencoder_plan(spec)
    model = Autoencoder(input_dim, hidden, bottleneck, activation, output_activation,
                        dtype=dtype)
    linears = _linears(model.encoder) + _linears(model.decoder)
    _load_weights(linears, spec, "this autoencoder")
    return model


def state_shapes(spec) -> dict:
    """The state_dict keys and shapes ``from_spec(spec)`` would make, found without building
    anything: what a loader checks a file's tensors against before it allocates a model."""
    if not isinstance(spec, dict):
        raise TypeError(f"a spec is a dict, not {type(spec).__name__}")
    kind = spec.get("type", "mlp")
    if kind == "mlp":
        sizes, acts, bias, _ = _mlp_plan(spec)
        return _stack_shapes("", sizes, acts, bias)
    if kind == "autoencoder":
        input_dim, hidden, bottleneck, activation, output_activation, _ = \
            _autoencoder_plan(spec)
        sizes = [input_dim, *hidden, bottleneck]
        inner = [activation] * (len(sizes) - 2)
        return {**_stack_shapes("encoder.", sizes, [*inner, None], True),
                **_stack_shapes("decoder.", sizes[::-1], [*inner, output_activation], True)}
    raise ValueError(f"unknown type {kind!r}; valid types: mlp, autoencoder")


def _stack_shapes(prefix: str, sizes: list, acts: list, bias: bool) -> dict:
    """Keys of Linear [+ activation] … as Sequential numbers them (activations take a slot)."""
    shapes, index = {}, 0
    for n_in, n_out, act in zip(sizes[:-1], sizes[1:], acts, strict=True):
        shapes[f"{prefix}{index}.weight"] = (n_out, n_in)
        if bias:
            shapes[f"{prefix}{index}.bias"] = (n_out,)
        index += 1 if act is None else 2
    return shapes


def spec_dtype(spec: dict):
    """The dtype a spec's layers get (its ``dtype``, else the default at build time)."""
    dtype = _dtype(spec)
    return dtypes.get_default_dtype() if dtype is None else dtype


def _load_weights(linears: list, spec: dict, described: str) -> None:
    """Copy the spec's explicit ``weights`` / ``biases`` into the layers, checking every shape."""
    for key, attr in (("weights", "weight"), ("biases", "bias")):
        if key not in spec:
            continue
        given = spec[key]
        if not isinstance(given, list) or len(given) != len(linears):
            raise ValueError(f"spec: '{key}' needs one entry per Linear layer ({len(linears)} "
                             f"for {described}), got {_count(given)}")
        for i, (layer, values) in enumerate(zip(linears, given, strict=True)):
            target = getattr(layer, attr)
            if target is None:
                raise ValueError(f"spec: '{key}' given but the layers have no bias "
                                 "('bias': false)")
            try:
                array = numpy.asarray(values, dtype=target.dtype)
            except (ValueError, TypeError):
                raise ValueError(f"spec: {attr} of layer {i} is not a rectangular list of "
                                 "numbers") from None
            if array.shape != target.shape:
                raise ValueError(
                    f"spec: {attr} of layer {i} has shape {array.shape} but {described} "
                    f"need shape {tuple(target.shape)}"
                    + (" (out_features, in_features)" if attr == "weight" else "")
                )
            with no_grad():
                target.copy_(array)


def _count(value) -> str:
    return f"{len(value)} entries" if isinstance(value, list) else repr(value)


# ----- describing -------------------------------------------------------------------------------
def _linears(model: Sequential) -> list:
    return [m for m in model if isinstance(m, Linear)]


def _activation_name(module: Module):
    name = activation_spec(module)
    if name is None:
        raise TypeError(f"to_spec: {type(module).__name__} is not a registered activation, "
                        "so it has no spec name")
    return name


def _layer_plan(model: Sequential) -> tuple[list, list]:
    """(Linear layers, activation after each or None) of a Linear [+ activation] … model."""
    linears, acts = [], []
    for module in model:
        if isinstance(module, Linear):
            linears.append(module)
            acts.append(None)
        elif linears and acts[-1] is None:
            acts[-1] = _activation_name(module)
        else:
            raise TypeError(f"to_spec: a spec holds Linear layers, each followed by at most "
                            f"one activation; {type(module).__name__} does not fit there")
    for a, b in itertools.pairwise(linears):
        if a.out_features != b.in_features:
            raise TypeError(f"to_spec: layer sizes do not chain ({a.out_features} outputs "
                            f"feed {b.in_features} inputs)")
    return linears, acts


def _weights_part(linears: list, weights: bool) -> dict:
    out = {"dtype": str(linears[0].weight.dtype)}
    if weights:
        out["weights"] = [layer.weight.array.tolist() for layer in linears]
        if linears[0].bias is not None:
            out["biases"] = [layer.bias.array.tolist() for layer in linears]
    return out


def _mlp_spec(model: Sequential, weights: bool) -> dict:
    linears, acts = _layer_plan(model)
    if not linears:
        raise TypeError("to_spec: the model has no Linear layer")
    with_bias = {layer.bias is not None for layer in linears}
    if len(with_bias) > 1:
        raise TypeError("to_spec: a spec's layers either all have a bias or none has")
    return {
        "type": "mlp",
        "layers": [linears[0].in_features, *(layer.out_features for layer in linears)],
        "activations": acts,
        "bias": with_bias.pop(),
        **_weights_part(linears, weights),
    }


def _autoencoder_spec(model: Autoencoder, weights: bool) -> dict:
    encoder, encoder_acts = _layer_plan(model.encoder)
    decoder, decoder_acts = _layer_plan(model.decoder)
    spec = {
        "type": "autoencoder",
        "input_dim": model.input_dim,
        "hidden": list(model.hidden),
        "bottleneck": model.bottleneck,
        "output_activation": decoder_acts[-1],
    }
    if model.hidden:
        spec["activation"] = encoder_acts[0]
    return {**spec, **_weights_part(encoder + decoder, weights)}
