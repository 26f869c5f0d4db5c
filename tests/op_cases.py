"""The one list of differentiable-op cases every op check runs over.

Each case's ``fn(lib, *tensors, **consts)`` is written once against the API backproplab shares
with PyTorch, so the same line runs with ``lib = backproplab`` (gradcheck, gradgradcheck) and
with ``lib = torch`` (the differential test). ``inputs`` draws the differentiable arrays and
any constants (dims, indices, masks, loss options) within the op's domain.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests import strategies as s


@dataclass(frozen=True)
class OpCase:
    name: str
    fn: Callable
    inputs: st.SearchStrategy
    gradgrad: bool = True  # whether second derivatives are checked too

    def __repr__(self) -> str:
        return self.name


def F(lib):  # mirrors the usual `import torch.nn.functional as F`
    return lib.nn.functional


# ----- input strategies needing more than a shape -------------------------------------------------

POSITIVE = s.grid(0.1, 3.0)
NONZERO = st.one_of(s.grid(0.3, 2.0), s.grid(-2.0, -0.3))
PROBABILITY = s.grid(0.05, 0.95)
UNIT = s.grid(0.0, 1.0)
EXTREME_SCORES = st.sampled_from([-1000.0, -0.5, 0.0, 1.5, 1000.0])  # softmax saturated or not


@st.composite
def sliceable(draw):
    a = draw(s.arrays(draw(s.shapes(min_dims=2, min_side=2))))
    index = draw(st.sampled_from([
        (slice(1, None), slice(None, None, 2)),
        (0,),
        (Ellipsis, 1),
        (slice(None), None, slice(0, 1)),
        (-1, slice(None, -1)),
    ]))
    return s.Inputs((a,), {"index": index})


@st.composite
def integer_indexed(draw):
    a = draw(s.arrays(draw(s.shapes(min_dims=1, min_side=2))))
    n = a.shape[0]
    idx = draw(hnp.arrays(numpy.int64, st.integers(1, 5), elements=st.integers(-n, n - 1)))
    return s.Inputs((a,), {"index": idx})


@st.composite
def repeated_integer_index(draw):
    """Integer indices with a guaranteed repeat, so gradients must add up."""
    a = draw(s.arrays(draw(s.shapes(min_dims=2, min_side=2))))
    first = draw(st.integers(0, a.shape[1] - 1))
    rest = draw(st.lists(st.integers(0, a.shape[1] - 1), max_size=3))
    return s.Inputs((a,), {"index": numpy.array([first, first, *rest], dtype=numpy.int64)})


@st.composite
def masked(draw):
    a = draw(s.arrays(draw(s.shapes(min_dims=1))))
    mask = draw(hnp.arrays(numpy.bool_, a.shape))
    return s.Inputs((a,), {"mask": mask})


@st.composite
def gathered(draw):
    a = draw(s.arrays(draw(s.shapes(min_dims=1))))
    dim = draw(st.integers(0, a.ndim - 1))
    shape = list(a.shape)
    shape[dim] = draw(st.integers(1, 4))
    idx = draw(hnp.arrays(numpy.int64, tuple(shape), elements=st.integers(0, a.shape[dim] - 1)))
    return s.Inputs((a,), {"dim": dim, "index": idx})


@st.composite
def where_inputs(draw):
    sc, sa, sb = draw(s.broadcast_shapes(3))
    cond = draw(hnp.arrays(numpy.bool_, sc))
    a = draw(s.arrays(sa))
    b = draw(s.arrays(sb, s.grid(offset=0.0047)))
    return s.Inputs((a, b), {"cond": cond})


@st.composite
def concatenable(draw, count: int = 3):
    shape = draw(s.shapes(min_dims=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(count):
        own = list(shape)
        own[dim] = draw(st.integers(1, 3))
        arrays.append(draw(s.arrays(tuple(own))))
    return s.Inputs(tuple(arrays), {"dim": dim})


@st.composite
def stackable(draw, count: int = 3):
    shape = draw(s.shapes())
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    return s.Inputs(tuple(draw(s.arrays(shape)) for _ in range(count)), {"dim": dim})


@st.composite
def permutable(draw):
    a = draw(s.arrays(draw(s.shapes(min_dims=1))))
    dims = draw(st.permutations(range(a.ndim)))
    return s.Inputs((a,), {"dims": tuple(dims)})


@st.composite
def two_dims(draw):
    a = draw(s.arrays(draw(s.shapes(min_dims=1))))
    d0, d1 = (draw(st.integers(-a.ndim, a.ndim - 1)) for _ in range(2))
    return s.Inputs((a,), {"d0": d0, "d1": d1})


@st.composite
def unsqueezable(draw):
    a = draw(s.arrays(draw(s.shapes())))
    return s.Inputs((a,), {"dim": draw(st.integers(-a.ndim - 1, a.ndim))})


@st.composite
def squeezable(draw):
    shape = draw(st.lists(st.sampled_from([1, 2]), min_size=1, max_size=s.MAX_DIMS))
    a = draw(s.arrays(tuple(shape)))
    return s.Inputs((a,), {"dim": draw(st.integers(-a.ndim, a.ndim - 1))})


@st.composite
def expandable(draw):
    shape = draw(st.lists(st.sampled_from([1, 2]), min_size=0, max_size=2))
    a = draw(s.arrays(tuple(shape)))
    target = [draw(st.integers(1, 3))] + [3 if n == 1 and draw(st.booleans()) else n
                                          for n in shape]
    if shape and draw(st.booleans()):
        target[-1] = -1
    return s.Inputs((a,), {"size": tuple(target)})


@st.composite
def repeatable(draw):
    a = draw(s.arrays(draw(s.shapes(min_dims=1, max_dims=2))))
    extra = draw(st.integers(0, 1))
    reps = tuple(draw(st.integers(1, 3)) for _ in range(a.ndim + extra))
    return s.Inputs((a,), {"reps": reps})


@st.composite
def flattenable(draw):
    a = draw(s.arrays(draw(s.shapes(min_dims=1))))
    start = draw(st.integers(0, a.ndim - 1))
    end = draw(st.integers(start, a.ndim - 1))
    return s.Inputs((a,), {"start": start, "end": end})


@st.composite
def reshapeable(draw):
    a = draw(s.arrays(draw(s.shapes())))
    target = draw(st.sampled_from([(-1,), (1, -1), (-1, 1), tuple(reversed(a.shape)) or (1,)]))
    return s.Inputs((a,), {"shape": target})


@st.composite
def same_shape_pair(draw, first=None, second=None):
    shape = draw(s.shapes())
    return s.Inputs((draw(s.arrays(shape, first)),
                     draw(s.arrays(shape, s.grid(offset=0.0047) if second is None else second))))


@st.composite
def bce_logits_inputs(draw, weighted: bool):
    shape = draw(s.shapes(min_dims=1))
    x = draw(s.arrays(shape, s.grid(-4.0, 4.0)))
    t = draw(s.arrays(shape, UNIT))
    consts = {}
    if weighted:
        consts["weight"] = draw(s.arrays(shape[-1:], s.grid(0.2, 2.0)))
        consts["pos_weight"] = draw(s.arrays(shape[-1:], s.grid(0.2, 3.0)))
    return s.Inputs((x, t), consts)


@st.composite
def class_scores(draw, batched: bool = True, weighted: bool = False, ignore: bool = False,
                 smoothing: bool = False, extreme: bool = False):
    n_classes = draw(st.integers(2, 4))
    batch = draw(st.integers(1, 4))
    scores = EXTREME_SCORES if extreme else s.grid(-3.0, 3.0)
    x = draw(s.arrays((batch, n_classes) if batched else (n_classes,), scores))
    ignore_index = -100
    if ignore:
        ignore_index = draw(st.sampled_from([-100, 1]))
    if batched:
        t = draw(s.class_targets(batch, n_classes, ignore_index if ignore else None))
    else:
        t = numpy.array(draw(st.integers(0, n_classes - 1)), dtype=numpy.int64)
    consts = {"target": t, "ignore_index": ignore_index,
              "weight": draw(s.positive_weights(n_classes)) if weighted else None,
              "label_smoothing": draw(st.sampled_from([0.1, 0.3, 1.0])) if smoothing else 0.0}
    return s.Inputs((x,), consts)


# ----- calls shared by both libraries ----------------------------------------------------------

def _maybe(lib, array):
    return None if array is None else lib.tensor(array)


def _cross_entropy(lib, x, target, weight, ignore_index, label_smoothing, reduction):
    return F(lib).cross_entropy(x, lib.tensor(target), weight=_maybe(lib, weight),
                                ignore_index=ignore_index, reduction=reduction,
                                label_smoothing=label_smoothing)


def _nll(lib, x, target, weight, ignore_index, label_smoothing, reduction):
    return F(lib).nll_loss(x, lib.tensor(target), weight=_maybe(lib, weight),
                           ignore_index=ignore_index, reduction=reduction)


def _bce_logits(lib, x, t, reduction, weight=None, pos_weight=None):
    return F(lib).binary_cross_entropy_with_logits(
        x, t, weight=_maybe(lib, weight), reduction=reduction, pos_weight=_maybe(lib, pos_weight))


# ----- the cases ----------------------------------------------------------------------------------

ARITHMETIC = [
    OpCase("add", lambda lib, a, b: a + b, s.binary()),
    OpCase("sub", lambda lib, a, b: a - b, s.binary()),
    OpCase("mul", lambda lib, a, b: a * b, s.binary()),
    OpCase("div", lambda lib, a, b: a / b, s.binary(second=NONZERO)),
    OpCase("add_scalar", lambda lib, a: a + 2.5, s.unary()),
    OpCase("rsub_scalar", lambda lib, a: 3.0 - a, s.unary()),
    OpCase("mul_scalar", lambda lib, a: a * -1.5, s.unary()),
    OpCase("rdiv_scalar", lambda lib, a: 1.5 / a, s.unary(NONZERO)),
    OpCase("pow_tensor_exponent", lambda lib, a, b: a**b, s.binary(first=POSITIVE)),
    OpCase("pow_int_exponent", lambda lib, a: a**3, s.unary()),
    OpCase("pow_float_exponent", lambda lib, a: a**2.5, s.unary(POSITIVE)),
    OpCase("pow_negative_exponent", lambda lib, a: a**-1.5, s.unary(POSITIVE)),
    OpCase("pow_zero_exponent", lambda lib, a: a**0, s.unary()),
    OpCase("rpow_scalar_base", lambda lib, a: 2.0**a, s.unary()),
    OpCase("neg", lambda lib, a: -a, s.unary()),
    OpCase("matmul", lambda lib, a, b: lib.matmul(a, b), s.matmul_inputs()),
    OpCase("matmul_operator", lambda lib, a, b: a @ b, s.matmul_inputs()),
]

ELEMENTWISE = [
    OpCase("exp", lambda lib, a: lib.exp(a), s.unary()),
    OpCase("log", lambda lib, a: lib.log(a), s.unary(POSITIVE)),
    OpCase("sqrt", lambda lib, a: lib.sqrt(a), s.unary(POSITIVE)),
    OpCase("abs", lambda lib, a: lib.abs(a), s.unary()),
    OpCase("sin", lambda lib, a: lib.sin(a), s.unary()),
    OpCase("cos", lambda lib, a: lib.cos(a), s.unary()),
    OpCase("tanh", lambda lib, a: lib.tanh(a), s.unary()),
    OpCase("sigmoid", lambda lib, a: lib.sigmoid(a), s.unary()),
    OpCase("relu", lambda lib, a: lib.relu(a), s.unary()),
    OpCase("leaky_relu", lambda lib, a: F(lib).leaky_relu(a, 0.2), s.unary()),
    OpCase("elu", lambda lib, a: F(lib).elu(a, 0.7), s.unary()),
    OpCase("gelu_erf", lambda lib, a: F(lib).gelu(a), s.unary()),
    OpCase("gelu_tanh", lambda lib, a: F(lib).gelu(a, approximate="tanh"), s.unary()),
    OpCase("softplus", lambda lib, a: F(lib).softplus(a), s.unary()),
    OpCase("softplus_beta_threshold", lambda lib, a: F(lib).softplus(a, beta=2.0, threshold=3.0),
           s.unary()),
    OpCase("clamp", lambda lib, a: lib.clamp(a, -0.5, 0.5), s.unary()),
    OpCase("clamp_min_only", lambda lib, a: a.clamp(min=0.2), s.unary()),
    OpCase("clamp_max_only", lambda lib, a: a.clamp(max=-0.2), s.unary()),
    OpCase("maximum", lambda lib, a, b: lib.maximum(a, b), s.binary()),
    OpCase("minimum", lambda lib, a, b: lib.minimum(a, b), s.binary()),
    OpCase("where", lambda lib, a, b, cond: lib.where(lib.tensor(cond), a, b), where_inputs()),
]

REDUCTIONS = [
    OpCase("sum_all", lambda lib, a: a.sum(), s.unary()),
    OpCase("sum_dim", lambda lib, a, dim, keepdim: a.sum(dim=dim, keepdim=keepdim),
           s.with_dims()),
    OpCase("sum_numpy_axis", lambda lib, a, dim, keepdim: a.sum(axis=dim, keepdims=keepdim),
           s.with_dims()),
    OpCase("mean_all", lambda lib, a: a.mean(), s.unary()),
    OpCase("mean_dim", lambda lib, a, dim, keepdim: a.mean(dim=dim, keepdim=keepdim),
           s.with_dims()),
    OpCase("var_all", lambda lib, a: a.var(), s.unary(shape=s.shapes(min_dims=1, min_side=2))),
    OpCase("var_dim", lambda lib, a, dim, keepdim: a.var(dim=dim, keepdim=keepdim),
           s.with_dims(min_side=2)),
    OpCase("var_biased", lambda lib, a, dim, keepdim: a.var(dim=dim, keepdim=keepdim,
                                                            correction=0),
           s.with_dims()),
    # distinct values: std's derivative is infinite where all values are equal
    OpCase("std_all", lambda lib, a: a.std(),
           s.unary(shape=s.shapes(min_dims=1, min_side=2), unique=True)),
    OpCase("std_dim", lambda lib, a, dim, keepdim: a.std(dim=dim, keepdim=keepdim),
           s.with_dims(min_side=2, unique=True)),
    OpCase("max_all", lambda lib, a: a.max(), s.unary(unique=True)),
    OpCase("min_all", lambda lib, a: a.min(), s.unary(unique=True)),
    OpCase("max_dim", lambda lib, a, dim, keepdim: a.max(dim=dim, keepdim=keepdim),
           s.with_dims(single=True, unique=True)),
    OpCase("min_dim", lambda lib, a, dim, keepdim: a.min(dim, keepdim),
           s.with_dims(single=True, unique=True)),
    OpCase("amax", lambda lib, a, dim, keepdim: a.amax(dim=dim, keepdim=keepdim),
           s.with_dims(unique=True)),
    OpCase("amin_numpy_axis", lambda lib, a, dim, keepdim: a.amin(axis=dim, keepdims=keepdim),
           s.with_dims(unique=True)),
    OpCase("softmax", lambda lib, a, dim, keepdim: lib.softmax(a, dim),
           s.with_dims(single=True, elements=s.grid(-5.0, 5.0))),
    OpCase("log_softmax", lambda lib, a, dim, keepdim: lib.log_softmax(a, dim),
           s.with_dims(single=True, elements=s.grid(-5.0, 5.0))),
    OpCase("logsumexp", lambda lib, a, dim, keepdim: lib.logsumexp(a, dim, keepdim),
           s.with_dims(elements=s.grid(-5.0, 5.0))),
]

SHAPES = [
    OpCase("reshape", lambda lib, a, shape: a.reshape(*shape), reshapeable()),
    OpCase("view", lambda lib, a, shape: a.view(shape), reshapeable()),
    OpCase("flatten", lambda lib, a, start, end: a.flatten(start, end), flattenable()),
    OpCase("transpose", lambda lib, a, d0, d1: a.transpose(d0, d1), two_dims()),
    OpCase("permute", lambda lib, a, dims: a.permute(*dims), permutable()),
    OpCase("T_of_matrix", lambda lib, a: a.T, s.unary(shape=s.shapes(min_dims=2, max_dims=2))),
    OpCase("unsqueeze", lambda lib, a, dim: a.unsqueeze(dim), unsqueezable()),
    OpCase("squeeze_all", lambda lib, a, dim: a.squeeze(), squeezable()),
    OpCase("squeeze_dim", lambda lib, a, dim: a.squeeze(dim), squeezable()),
    OpCase("expand", lambda lib, a, size: a.expand(*size), expandable()),
    OpCase("repeat", lambda lib, a, reps: a.repeat(*reps), repeatable()),
    OpCase("cat", lambda lib, *ts, dim: lib.cat(ts, dim), concatenable()),
    OpCase("stack", lambda lib, *ts, dim: lib.stack(ts, dim), stackable()),
    OpCase("getitem_basic", lambda lib, a, index: a[index], sliceable()),
    OpCase("getitem_integer_array", lambda lib, a, index: a[lib.tensor(index)],
           integer_indexed()),
    OpCase("getitem_repeated_indices", lambda lib, a, index: a[:, lib.tensor(index)],
           repeated_integer_index()),
    OpCase("getitem_boolean_mask", lambda lib, a, mask: a[lib.tensor(mask)], masked()),
    OpCase("gather", lambda lib, a, dim, index: a.gather(dim, lib.tensor(index)), gathered()),
    OpCase("linear", lambda lib, x, w, b: F(lib).linear(x, w, b), s.linear_inputs()),
    OpCase("linear_without_bias", lambda lib, x, w: F(lib).linear(x, w),
           s.linear_inputs(bias=False)),
]


def _loss_cases(reduction: str) -> list:
    r = reduction
    return [
        OpCase(f"mse_loss_{r}", lambda lib, a, b: F(lib).mse_loss(a, b, reduction=r),
               same_shape_pair()),
        OpCase(f"l1_loss_{r}", lambda lib, a, b: F(lib).l1_loss(a, b, reduction=r),
               same_shape_pair()),
        OpCase(f"huber_loss_{r}", lambda lib, a, b: F(lib).huber_loss(a, b, reduction=r),
               same_shape_pair()),
        OpCase(f"huber_loss_delta_{r}",
               lambda lib, a, b: F(lib).huber_loss(a, b, reduction=r, delta=0.5),
               same_shape_pair()),
        OpCase(f"binary_cross_entropy_{r}",
               lambda lib, p, t: F(lib).binary_cross_entropy(p, t, reduction=r),
               same_shape_pair(PROBABILITY, UNIT)),
        OpCase(f"bce_with_logits_{r}", lambda lib, x, t: _bce_logits(lib, x, t, r),
               bce_logits_inputs(weighted=False)),
        OpCase(f"bce_with_logits_weight_pos_weight_{r}",
               lambda lib, x, t, **kw: _bce_logits(lib, x, t, r, **kw),
               bce_logits_inputs(weighted=True)),
        OpCase(f"nll_loss_{r}", lambda lib, x, **kw: _nll(lib, x, **kw, reduction=r),
               class_scores(weighted=True, ignore=True)),
    ] + [
        OpCase(f"cross_entropy{suffix}_{r}",
               lambda lib, x, **kw: _cross_entropy(lib, x, **kw, reduction=r),
               class_scores(**options))
        for suffix, options in _CROSS_ENTROPY_VARIANTS
    ]


# Every option cross_entropy takes, alone and combined, batched (N, C) and unbatched (C,).
_CROSS_ENTROPY_VARIANTS = [
    ("", {}),
    ("_weight_ignore_index", {"weighted": True, "ignore": True}),
    ("_label_smoothing", {"weighted": True, "ignore": True, "smoothing": True}),
    ("_unbatched", {"batched": False, "smoothing": True}),
    ("_unbatched_weight", {"batched": False, "weighted": True, "smoothing": True}),
    ("_extreme_scores", {"weighted": True, "ignore": True, "smoothing": True, "extreme": True}),
]


LOSSES = [case for reduction in ("mean", "sum", "none") for case in _loss_cases(reduction)]

OP_CASES = ARITHMETIC + ELEMENTWISE + REDUCTIONS + SHAPES + LOSSES

GRADGRAD_CASES = [case for case in OP_CASES if case.gradgrad]
