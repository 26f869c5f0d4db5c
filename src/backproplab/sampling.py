"""Drawing category indices from weights: ``multinomial`` (torch.multinomial).

The draw happens on the host from the library's (or the given) seeded generator, and the
indices go to the weights' device.
"""

from backproplab import backend
from backproplab import random as _random
from backproplab.tensor import Tensor


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None):
    """``num_samples`` indices per row of ``input`` (1-D or 2-D non-negative weights, not
    necessarily normalized), drawn in proportion to the weights."""
    weights = input.array if isinstance(input, Tensor) else backend.xp.asarray(input)
    if weights.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: input must be 1-D or 2-D, got shape {weights.shape}")
    host = backend.to_host(weights)
    rows = host.reshape(1, -1) if host.ndim == 1 else host
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError(f"multinomial: num_samples must be positive, got {num_samples}")
    if not (rows >= 0).all() or not backend.to_host(backend.xp.isfinite(weights)).all():
        raise RuntimeError("multinomial: the weights must be finite and non-negative")
    sums = rows.sum(axis=1)
    if (sums <= 0).any():
        raise RuntimeError("multinomial: every row needs a positive total weight")
    if not replacement and n > int((rows > 0).sum(axis=1).min()):
        raise RuntimeError(f"multinomial: cannot draw {n} samples without replacement from "
                           "a row with fewer non-zero weights")
    out = _random.choice_rows(rows, n, replacement, generator)
    out = out.reshape(-1) if host.ndim == 1 else out
    return Tensor._make(backend.to_device_type(out, backend.device_type_of(weights)), False, None)
