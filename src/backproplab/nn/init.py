"""Weight initialisation (``bp.nn.init``), with the formulas of ``torch.nn.init``.

The scale of the initial weights decides whether signals and gradients keep their size through
many layers: Xavier/Glorot keeps the variance of activations about constant for tanh-like
units, Kaiming/He for ReLU-like ones. Each function fills its tensor in place (without
recording a graph), draws from the library's seeded generator unless given one, and returns the
tensor.
"""

import math

from backproplab.autograd.grad_mode import no_grad
from backproplab.creation import empty
from backproplab.tensor import Tensor

_LINEAR_GAINS = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                 "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activation variance at 1 through ``nonlinearity``."""
    if nonlinearity in _LINEAR_GAINS:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    valid = ", ".join([*_LINEAR_GAINS, "tanh", "relu", "leaky_relu", "selu"])
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; "
                     f"valid: {valid}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """Inputs and outputs per unit: (in, out) for a (out, in) weight, times any kernel size."""
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in and fan out can not be computed for a tensor with fewer than 2 dimensions "
            f"(shape {tuple(tensor.shape)})"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """U(-a, a) with a = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # a uniform on (-a, a) has standard deviation a/√3
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """N(0, std²) with std = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """U(-bound, bound) with bound = gain·√(3 / fan); ``a`` is the leaky-ReLU slope for the gain."""
    fan = _fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """N(0, std²) with std = gain / √fan."""
    fan = _fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


RELU_FAMILY = ("relu", "leaky_relu", "elu", "gelu", "softplus")
"""Activations that pass about half the signal (one side of 0) and keep slope ~1 on the other:
Kaiming/He initialisation suits them."""


def init_for(activation: str) -> str:
    """The initialisation PyTorch users choose for a layer feeding ``activation``: "kaiming"
    (He) for the ReLU family, "xavier" (Glorot) for tanh, sigmoid and linear outputs."""
    return "kaiming" if activation in RELU_FAMILY else "xavier"


RELU_BIAS = 0.1
"""The bias of a layer feeding a ReLU-family unit: slightly positive, so a unit starts on
(net input > 0) for more of its inputs (CS231n's advice against dead units; TensorFlow's deep
MNIST tutorial uses this 0.1). In a narrow, deep ReLU network a zero bias lets more units
start off, or switch off in the first steps, and never come back."""


def bias_for(activation: str) -> float:
    """The bias ``init_linear_for_`` gives a layer feeding ``activation``."""
    return RELU_BIAS if init_for(activation) == "kaiming" else 0.0


def init_linear_for_(linear, activation: str, generator=None):
    """Initialise ``linear`` for the activation after it.

    Kaiming uniform (fan_in, ReLU gain √2) keeps a ReLU network's signal and gradient at about
    the same size in every layer; Xavier uniform with ``calculate_gain(activation)`` does that
    for tanh and sigmoid, whose slope near 0 is what passes the gradient. The default of
    ``Linear`` (PyTorch's ``kaiming_uniform_(a=√5)``, bound 1/√fan_in) suits neither in a
    deep network: its gradients shrink layer by layer. The bias is ``bias_for(activation)``:
    0.1 before the ReLU family, else 0.
    """
    if init_for(activation) == "kaiming":
        kaiming_uniform_(linear.weight, nonlinearity="relu", generator=generator)
    else:
        gain = calculate_gain(activation) if activation in ("tanh", "sigmoid") else 1.0
        xavier_uniform_(linear.weight, gain=gain, generator=generator)
    if linear.bias is not None:
        constant_(linear.bias, bias_for(activation))
    return linear


REDRAW_TRIES = 20
"""How often ``redraw_dead_relus_`` draws a dead unit again before leaving it as it is."""


def redraw_dead_relus_(model, x: Tensor, generator=None, tries: int = REDRAW_TRIES) -> list[int]:
    """Draw again the units of ``model`` that are dead on ``x`` from the start; returns how
    many units were redrawn in each layer feeding a ReLU.

    A ReLU unit whose net input is ≤ 0 for every row of ``x`` outputs 0 and gets gradient 0
    on all of them: it can never learn. Layer by layer from the input, each such unit gets new
    weights from the same Kaiming uniform distribution (and the bias ``RELU_BIAS``), up to
    ``tries`` times, until it fires for some row. Live units keep their weights, so a network
    without dead units is left exactly as it was. ``model`` is a chain of layers (an MLP:
    ``nn.Sequential``, ``nn.from_spec``, an ``nn.Autoencoder``) and ``x`` its inputs, e.g. the
    training rows: this is a data-dependent initialisation, like LSUV's.
    """
    from backproplab.nn.activation import ReLU  # here: Linear's own reset imports this module
    from backproplab.nn.linear import Linear

    chain = [m for m in model.modules() if not list(m.children())]
    first = next((m for m in chain if isinstance(m, Linear)), None)
    if first is not None and (x.ndim != 2 or x.shape[1] != first.in_features):
        raise ValueError(f"redraw_dead_relus_: x has {x.shape[-1]} columns but the model "
                         f"takes {first.in_features} inputs")
    redrawn = []
    with no_grad():
        h = x
        for i, module in enumerate(chain):
            if isinstance(module, Linear) and i + 1 < len(chain) and \
                    isinstance(chain[i + 1], ReLU):
                redrawn.append(_redraw_dead_units(module, h, generator, tries))
            h = module(h)
    return redrawn


def _redraw_dead_units(linear, h: Tensor, generator, tries: int) -> int:
    """Redraw the units of ``linear`` whose net input on ``h`` is ≤ 0 on every row."""
    dead = (linear(h).array <= 0).all(axis=0) & (len(h) > 0)  # no rows: nothing is known
    count = int(dead.sum())
    for _ in range(tries):
        if not dead.any():
            break
        rows = empty(int(dead.sum()), linear.in_features, dtype=linear.weight.dtype,
                     device=linear.weight.device)
        linear.weight[dead] = kaiming_uniform_(rows, nonlinearity="relu", generator=generator)
        if linear.bias is not None:
            linear.bias[dead] = RELU_BIAS
        dead &= (linear(h).array <= 0).all(axis=0)
    return count
