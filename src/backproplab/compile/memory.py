"""Buffer reuse: a step's temporaries share memory once their lifetimes are over.

A trace gives every intermediate array its own buffer, so a replay writes each op's result
into fresh memory: a step of a 784-512-512-10 MLP at batch 256 streams through ~11 MiB of
buffers, more than the caches hold, where eager mode's allocator hands the memory of a
freed temporary to the next one while it is still in cache. Here, as XLA's buffer
assignment does, a temporary whose last reader has run lends its memory to one written
later, of the same size and dtype; an elementwise ufunc whose operand dies with it writes over
that operand (NumPy's temporary elision does the same for ``g * mask`` in eager code). Only
where a value lies changes, with its strides kept, so every operation computes the same
bits.
"""

import numpy

from backproplab.compile.traced import TracedArray, arrays_in

# kinds whose single output, when it is the root array itself, is written in full
_WRITES_ALL = {"ufunc", "method", "getitem", "call", "fill"}


def reuse_buffers(kept: list, arrays: list, live_roots: set, pinned: set) -> int:
    """Move temporaries into the memory of dead ones (in place, on the traced arrays'
    ``_buf``); returns how many moved. Only the step's own results that own contiguous
    memory, are written in full before anything reads them and outlive nothing are moved:
    parameters, inputs, state, gradients and returned values stay where they are."""
    views, shared = {}, set()
    for a in arrays:
        if a._root is not a:
            views.setdefault(id(a._root), []).append(a)
        elif a._buf is not None and a._buf.base is not None:
            shared.add(id(a._buf.base))  # another root lies inside this one's memory
    first, last = {}, {}
    for i, op in enumerate(kept):
        if op.kind in ("declare", "view"):
            continue
        for a in arrays_in([*op.args, *op.kwargs.values()]):
            first.setdefault(id(a._root), (i, False))
            last[id(a._root)] = i
        for o in op.outs:
            if isinstance(o, TracedArray):
                whole = o is o._root and op.kind in _WRITES_ALL and "where" not in op.kwargs
                if op.kind == "setitem":
                    whole = o is o._root and op.args[1] is Ellipsis
                first.setdefault(id(o._root), (i, whole))
                last[id(o._root)] = i
    roots = {id(a): a for a in arrays if a._root is a}
    starts, ends = {}, {}
    for key, (i, whole) in first.items():
        r = roots.get(key)
        if r is not None and whole and id(r._buf) not in shared and _movable(
                r, views.get(key, ()), live_roots, pinned):
            starts.setdefault(i, []).append(r)
            ends.setdefault(last[key], []).append(r)
    free, moved, given = {}, 0, set()
    for i in range(len(kept)):
        dying = {id(r) for r in ends.get(i, ())}
        for r in starts.get(i, ()):
            operand = _in_place(kept[i], r, dying - given)
            pool = free.get(_size(r))
            if operand is not None:  # elementwise: the result overwrites its dying operand
                relocate(r, views.get(id(r), ()), operand._buf)
                given.add(id(operand))
            elif pool:
                relocate(r, views.get(id(r), ()), pool.pop())
            else:
                continue
            moved += 1
        for r in ends.get(i, ()):
            if id(r) not in given:
                free.setdefault(_size(r), []).append(r._buf)
    return moved


def _in_place(op, out, dying):
    """An operand of elementwise ``op`` that dies there and lies exactly as its result
    ``out`` would (shape, dtype, strides): NumPy computes such a ufunc in place correctly."""
    if not (op.kind == "ufunc" and type(op.fn) is numpy.ufunc and op.fn.signature is None
            and not op.kwargs and len(op.outs) == 1 and op.outs[0] is out):
        return None
    for a in op.args:
        if isinstance(a, TracedArray) and a is a._root and id(a) in dying and (
                a._buf.shape == out._buf.shape and a._buf.dtype == out._buf.dtype and
                a._buf.strides == out._buf.strides):
            return a
    return None


def _movable(r, views, live_roots, pinned) -> bool:
    buf = r._buf
    return (r._kind == "result" and id(r) not in live_roots and id(buf) not in pinned and
            buf.base is None and buf.size > 0 and not buf.dtype.hasobject and
            (buf.flags.c_contiguous or buf.flags.f_contiguous) and
            all(s >= 0 for v in views for s in v._buf.strides))


def _size(r) -> tuple:
    return (r._buf.nbytes, r._buf.dtype.str)


def relocate(r, views, other) -> None:
    """``r`` (and its views, at the same offsets and strides) now lie in the memory of the
    array ``other``; where they lie alike, ``r`` *is* ``other``: NumPy checks an output for
    overlap with an input that is another object on the same memory (~0.3 µs a call), not
    with the same object."""
    old, memory = _address(r._buf), _raw(other)
    for v in views:
        b = v._buf
        v._buf = numpy.ndarray(b.shape, b.dtype, buffer=memory, offset=_address(b) - old,
                               strides=b.strides)
    b = r._buf
    if (b.shape, b.dtype, b.strides) == (other.shape, other.dtype, other.strides):
        r._buf = other
    else:
        r._buf = numpy.ndarray(b.shape, b.dtype, buffer=memory, strides=b.strides)


def _raw(buf):
    """The bytes of a contiguous array, in memory order."""
    return buf.reshape(-1, order="A").view(numpy.uint8)


def _address(a) -> int:
    return a.__array_interface__["data"][0]
