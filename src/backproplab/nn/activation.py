"""Activation layers, and the one table that maps activation names to them.

The modules are thin wrappers over ``bp.nn.functional`` so they can sit in a ``Sequential``.
``ACTIVATIONS`` is the single registry of names used by specs, the autoencoder and the command
line, so a name that works in one place works everywhere and an unknown name gets the same
list of valid ones.
"""

from backproplab.nn import functional as F
from backproplab.nn.linear import Identity
from backproplab.nn.module import Module


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class ReLU(Module):
    def forward(self, x):
        return F.relu(x)


class LeakyReLU(Module):
    spec_args = ("negative_slope",)

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    spec_args = ("alpha",)

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    spec_args = ("approximate",)

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    spec_args = ("beta", "threshold")

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """Softmax over ``dim`` (the last dimension unless told, the class axis of (N, C) scores)."""

    spec_args = ("dim",)

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, x):
        return F.log_softmax(x, self.dim)


ACTIVATIONS = {
    "identity": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "gelu": GELU,
    "softplus": Softplus,
    "softmax": Softmax,
    "log_softmax": LogSoftmax,
}


def get_activation(spec) -> Module:
    """An activation layer from a name (``"relu"``), a dict with arguments
    (``{"name": "leaky_relu", "negative_slope": 0.2}``), a module class or a module.
    """
    if isinstance(spec, Module):
        return spec
    if isinstance(spec, type) and issubclass(spec, Module):
        return spec()
    kwargs = {}
    if isinstance(spec, dict):
        kwargs = {k: v for k, v in spec.items() if k != "name"}
        spec = spec.get("name")
    if not isinstance(spec, str) or spec.lower() not in ACTIVATIONS:
        raise ValueError(f"unknown activation {spec!r}; valid names: {', '.join(ACTIVATIONS)}")
    cls = ACTIVATIONS[spec.lower()]
    allowed = getattr(cls, "spec_args", ())
    extra = sorted(set(kwargs) - set(allowed))
    if extra:
        raise ValueError(f"activation {spec!r} takes no argument(s) {', '.join(extra)}; "
                         f"it takes: {', '.join(allowed) or 'none'}")
    return cls(**kwargs)


def activation_spec(module: Module):
    """The inverse of :func:`get_activation`: a name, or a dict when the layer has arguments."""
    for name, cls in ACTIVATIONS.items():
        if type(module) is cls:
            args = getattr(cls, "spec_args", ())
            if not args:
                return name
            return {"name": name, **{a: getattr(module, a) for a in args}}
    return None
