"""The array-math names backward rules use, over differentiable tensors.

Under ``create_graph=True`` the engine hands this module to backward rules in place of
:mod:`backproplab.backend`. Every function has the same name and meaning as there, but builds
graph nodes, so the gradient a rule computes can itself be differentiated.
"""

import math

from backproplab.ops import activations, arithmetic, comparison, indexing, selection, shape
from backproplab.ops import softmax as softmax_ops
from backproplab.ops.operands import operand
from backproplab.tensor import Tensor


def _t(x):
    x = operand(x)
    return x if isinstance(x, Tensor) else Tensor(x)


def exp(x):
    return arithmetic.exp(x)


def log(x):
    return arithmetic.log(_t(x))


def sin(x):
    return arithmetic.sin(x)


def cos(x):
    return arithmetic.cos(x)


def sign(x):
    return comparison.sign(x)


def sqrt(x):
    return arithmetic.sqrt(x)


def tanh(x):
    return activations.tanh(x)


def erf(x):
    return arithmetic.erf(x)


def sigmoid(x):
    return activations.sigmoid(x)


def softplus(x):
    return activations.softplus(x, 1.0, math.inf)  # exact, as backend.softplus


def logsumexp(x, axis):
    return softmax_ops.logsumexp(x, axis, keepdim=True)


def where(cond, a, b):
    return selection.where(cond, a, b)


def broadcast_to(x, shape_):
    return shape.expand(x, shape_)


def reshape(x, shape_):
    return shape.reshape(x, shape_)


def permute(x, axes):
    return shape.permute(x, axes)


def flip(x, dims):
    return shape.flip(x, *dims)


def floor_divide(a, b):
    return arithmetic.floor_divide(a, b)


def swapaxes(x, a, b):
    return shape.transpose(x, a, b)


def expand_dims(x, axes):
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    ndim = x.ndim + len(axes)
    axes = sorted(a % ndim for a in axes)
    for a in axes:
        x = shape.unsqueeze(x, a)
    return x


def sum_to_shape(x, shape_):
    if tuple(x.shape) == tuple(shape_):
        return x
    lead = x.ndim - len(shape_)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape_) if n == 1 and x.shape[i + lead] != 1
    )
    return x.sum(dim=axes, keepdim=True).reshape(tuple(shape_))


def index_add(shape_, index, values):
    return indexing.IndexAdd.apply(values, shape_, index)


def scatter_add(shape_, dim, index, values):
    return indexing.ScatterAdd.apply(values, shape_, dim, index)


def gather(x, dim, index):
    return indexing.Gather.apply(x, dim, index)
