"""Cheaper NumPy forms of recorded operations that compute the same bits.

* ``negative(absolute(x))`` (stable sigmoid, BCE with logits) is ``copysign(x, -1)``: the
  same value for every x, ±0, ±inf and NaN included (the sign bit set, the rest kept), in
  one call instead of two.
* A comparison whose mask only multiplies (ReLU's backward) or bounds (``maximum``) float
  arrays is written as 1.0/0.0 in that float dtype: NumPy would convert the booleans to it
  inside the consumer anyway, through a slower, buffered loop; once at the comparison is
  cheaper, and the consumer then runs its plain float loop.
* The stable sigmoid's numerator ``maximum(exp(-|z|), z >= 0)`` takes its step from
  ``heaviside(z, 1)`` (``z > 0``: ``heaviside(z, 0)``) on small arrays: a float loop with no
  conversion, three times cheaper than the comparison's up to a few hundred elements (it has
  no SIMD loop, so larger arrays keep the mask). The two steps differ only where z is NaN,
  and there ``exp(-|z|)`` is that NaN too, which ``maximum`` returns as its first operand
  whatever the second: the same bits.
"""

import numpy

from backproplab.compile.recorder import Op
from backproplab.compile.traced import TracedArray, arrays_in

_COMPARISONS = {numpy.greater, numpy.greater_equal, numpy.less, numpy.less_equal,
                numpy.equal, numpy.not_equal}
_MASK_USERS = {numpy.multiply, numpy.maximum, numpy.minimum}
_STEPS = {numpy.greater_equal: 1.0, numpy.greater: 0.0}  # comparison with 0 -> heaviside's h0
_HEAVISIDE_MAX = 256  # elements; past this the comparison's SIMD loop is faster


def cheaper_forms(ops: list, arrays: list, live_roots: set) -> list:
    """``ops`` with the rewrites above applied where the intermediate is the step's own."""
    users = {}  # id(array) -> indices of the ops that read it
    writers = {}
    made = {}  # id(array) -> index of the op that computed it
    for i, op in enumerate(ops):
        for a in arrays_in([*op.args, *op.kwargs.values()]):
            users.setdefault(id(a), []).append(i)
        for o in op.outs:
            if isinstance(o, TracedArray):
                writers.setdefault(id(o._root), []).append(i)
                made.setdefault(id(o), i)
    viewed = {id(a._root) for a in arrays if a._root is not a}

    def private(a) -> bool:
        """Made by one op and read by nothing the replay does not rewrite here."""
        return (isinstance(a, TracedArray) and a._kind == "result" and a._root is a and
                id(a) not in live_roots and id(a) not in viewed and
                len(writers.get(id(a), ())) == 1)

    ops = list(ops)
    for i, op in enumerate(ops):
        if not _plain(op):
            continue
        out = op.outs[0]
        readers = users.get(id(out), [])
        if op.fn is numpy.absolute and out.dtype.kind == "f" and private(out) and (
                len(readers) == 1 and _plain(ops[readers[0]])
                and ops[readers[0]].fn is numpy.negative):
            j = readers[0]
            ops[j] = _with(ops[j], numpy.copysign, [op.args[0], -1.0], "copysign")
            ops[i] = None
        elif op.fn in _STEPS and private(out) and _sigmoid_step(i, ops, readers, made, writers):
            z, j = op.args[0], readers[0]
            mask = _like(out, z.dtype)
            arrays.append(mask)
            ops[i] = _with(op, numpy.heaviside, [z, _STEPS[op.fn]], "heaviside", outs=[mask])
            ops[j] = _with(ops[j], ops[j].fn, [ops[j].args[0], mask], ops[j].name)
        elif op.fn in _COMPARISONS and private(out) and readers:
            dtype = _mask_dtype(out, [ops[j] for j in readers])
            if dtype is not None:
                mask = _like(out, dtype)
                arrays.append(mask)
                ops[i] = _with(op, op.fn, op.args, op.name, outs=[mask])
                for j in readers:
                    ops[j] = _with(ops[j], ops[j].fn, [mask if a is out else a
                                                       for a in ops[j].args], ops[j].name)
    return [op for op in ops if op is not None]


def _sigmoid_step(i, ops, readers, made, writers) -> bool:
    """Whether comparison ``ops[i]`` is ``z >= 0`` (or ``z > 0``) read only by
    ``maximum(exp(-|z|), mask)`` of the same, unchanged z, on a small float array."""
    op = ops[i]
    z, zero = op.args if len(op.args) == 2 else (None, None)
    if not (isinstance(z, TracedArray) and z.dtype.kind == "f" and z.size <= _HEAVISIDE_MAX
            and type(zero) in (int, float) and zero == 0 and len(readers) == 1):
        return False
    user = ops[readers[0]]
    if not (_plain(user) and user.fn is numpy.maximum and len(user.args) == 2 and
            user.args[1] is op.outs[0] and isinstance(user.args[0], TracedArray)):
        return False
    e = user.args[0]
    exp = _made_by(e, ops, made, writers)
    if exp is None or exp.fn is not numpy.exp or exp.args[0].__class__ is not TracedArray:
        return False
    inner = _made_by(exp.args[0], ops, made, writers)
    if inner is not None and inner.fn is numpy.copysign:
        same = inner.args[0] is z and type(inner.args[1]) is float and inner.args[1] == -1.0
    elif inner is not None and inner.fn is numpy.negative:
        absolute = _made_by(inner.args[0], ops, made, writers)
        same = absolute is not None and absolute.fn is numpy.absolute and absolute.args[0] is z
    else:
        same = False
    first_use = min(made[id(exp.args[0])], i)
    return same and e.shape == z.shape == user.outs[0].shape and (
        e.dtype == z.dtype == user.outs[0].dtype) and all(
        w < first_use for w in writers.get(id(z._root), ()))


def _made_by(a, ops, made, writers):
    """The plain op that alone computed ``a`` (a step's own array), or None."""
    i = made.get(id(a))
    if i is None or a._root is not a or len(writers.get(id(a), ())) != 1:
        return None
    op = ops[i]
    return op if _plain(op) and op.outs[0] is a else None


def _plain(op) -> bool:
    return op is not None and op.kind == "ufunc" and type(op.fn) is numpy.ufunc and (
        op.fn.signature is None and not op.kwargs and len(op.outs) == 1)


def _mask_dtype(mask, readers):
    """The float dtype every reader would convert ``mask`` to, or None."""
    dtype = None
    for op in readers:
        if not _plain(op) or op.fn not in _MASK_USERS or len(op.args) != 2:
            return None
        other = op.args[1] if op.args[0] is mask else op.args[0]
        if not (isinstance(other, TracedArray) and other.dtype.kind == "f" and
                op.outs[0].dtype == other.dtype and other is not mask):
            return None
        if dtype not in (None, other.dtype):
            return None
        dtype = other.dtype
    return dtype


def _like(a, dtype) -> TracedArray:
    plain = numpy.empty(a.shape, dtype)
    t = plain.view(TracedArray)
    t._buf, t._root, t._kind, t._id, t._base = plain, t, "result", a._id, None
    return t


def _with(op, fn, args, name, outs=None) -> Op:
    new = Op(op.kind, name, fn, args, op.kwargs, op.outs if outs is None else outs,
             op.expected, op.static, op.phase)
    new.err = op.err
    return new
