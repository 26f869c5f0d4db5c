"""Tensor methods, structural family: reductions, shape changes, indexing, sampling.

A mixin of :class:`backproplab.tensor.Tensor`, bound to its op modules by :func:`bind_ops`
(see ``tensor_elementwise`` for why).
"""


class StructureMethods:
    __slots__ = ()

    # ----- reductions -------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        return _reduce.sum(self, dim, keepdim, axis=axis, keepdims=keepdims, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        return _reduce.mean(self, dim, keepdim, axis=axis, keepdims=keepdims, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
            keepdims=None, ddof=None):
        return _reduce.var(self, dim, unbiased, keepdim, correction=correction, axis=axis,
                           keepdims=keepdims, ddof=ddof)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
            keepdims=None, ddof=None):
        return _reduce.std(self, dim, unbiased, keepdim, correction=correction, axis=axis,
                           keepdims=keepdims, ddof=ddof)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def logsumexp(self, dim, keepdim=False):
        return _softmax.logsumexp(self, dim, keepdim)

    def softmax(self, dim):
        return _softmax.softmax(self, dim)

    def log_softmax(self, dim):
        return _softmax.log_softmax(self, dim)

    # ----- shape ------------------------------------------------------------------------------
    def reshape(self, *shape):
        return _shape.reshape(self, *shape)

    def view(self, *shape):
        return _shape.view(self, *shape)

    def view_as(self, other):
        return _shape.view(self, other.shape)

    def reshape_as(self, other):
        return _shape.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _shape.flatten(self, start_dim, end_dim)

    def transpose(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    def swapaxes(self, axis0, axis1):
        return _shape.transpose(self, axis0, axis1)

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {self.ndim}")
        return _shape.permute(self, tuple(reversed(range(self.ndim))))

    def permute(self, *dims):
        return _shape.permute(self, *dims)

    def unsqueeze(self, dim):
        return _shape.unsqueeze(self, dim)

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def expand(self, *sizes):
        return _shape.expand(self, *sizes)

    def expand_as(self, other):
        return _shape.expand(self, other.shape)

    def broadcast_to(self, shape):
        return _shape.expand(self, shape)

    def repeat(self, *sizes):
        return _shape.repeat(self, *sizes)

    def __getitem__(self, index):
        return _index.getitem(self, index)

    def gather(self, dim, index):
        return _index.gather(self, dim, index)

    def index_select(self, dim, index):
        return _index.index_select(self, dim, index)

    def flip(self, *dims):
        return _shape.flip(self, *dims)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return _sampling.multinomial(self, num_samples, replacement, generator=generator)


def bind_ops() -> None:
    """Load the op modules this family forwards to (they need Tensor, defined by now)."""
    global _index, _reduce, _sampling, _shape, _softmax
    from backproplab import sampling as _sampling
    from backproplab.ops import indexing as _index
    from backproplab.ops import reductions as _reduce
    from backproplab.ops import shape as _shape
    from backproplab.ops import softmax as _softmax
