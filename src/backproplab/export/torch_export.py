"""Moving trained models to PyTorch and back: ``to_torch`` and ``from_torch``.

A model trained here can then be served, fine-tuned or inspected with PyTorch's tools, and a
small PyTorch MLP can be brought here to be explained step by step. Both directions cover the
same layer set (``Sequential``, ``Linear`` and the registered activation layers, ``Identity``,
``Flatten``, ``Dropout``) and copy weights exactly, in the same dtype; anything else is refused
by name rather than approximated. Child names are kept, so ``state_dict`` keys match on both
sides. PyTorch is imported only when one of these functions is called.
"""

import contextlib
from collections import OrderedDict

import numpy

from backproplab import random as _random
from backproplab.autograd.grad_mode import no_grad
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
from backproplab.nn.activation import activation_spec

INSTALL_HINT = "pip install torch"

# Parameter-free layers: backproplab class -> constructor arguments. The PyTorch class has the
# same name in ``torch.nn`` and takes the same keyword arguments.
_SIMPLE_LAYERS = {
    Sigmoid: (),
    Tanh: (),
    ReLU: (),
    LeakyReLU: ("negative_slope",),
    ELU: ("alpha",),
    GELU: ("approximate",),
    Softplus: ("beta", "threshold"),
    Softmax: ("dim",),
    LogSoftmax: ("dim",),
    Identity: (),
    Flatten: ("start_dim", "end_dim"),
    Dropout: ("p",),
}
_DTYPES = ("float16", "float32", "float64")
SUPPORTED = ("Sequential", "Linear", *(cls.__name__ for cls in _SIMPLE_LAYERS))


def _torch():
    try:
        import torch
    except ImportError as err:
        raise ImportError(f"exporting to PyTorch needs torch, which is not installed; "
                          f"install it with: {INSTALL_HINT}") from err
    return torch


def _unsupported(kind: str, module, direction: str) -> TypeError:
    extra = " (and backproplab's Autoencoder)" if direction == "to_torch" else ""
    return TypeError(f"{direction}: cannot convert {kind} layer {type(module).__name__}; "
                     f"supported layers: {', '.join(SUPPORTED)}{extra}")


# ----- backproplab -> PyTorch -------------------------------------------------------------------
def to_torch(model: Module):
    """An equivalent ``torch.nn.Module`` with the same weights, dtype and train/eval mode.

    A ``Sequential`` becomes a ``torch.nn.Sequential`` with the same child names; an
    ``Autoencoder`` becomes ``torch.nn.Sequential(encoder=..., decoder=...)``, so its forward
    is the reconstruction, ``.encoder(x)`` is the code and the ``state_dict`` keys are the same.
    """
    torch = _torch()
    return _module_to_torch(model, torch)


def _module_to_torch(module: Module, torch):
    if type(module) in (Sequential, Autoencoder):  # a subclass may change forward()
        children = [(name, _module_to_torch(child, torch))
                    for name, child in module.named_children()]
        converted = torch.nn.Sequential(OrderedDict(children))
    elif type(module) is Linear:
        converted = _linear_to_torch(module, torch)
    elif type(module) in _SIMPLE_LAYERS:
        args = {a: getattr(module, a) for a in _SIMPLE_LAYERS[type(module)]}
        converted = getattr(torch.nn, type(module).__name__)(**args)
    else:
        raise _unsupported("backproplab", module, "to_torch")
    converted.training = module.training  # this module only: children carry their own mode
    return converted


def _linear_to_torch(layer: Linear, torch):
    dtype = layer.weight.array.dtype
    if dtype.name not in _DTYPES:
        raise TypeError(f"to_torch: Linear weights of dtype {dtype} cannot be exported; "
                        f"supported dtypes: {', '.join(_DTYPES)}")
    # skip_init: PyTorch's own initialisation would be overwritten and would move its RNG.
    out = torch.nn.utils.skip_init(torch.nn.Linear, layer.in_features, layer.out_features,
                                   bias=layer.bias is not None, dtype=getattr(torch, dtype.name))
    with torch.no_grad():
        out.weight.copy_(torch.from_numpy(numpy.array(layer.weight.array)))
        if layer.bias is not None:
            out.bias.copy_(torch.from_numpy(numpy.array(layer.bias.array)))
    return out


