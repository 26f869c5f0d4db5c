"""Hypothesis strategies for the engine tests: shapes (broadcasting included) and input values.

Values are drawn from a grid ``k/100 + offset`` rather than from all floats: finite differences
with eps = 1e-6 are then never within 1e-3 of a kink (relu, abs, clamp bounds, huber's delta),
drawn values never tie (max, maximum), and giving two inputs different offsets keeps their
differences off the grid too. Every array is float64, the precision gradcheck needs.
"""

from dataclasses import dataclass, field

import numpy
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_SIDE = 3
MAX_DIMS = 3


@dataclass
class Inputs:
    """Differentiable arrays (become tensors requiring grad) plus constant keyword arguments."""

    arrays: tuple
    consts: dict = field(default_factory=dict)


def grid(lo: float = -2.0, hi: float = 2.0, offset: float = 0.003):
    """Floats k/100 + offset in [lo, hi]."""
    return st.integers(round(lo * 100), round(hi * 100) - 1).map(lambda k: k / 100 + offset)


def arrays(shape, elements=None, unique: bool = False):
    return hnp.arrays(numpy.float64, shape, elements=grid() if elements is None else elements,
                      unique=unique)


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 1,
           max_side: int = MAX_SIDE):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcast_shapes(num_shapes: int = 2, min_dims: int = 0):
    """Shapes that broadcast together (some are size-1 or shorter where others are not)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=MAX_DIMS, max_side=MAX_SIDE
    ).map(lambda b: b.input_shapes)


@st.composite
def unary(draw, elements=None, shape=None, unique: bool = False):
    """One array of any shape (0-d included)."""
    shape = draw(shape if shape is not None else shapes())
    return Inputs((draw(arrays(shape, elements, unique)),))


@st.composite
def binary(draw, first=None, second=None):
    """Two arrays of mutually broadcastable shapes; the second on a shifted grid by default."""
    s1, s2 = draw(broadcast_shapes(2))
    a = draw(arrays(s1, first))
    b = draw(arrays(s2, grid(offset=0.0047) if second is None else second))
    return Inputs((a, b))


@st.composite
def with_dims(draw, min_dims: int = 1, min_side: int = 1, single: bool = False,
              elements=None, unique: bool = False):
    """An array plus ``dim`` (an int, or a tuple of ints when not ``single``) and ``keepdim``."""
    shape = draw(shapes(min_dims=min_dims, min_side=min_side))
    ndim = len(shape)
    if single:
        dim = draw(st.integers(-ndim, ndim - 1))
    else:
        dim = draw(st.one_of(
            st.integers(-ndim, ndim - 1),
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)
            .map(tuple),
        ))
    keepdim = draw(st.booleans())
    a = draw(arrays(shape, elements, unique))
    return Inputs((a,), {"dim": dim, "keepdim": keepdim})


@st.composite
def matmul_shapes(draw):
    """Operand shapes for matmul: 1-D, 2-D, batched and broadcast batch dimensions."""
    m, k, n = (draw(st.integers(1, MAX_SIDE)) for _ in range(3))
    kind = draw(st.sampled_from(["vec-vec", "mat-vec", "vec-mat", "mat-mat", "batched"]))
    if kind == "vec-vec":
        return (k,), (k,)
    if kind == "mat-vec":
        return (m, k), (k,)
    if kind == "vec-mat":
        return (k,), (k, n)
    if kind == "mat-mat":
        return (m, k), (k, n)
    batch_a, batch_b = draw(hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=2, max_side=MAX_SIDE).map(lambda b: b.input_shapes))
    return (*batch_a, m, k), (*batch_b, k, n)


@st.composite
def matmul_inputs(draw):
    sa, sb = draw(matmul_shapes())
    return Inputs((draw(arrays(sa)), draw(arrays(sb))))


@st.composite
def linear_inputs(draw, bias: bool = True):
    batch = draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=MAX_SIDE))
    n_in, n_out = draw(st.integers(1, MAX_SIDE)), draw(st.integers(1, MAX_SIDE))
    x = draw(arrays((*batch, n_in)))
    w = draw(arrays((n_out, n_in)))
    if not bias:
        return Inputs((x, w))
    return Inputs((x, w, draw(arrays((n_out,)))))


@st.composite
def class_targets(draw, batch: int, n_classes: int, ignore_index: int | None = None):
    """Class indices for a batch; some may be ``ignore_index`` (never all of them)."""
    choices = st.integers(0, n_classes - 1)
    if ignore_index is not None:
        choices = st.one_of(choices, st.just(ignore_index))
    t = draw(st.lists(choices, min_size=batch, max_size=batch))
    if ignore_index is not None and all(c == ignore_index for c in t):
        t[0] = 0
    return numpy.array(t, dtype=numpy.int64)


def positive_weights(n: int):
    return arrays((n,), grid(0.2, 2.0))
