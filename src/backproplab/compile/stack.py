"""Two independent operations of one kind as one NumPy call on stacked buffers.

A step repeats small operations once per layer where neither waits for the other: the ReLU
masks of two hidden layers of one width (``z > 0``: both known once the forward has run),
their bias gradients (``g.sum(0)``: each known once its layer's backward has). On lab-size
arrays the fixed cost of a NumPy call is most of what it costs, so the pair is computed by one
call on views with a leading axis of two, one member per slice (horizontal fusion, as XLA does
for sibling operations). The bits are those of the two calls: an elementwise ufunc here rounds
each element exactly, whatever the loop, and a reduction sums each slice along its own axis in
its own order (the new axis has the longest stride, so it is the outermost loop).

Operands become stacked views in one of three ways: the step's own results are moved into a
new buffer of two slices (values copied; nothing else holds them); two arrays already in one
buffer, one shape and strides apart, are viewed where they lie (the bias gradients in the flat
gradient buffer); an operand both calls share is repeated with a zero stride. The call takes
the place of the later one when the earlier one's result is read only after it (the bias
gradients), or of the earlier one when the later one's operands are ready by then (the masks).
"""

import numpy
from numpy.lib.stride_tricks import as_strided

from backproplab.compile.flat import EXACT_ELEMENTWISE
from backproplab.compile.memory import relocate
from backproplab.compile.recorder import Op
from backproplab.compile.traced import TracedArray, TracedScalar, arrays_in

# exact per element, whatever the loop, as flat.EXACT_ELEMENTWISE
_UFUNCS = EXACT_ELEMENTWISE | {numpy.greater, numpy.greater_equal, numpy.less,
                               numpy.less_equal, numpy.equal, numpy.not_equal, numpy.copysign,
                               numpy.heaviside}
_REDUCTIONS = {numpy.add, numpy.maximum, numpy.minimum}
# elements of one member: past a few thousand the ~1 us a call saves is lost in its arithmetic,
# while a stacked buffer keeps its members out of buffer reuse (memory.py)
_STACK_MAX = 8192
_BARRIERS = {"guard", "item"}  # a data guard may stop the replay: nothing moves across it
# kinds whose buffer is the value itself (an input's may be read where the caller keeps it)
_IN_PLACE = {"result", "persistent", "constant"}


def stack_independent(kept: list, arrays: list, live_roots: set, pinned: set) -> list:
    """``kept`` with pairs fused, one pair at a time (each fusion moves an op, so the next is
    judged on the new order). ``arrays`` (all the trace's arrays) gets the stacked ones;
    ``live_roots`` and ``pinned`` name what cannot be moved (values the step keeps or returns,
    the epilogue's sources); ``pinned`` gets the buffers a stacked view now reads, which
    buffer reuse must leave where they are. The update is left alone: flat.py has made each
    of its lines one call already."""
    stacker = _Stacker(arrays, live_roots, pinned)
    ops = list(kept)
    while True:
        fused = stacker.first_pair(ops)
        if fused is None:
            return ops
        ops = fused


class _Stacker:
    """What says whether an array may move into a new buffer, and the fusing itself."""

    def __init__(self, arrays, live_roots, pinned):
        self.arrays, self.live_roots, self.pinned = arrays, live_roots, pinned
        self.views, self.shared = {}, set()
        for a in arrays:
            if a._root is not a:
                self.views.setdefault(id(a._root), []).append(a)
            elif a._buf is not None and a._buf.base is not None:
                self.shared.add(id(a._buf.base))  # another root lies inside this one's memory

    def first_pair(self, ops):
        """``ops`` with the first pair that can be fused fused, or None."""
        keys = [_key(op) for op in ops]
        for i, key in enumerate(keys):
            if key is None:
                continue
            for j in range(i + 1, len(ops)):
                if keys[j] != key or _depends(ops[i], ops[j]):
                    continue
                if _clear(ops, i + 1, j + 1, ops[i]):
                    at = j  # the earlier call waits for the later one
                elif _clear(ops, i, j, ops[j]):
                    at = i  # the later call comes forward
                else:
                    continue
                roles = self.roles(ops[i], ops[j])
                if roles is None:
                    continue
                self.arrays.extend(roles)
                new = _fused(ops[i], roles)
                return [new if k == at else op for k, op in enumerate(ops)
                        if k not in (i, j) or k == at]
        return None

    def roles(self, a, b):
        """The stacked views for each array argument and the result, or None if one cannot
        be (an array in two places, as ``multiply(a, t)`` with ``multiply(t, t)``, cannot lie
        in two stacks)."""
        pairs = [(x, y) for x, y in zip([*a.args, a.outs[0]], [*b.args, b.outs[0]],
                                        strict=True) if isinstance(x, TracedArray)]
        for k, (x, y) in enumerate(pairs):
            if any(_overlap([x._buf, y._buf], [u._buf, v._buf]) for u, v in pairs[k + 1:]):
                return None
        roles = []
        for x, y in pairs:
            if x is y and x is not a.outs[0] and x._root._kind in _IN_PLACE:
                self.pinned.add(id(x._root._buf))  # read through this view: it must not move
                plain = as_strided(x._buf, (2, *x._buf.shape), (0, *x._buf.strides),
                                   writeable=False)
            elif self.movable(x) and self.movable(y):
                plain = None
            elif x._root is x and y._root is y and {x._kind, y._kind} <= _IN_PLACE:
                plain = _apart(x._buf, y._buf)  # already placed in one buffer (not movable)
                if plain is None:
                    return None
            else:
                return None
            roles.append((x, y, plain))
        return [self.stack(x, y) if plain is None else _traced(plain, f"{x._id}&{y._id}")
                for x, y, plain in roles]

    def movable(self, a) -> bool:
        """The step's own result, owning its memory, that nothing outside the step holds (its
        views, at non-negative strides, move with it)."""
        buf = a._buf
        return (a._kind == "result" and a._root is a and id(a) not in self.live_roots and
                id(buf) not in self.pinned and id(buf) not in self.shared and
                buf.base is None and buf.flags.c_contiguous and buf.size > 0 and
                not buf.dtype.hasobject and
                all(s >= 0 for v in self.views.get(id(a), ()) for s in v._buf.strides))

    def stack(self, x, y) -> TracedArray:
        """A new buffer holding ``x`` and ``y`` one after the other; both (and their views)
        now lie in it."""
        plain = numpy.empty((2, *x._buf.shape), x._buf.dtype)
        for i, a in enumerate((x, y)):
            plain[i] = a._buf  # [i, ...]: a 0-d slot as a 0-d view (plain[i] is a scalar copy)
            relocate(a, self.views.get(id(a), ()), plain[i, ...])
        return _traced(plain, f"{x._id}&{y._id}")


