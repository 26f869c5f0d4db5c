"""``Linear`` (y = x Wᵀ + b) and ``Identity``: the layers a multilayer perceptron is made of."""

import math

from backproplab import backend, dtypes
from backproplab.nn import functional as F
from backproplab.nn import init
from backproplab.nn.module import Module
from backproplab.nn.parameter import Parameter


class Identity(Module):
    """Returns its input; a placeholder where a layer is optional (e.g. no output activation)."""

    def forward(self, x):
        return x


class Linear(Module):
    """A fully connected layer with weight of shape (out_features, in_features), as in PyTorch.

    Initialised as PyTorch does (Kaiming-uniform with a = √5, which works out to
    U(-1/√in, 1/√in) for the weight, and U(-1/√in, 1/√in) for the bias), drawing from the
    library's seeded generator, so a seed gives the same network every time.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None, generator=None):
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError(f"Linear: sizes must be positive, got in_features={in_features}, "
                             f"out_features={out_features}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)
        self.weight = Parameter(backend.xp.empty((self.out_features, self.in_features), dtype))
        if bias:
            self.bias = Parameter(backend.xp.empty(self.out_features, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters(generator)
        if device is not None:
            self.to(device)

    def reset_parameters(self, generator=None) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound, generator=generator)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
