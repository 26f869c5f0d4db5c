"""Passes over a recorded op list that make its replay cheaper without changing one bit.

* Constant folding: a number read with ``.item()`` from a buffer that only ever held one
  constant (the ``ones_like`` seed of ``loss.backward()``), and arithmetic on constants, are
  computed once; the ops that produced them are dropped.
* Common subexpressions: a ufunc applied again to the same, unchanged inputs (MSE computes
  ``y - t`` in its forward and again in its backward) reuses the first result, and
  ``x·1`` (BCE with logits without a positive weight) is ``x``.
* Repeated arithmetic on numbers: an update rule that computes ``1 - dampening`` for every
  parameter computes it once (numbers do not change once computed), so the per-parameter
  pieces of the update use one operand and can become one call (see flat.py).
* Scalar operands: NumPy converts a Python number in a ufunc call to the array's dtype on
  every call, which costs as much as the arithmetic on a small array; the conversion is done
  once here (a 0-d array of exactly the dtype NumPy would pick), and numbers read at replay
  are written into such 0-d arrays.
"""

import numbers
import operator

import numpy

from backproplab.compile.recorder import Op
from backproplab.compile.traced import TracedArray, TracedScalar


def fold_constants(ops: list) -> list:
    filled = {}  # id(root) -> the constant every element holds, while that stays true
    known = {}  # scalar id -> constant value
    out = []
    for op in ops:
        if known:
            op = op.with_args([_substitute(a, known) for a in op.args])
        kind = op.kind
        if kind == "item" and id(op.args[0]._root) in filled and len(op.args) == 1:
            known[op.outs[0].id] = op.outs[0].value
            continue
        if kind == "scalar" and not any(isinstance(a, TracedScalar) for a in op.args):
            known[op.outs[0].id] = op.outs[0].value
            continue
        if kind == "guard" and not any(isinstance(a, (TracedScalar, TracedArray))
                                       for a in op.args):
            continue
        for o in op.outs:
            if isinstance(o, TracedArray):
                filled.pop(id(o._root), None)
        if kind == "fill" and _is_constant(op.args[0]) and op.outs[0]._root is op.outs[0]:
            filled[id(op.outs[0])] = op.args[0]
        out.append(op)
    return out


def share_scalars(ops: list) -> list:
    """Operations on numbers that repeat an earlier one (same function, same operands): the
    operations that use their result use the earlier one's."""
    first = {}  # (function, operands) -> the scalar computed first
    same = {}  # scalar id -> the earlier, equal scalar
    reads = {}  # (key, index, value) of a state number -> its first read
    out = []
    for op in ops:
        if same:
            op = op.with_args([same.get(a.id, a) if isinstance(a, TracedScalar) else a
                               for a in op.args])
        if op.kind == "read" and getattr(op.fn, "key", None) is not None:
            value = op.outs[0].value
            key = (op.fn.key, op.fn.index, type(value), value)
            if key in reads:  # each parameter's step count, equal: guarded to stay equal
                out.append(op)
                out.append(Op("guard", "eq", operator.eq, [op.outs[0], reads[key]],
                              expected=True, static=True, phase=op.phase))
                same[op.outs[0].id] = reads[key]
                continue
            reads[key] = op.outs[0]
        if op.kind == "scalar":
            key = (op.fn, op.static, tuple(("s", a.id) if isinstance(a, TracedScalar) else (
                "v", type(a), a) for a in op.args))
            if key in first:  # still computed: the epilogue may store it
                same[op.outs[0].id] = first[key]
            else:
                first[key] = op.outs[0]
        out.append(op)
    return out