def _key(op):
    """What two ops must share to be one stacked call, or None for ops that are not fused."""
    if op.kind != "ufunc" or op.phase == "update" or len(op.outs) != 1 or not isinstance(
            op.outs[0], TracedArray):
        return None
    fn = op.fn
    if type(fn) is numpy.ufunc:
        if fn not in _UFUNCS or op.kwargs:
            return None
        name = (fn, "__call__")
    elif getattr(fn, "__name__", "") == "reduce" and getattr(fn, "__self__", None) in (
            _REDUCTIONS) and len(op.args) == 1 and _reduce_kwargs(op.kwargs):
        name = (fn.__self__, "reduce")
    else:
        return None
    parts = []
    for a in [*op.args, op.outs[0]]:
        if isinstance(a, TracedArray):
            if a.size > _STACK_MAX or (name[1] == "__call__" and a.ndim != op.outs[0].ndim):
                return None  # stacked, an operand of fewer axes would broadcast along the pair
            parts.append(("a", a.shape, a.dtype.str, a._buf.strides))
        elif isinstance(a, TracedScalar) or type(a) not in (int, float):
            return None
        else:
            parts.append(("v", type(a), a))
    err = op.err and tuple(sorted(op.err.items()))
    return (name, tuple(sorted(op.kwargs.items())), err, tuple(parts))


def _reduce_kwargs(kwargs) -> bool:
    """Int axes (None would sum across the stack too) and defaults otherwise."""
    axis = kwargs.get("axis", 0)
    axes = list(axis) if type(axis) in (tuple, list) else [axis]
    return (bool(axes) and all(type(a) is int for a in axes) and kwargs.get("dtype") is None and
            type(kwargs.get("keepdims", False)) is bool and kwargs.get("where", True) is True and
            set(kwargs) <= {"axis", "keepdims", "dtype", "where"})


def _touches(op):
    """(buffers the op reads, buffers it writes); a view costs nothing and touches nothing.
    Compared by memory, not by name: a parameter and the flat buffer holding it are one."""
    if op.kind in ("declare", "view"):
        return [], []
    reads = [a._buf for a in arrays_in([*op.args, *op.kwargs.values()])]
    return reads, [o._buf for o in op.outs if isinstance(o, TracedArray)]


def _overlap(xs, ys) -> bool:
    return any(numpy.may_share_memory(x, y) for x in xs for y in ys)


def _depends(first, second) -> bool:
    reads1, writes1 = _touches(first)
    reads2, writes2 = _touches(second)
    return _overlap(writes1, reads2 + writes2) or _overlap(reads1, writes2)


def _clear(ops, start, stop, moved) -> bool:
    """Whether ``moved`` computes the same anywhere in ``ops[start:stop]``: nothing there
    writes what it reads or touches what it writes, and no data guard lies there."""
    reads, writes = _touches(moved)
    for op in ops[start:stop]:
        if op is moved:
            continue
        if op.kind in _BARRIERS and not op.static:
            return False
        r, w = _touches(op)
        if _overlap(w, reads + writes) or _overlap(r, writes):
            return False
    return True


def _apart(x, y):
    """``x`` and ``y`` as one view with a leading axis of two, if they lie in one buffer with
    the same layout and do not overlap; else None."""
    if x.base is None or y.base is not x.base or x.shape != y.shape or (
            x.strides != y.strides or x.dtype != y.dtype) or not x.flags.c_contiguous:
        return None
    step = _address(y) - _address(x)
    if abs(step) < x.nbytes:
        return None
    return as_strided(x, (2, *x.shape), (step, *x.strides))


def _traced(plain, label) -> TracedArray:
    t = plain.view(TracedArray)
    t._buf, t._root, t._kind, t._id, t._base = plain, t, "stacked", label, None
    return t


def _fused(op, roles) -> Op:
    """``op`` on the stacked views (a reduction's axis moved past the new one)."""
    it = iter(roles)
    args = [next(it) if isinstance(x, TracedArray) else x for x in op.args]
    kwargs = dict(op.kwargs)
    if type(op.fn) is not numpy.ufunc:  # a reduction: its axis counted past the new one
        axis = kwargs.get("axis", 0)
        if type(axis) is int:
            kwargs["axis"] = axis + 1 if axis >= 0 else axis
        else:
            kwargs["axis"] = type(axis)(a + 1 if a >= 0 else a for a in axis)
    new = Op("ufunc", op.name, op.fn, args, kwargs, outs=[next(it)], phase=op.phase)
    new.err = op.err
    return new


def _address(a) -> int:
    return a.__array_interface__["data"][0]
