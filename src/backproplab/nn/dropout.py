"""``Dropout``: randomly silence units while training so the network cannot rely on any one."""

from backproplab.nn import functional as F
from backproplab.nn.module import Module


class Dropout(Module):
    """Zeroes each element with probability ``p`` in training mode and scales the survivors by
    1/(1-p), so the expected activation is unchanged; in eval mode it is the identity.

    The mask comes from ``generator`` or else the library's seeded generator.
    """

    def __init__(self, p: float = 0.5, generator=None):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: probability must be between 0 and 1, got {p}")
        self.p = p
        self.generator = generator

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"