# ----- PyTorch -> backproplab -------------------------------------------------------------------
def from_torch(torch_module) -> Module:
    """The backproplab model equivalent to ``torch_module``, with the same weights and mode.

    A ``torch.nn.Sequential`` holding exactly an ``encoder`` and a ``decoder`` laid out as an
    ``Autoencoder`` builds them (what :func:`to_torch` makes of one) comes back as an
    ``Autoencoder``; other Sequentials come back as ``Sequential`` with the same child names.
    The library's random generator is left untouched.
    """
    torch = _torch()
    if not isinstance(torch_module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, "
                        f"not {type(torch_module).__name__}")
    with _global_generator_untouched():
        model = _module_from_torch(torch_module, torch)
        if isinstance(model, Sequential):
            model = _as_autoencoder(model) or model
    return model


def _module_from_torch(module, torch) -> Module:
    if type(module) is torch.nn.Sequential:
        converted = Sequential(OrderedDict(
            (name, _module_from_torch(child, torch)) for name, child in module.named_children()
        ))
    elif type(module) is torch.nn.Linear:
        converted = _linear_from_torch(module)
    else:
        cls = next((c for c in _SIMPLE_LAYERS
                    if type(module) is getattr(torch.nn, c.__name__, None)), None)
        if cls is None:
            raise _unsupported("PyTorch", module, "from_torch")
        args = {a: getattr(module, a) for a in _SIMPLE_LAYERS[cls]}
        if args.get("dim", 0) is None:
            raise ValueError(f"from_torch: {cls.__name__}(dim=None) uses PyTorch's deprecated "
                             "implicit dimension; give dim explicitly (e.g. dim=-1)")
        converted = cls(**args)
    object.__setattr__(converted, "training", module.training)  # as Module.train() sets it
    return converted


def _linear_from_torch(layer) -> Linear:
    if str(layer.weight.dtype).removeprefix("torch.") not in _DTYPES:
        raise TypeError(f"from_torch: Linear weights of dtype {layer.weight.dtype} cannot be "
                        f"imported; supported dtypes: {', '.join(_DTYPES)}")
    weight = layer.weight.detach().cpu().numpy()
    out = Linear(layer.in_features, layer.out_features, bias=layer.bias is not None,
                 dtype=weight.dtype)
    with no_grad():
        out.weight.copy_(numpy.array(weight))
        if layer.bias is not None:
            out.bias.copy_(layer.bias.detach().cpu().numpy())
    return out


@contextlib.contextmanager
def _global_generator_untouched():
    """Building layers draws initial weights; restore the draw position afterwards, since the
    weights are overwritten and a caller's seeded run must not shift."""
    bits = _random.default_generator().bit_generator
    state = bits.state
    try:
        yield
    finally:
        bits.state = state


def _signature(module: Module) -> list:
    return [(type(m), m.extra_repr(), tuple(p.array.dtype for p in m.parameters()))
            for m in module.modules()]


def _as_autoencoder(model: Sequential) -> Autoencoder | None:
    """``model`` as an Autoencoder, when it is exactly what ``Autoencoder(...)`` would build."""
    if list(model._modules) != ["encoder", "decoder"]:
        return None
    encoder, decoder = model.encoder, model.decoder
    if not (isinstance(encoder, Sequential) and isinstance(decoder, Sequential)
            and len(encoder) and len(decoder) and isinstance(encoder[0], Linear)):
        return None
    sizes = [encoder[0].in_features] + [m.out_features for m in encoder if isinstance(m, Linear)]
    activation = activation_spec(encoder[1]) if len(sizes) > 2 and len(encoder) > 1 else "relu"
    output_activation = None if isinstance(decoder[-1], Linear) else activation_spec(decoder[-1])
    if activation is None or (output_activation is None and not isinstance(decoder[-1], Linear)):
        return None
    candidate = Autoencoder(sizes[0], sizes[1:-1], sizes[-1], activation, output_activation,
                            dtype=encoder[0].weight.array.dtype)
    if _signature(candidate)[1:] != _signature(model)[1:]:  # [0] is the container itself
        return None
    candidate.load_state_dict(model.state_dict())
    for mine, theirs in zip(candidate.modules(), model.modules(), strict=True):
        object.__setattr__(mine, "training", theirs.training)
    return candidate
