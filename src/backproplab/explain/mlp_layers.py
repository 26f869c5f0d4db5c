"""Recognising a multilayer perceptron: Linear layers, each followed by at most one
elementwise activation, possibly nested in Sequentials.

That is the shape the neuron-by-neuron trace can write out (net = Σ w·x + b, then out = f(net));
anything else is explained op by op from its autograd graph instead.
"""

from dataclasses import dataclass

from backproplab import nn
from backproplab.nn.activation import ACTIVATIONS

# Softmax couples its inputs, so ∂out/∂net is a matrix, not one slope per neuron.
_NOT_ELEMENTWISE = ("softmax", "log_softmax", "identity")
ELEMENTWISE = {name: cls for name, cls in ACTIVATIONS.items() if name not in _NOT_ELEMENTWISE}


@dataclass
class MLPLayer:
    """One Linear layer and the activation after it (None: the layer's output is its net)."""

    name: str
    linear: nn.Linear
    activation: nn.Module | None
    activation_name: str

    @property
    def weight_name(self) -> str:
        return f"{self.name}.weight" if self.name else "weight"

    @property
    def bias_name(self) -> str | None:
        if self.linear.bias is None:
            return None
        return f"{self.name}.bias" if self.name else "bias"


def mlp_layers(model) -> list[MLPLayer] | None:
    """The model's layers in order, or None when it is not an MLP of this kind."""
    if isinstance(model, nn.Linear):
        return [MLPLayer("", model, None, "identity")]
    if not isinstance(model, nn.Sequential):
        return None
    layers = []
    for name, module in _flatten(model, ""):
        if isinstance(module, nn.Linear):
            layers.append(MLPLayer(name, module, None, "identity"))
        elif isinstance(module, nn.Identity):
            continue
        elif _activation_name(module) and layers and layers[-1].activation is None:
            layers[-1].activation = module
            layers[-1].activation_name = _activation_name(module)
        else:
            return None
    return layers or None


def _flatten(module, prefix: str):
    for name, child in module.named_children():
        full = f"{prefix}.{name}" if prefix else name
        if isinstance(child, nn.Sequential):
            yield from _flatten(child, full)
        else:
            yield full, child


def _activation_name(module) -> str | None:
    for name, cls in ELEMENTWISE.items():
        if type(module) is cls:
            return name
    return None
