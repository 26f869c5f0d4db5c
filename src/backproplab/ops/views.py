"""Which tensors are views of which, so an in-place change to a view reaches its base.

A view op (reshape, permute, squeeze, basic indexing…) whose result shares its input's memory
records ``(base, view)`` on the result, ``view(xp, x)`` being the same movement applied to an
array (``xp`` = backend) or a tensor (``xp`` = tensor_math). The base is always the tensor
that owns the memory (a view of a view records the composed movement), as in PyTorch.
"""

from backproplab import backend
from backproplab.tensor import Tensor


class Reshaped:
    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = tuple(shape)

    def __call__(self, xp, x):
        return xp.reshape(x, self.shape)


class Permuted:
    __slots__ = ("dims",)

    def __init__(self, dims):
        self.dims = tuple(dims)

    def __call__(self, xp, x):
        return xp.permute(x, self.dims)


class Indexed:
    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    def __call__(self, xp, x):
        return x[self.index]


class Composed:
    __slots__ = ("first", "then")

    def __init__(self, first, then):
        self.first = first
        self.then = then

    def __call__(self, xp, x):
        return self.then(xp, self.first(xp, x))


def mark(out: Tensor, a: Tensor, view) -> Tensor:
    """Record ``out`` as ``view`` of ``a``'s base when it shares ``a``'s memory."""
    if out.array.base is None or not backend.xp.may_share_memory(out.array, a.array):
        return out
    out._counter = a._counter
    if a._view is None:
        out._view = (a, view)
    else:
        base, first = a._view
        out._view = (base, Composed(first, view))
    return out