def eliminate_common(ops: list, live_roots: set) -> list:
    """Reuse the result of an identical earlier ufunc call whose inputs have not changed.

    A result the step keeps or returns (``live_roots``) is always computed: its readers are
    pointed elsewhere, but the value handed back is its own buffer (a mean over one row is
    ``x·1``; dropped, the loss it returned was the first replay's for ever)."""
    # results that must keep their own buffer: viewed ones, and those kept or returned
    own = {id(a._root) for a in _all_arrays(ops) if a._kind == "view"} | set(live_roots)
    seen = {}  # key -> (earlier output, how often its buffer was written by then)
    version = {}  # id(root) -> how many times it was written so far
    replace = {}  # id(duplicate output) -> earlier output
    out = []
    for k, op in enumerate(ops):
        if replace:
            op = op.with_args([_replace(a, replace) for a in op.args])
        if op.kind == "ufunc" and type(op.fn) is numpy.ufunc and not op.kwargs and (
                len(op.outs) == 1 and op.outs[0]._kind == "result"):
            dup = op.outs[0]
            same = _identity_operand(op)
            if same is not None and id(dup) not in own and not (
                    _written_later(dup, ops, k) or _written_later(same._root, ops, k)):
                replace[id(dup)] = same  # x·1 and x/1 are x, bit for bit
                continue
            key = _cse_key(op, version)
            first, first_version = seen.get(key, (None, None))
            if first is not None and first.shape == dup.shape and first.dtype == dup.dtype and (
                    version.get(id(first)) == first_version and id(dup) not in own
                    and not _written_later(dup, ops, k)):
                replace[id(dup)] = first
                continue
            if key is not None:
                seen[key] = (dup, version.get(id(dup), 0) + 1)
        for o in op.outs:
            if isinstance(o, TracedArray):
                version[id(o._root)] = version.get(id(o._root), 0) + 1
        out.append(op)
    return out


def _identity_operand(op: Op):
    """The array operand of ``multiply(x, 1)``, ``multiply(1, x)`` or ``divide(x, 1)`` when
    the result is exactly that array (same shape and dtype), else None."""
    if op.fn not in (numpy.multiply, numpy.divide) or len(op.args) != 2:
        return None
    a, b = op.args
    if op.fn is numpy.multiply and _is_one(a):
        a, b = b, a
    if not (isinstance(a, TracedArray) and _is_one(b)):
        return None
    out = op.outs[0]
    return a if (a.shape == out.shape and a.dtype == out.dtype) else None


def _is_one(x) -> bool:
    return type(x) in (int, float) and x == 1


def scalar_dtype(op: Op, position: int):
    """The dtype NumPy gives a Python number at ``position`` of a ufunc call, or None."""
    if op.kind != "ufunc" or type(op.fn) is not numpy.ufunc or op.kwargs:
        return None
    arrays = [a for a in op.args if isinstance(a, TracedArray)]
    if not arrays or len(op.args) != 2:
        return None
    value = op.args[position]
    value = value.value if isinstance(value, TracedScalar) else value
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    dtype = arrays[0].dtype
    if dtype.kind != "f":
        return None
    return numpy.result_type(dtype, value)


def as_operand(value, dtype):
    """A Python number as the 0-d array NumPy would have converted it to."""
    return numpy.asarray(value, dtype=dtype)


def _is_constant(x) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, TracedScalar)


def _substitute(a, known):
    if isinstance(a, TracedScalar) and a.id in known:
        return known[a.id]
    return a


def _replace(a, replace):
    if isinstance(a, TracedArray):
        return replace.get(id(a), a)
    if type(a) is tuple or type(a) is list:
        return type(a)(_replace(i, replace) for i in a)
    return a


def _cse_key(op, version):
    parts = [op.fn]
    for a in op.args:
        if isinstance(a, TracedArray):
            parts.append(("a", id(a), version.get(id(a._root), 0)))
        elif isinstance(a, (int, float)) and not isinstance(a, TracedScalar):
            parts.append(("v", type(a), a))
        elif isinstance(a, TracedScalar):
            parts.append(("s", a.id))
        else:
            return None
    return tuple(parts)


def _written_later(arr, ops, after: int) -> bool:
    return any(op.kind not in ("declare", "view") and any(
        isinstance(o, TracedArray) and o._root is arr for o in op.outs) for op in ops[after + 1:])


def _all_arrays(ops):
    for op in ops:
        for o in op.outs:
            if isinstance(o, TracedArray):
                yield o
