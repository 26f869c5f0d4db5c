"""``Autoencoder``: a network trained to reproduce its input through a narrow bottleneck.

The bottleneck forces a compressed code; plotting the 2-D code of a dataset is one of the
clearest pictures of what a network learned.
"""

import itertools

from backproplab.nn.activation import get_activation
from backproplab.nn.containers import Sequential
from backproplab.nn.linear import Linear
from backproplab.nn.module import Module


def _stack(sizes: list[int], activation, last_activation, dtype) -> Sequential:
    """Linear layers through ``sizes``, ``activation`` between them and ``last_activation``
    (or nothing) after the last one."""
    layers = Sequential()
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(Linear(n_in, n_out, dtype=dtype))
        act = activation if i < len(sizes) - 2 else last_activation
        if act is not None:
            layers.append(get_activation(act))
    return layers


class Autoencoder(Module):
    """input_dim → hidden… → bottleneck → …reversed hidden → input_dim.

    Hidden layers use ``activation`` (a registered name such as ``"relu"``, or a module class).
    The code layer is linear, so the bottleneck can hold any value; ``output_activation``
    (e.g. ``"sigmoid"`` for data in [0, 1]) follows the last layer, or nothing if None.
    """

    def __init__(self, input_dim: int, hidden=(), bottleneck: int = 2, activation="relu",
                 output_activation=None, dtype=None):
        super().__init__()
        hidden = [int(h) for h in hidden]
        for name, size in [("input_dim", input_dim), ("bottleneck", bottleneck),
                           *(("hidden", h) for h in hidden)]:
            if int(size) < 1:
                raise ValueError(f"Autoencoder: {name} sizes must be positive, got {size}")
        get_activation(activation)  # fail early, with the list of valid names
        if output_activation is not None:
            get_activation(output_activation)
        self.input_dim = int(input_dim)
        self.hidden = hidden
        self.bottleneck = int(bottleneck)
        sizes = [self.input_dim, *hidden, self.bottleneck]
        self.encoder = _stack(sizes, activation, None, dtype)
        self.decoder = _stack(sizes[::-1], activation, output_activation, dtype)

    def encode(self, x):
        """The bottleneck code of ``x``."""
        return self.encoder(x)

    def decode(self, code):
        return self.decoder(code)

    def reconstruct(self, x):
        return self.decoder(self.encoder(x))

    def forward(self, x):
        return self.reconstruct(x)
