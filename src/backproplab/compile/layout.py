"""Where a replay's operands lie and which NumPy entry point computes them: choices that make
a replay faster and leave every bit as eager mode computes it.

* An argument only ever read by ufuncs is read where the caller keeps it, not copied first.
* An operand NumPy would stretch to the output's shape is stretched once, as a view.
* A number that ``maximum`` or ``minimum`` (ReLU, clamps) compares with every element is
  spread over an array of the output's shape, made once: NumPy has SIMD loops for these
  ufuncs on two whole arrays, not for an array and a single value (ReLU forward on 256x512
  float32: 22 us instead of 66); each element meets the same value, and the loops agree bit
  for bit, NaN payloads and signed zeros included.
* ``numpy.dot`` instead of ``numpy.matmul`` for 2-d float products, only where both reach the
  same BLAS routine: that is checked on the real buffers before the tape is trusted.
"""

import numpy

from backproplab.compile.traced import arrays_in


def direct_inputs(kept, inputs, live_roots) -> set:
    """Positions of the arguments the replay may read where the caller keeps them (no copy):
    those only ever passed as an operand of a ufunc, never viewed, indexed with or returned."""
    direct = set()
    for i, t in inputs:
        if id(t) in live_roots:
            continue
        safe = True
        for op in kept:
            if op.kind == "declare":
                continue
            seen = [a for a in arrays_in([*op.args, *op.outs, *op.kwargs.values()])
                    if a._root is t]
            named = [a for a in op.args if a is t] if op.kind in ("ufunc", "inplace") else []
            if len(seen) != len(named):
                safe = False
                break
        if safe:
            direct.add(i)
    return direct


def broadcast(operand, out):
    """An operand NumPy would broadcast to ``out``'s shape, broadcast once here (a view): a
    ufunc on arrays of one shape takes its fast path, on stretched ones a slower one. A single
    value becomes a 0-d view (the same element, as fast as a number)."""
    if type(operand) is not numpy.ndarray or operand.shape == out.shape or (
            numpy.may_share_memory(operand, out)):
        return operand
    if operand.size == 1:
        return operand.reshape(())
    return numpy.broadcast_to(operand, out.shape)



_SPREAD = {numpy.maximum, numpy.minimum}


def spread(fn, operand, outs):
    """The 0-d operand of a ``maximum``/``minimum`` as a whole array of the result's shape
    (see above); other operands as they are. Writing a number read at replay into it with
    ``operand[()] = value`` still sets every element."""
    out = outs[0]
    if fn not in _SPREAD or len(outs) != 1 or out.ndim == 0 or not (
            out.flags.c_contiguous or out.flags.f_contiguous):
        return operand
    return numpy.full_like(out, operand, dtype=operand.dtype)


_TRIALS = 2
_DECIDED = {}  # layout -> whether dot gives matmul's bits for it (the routine depends on no value)
_DECIDED_MAX = 4096


def dot_gives_matmul_bits(a, b, out) -> bool:
    """True when ``numpy.dot(a, b, out)`` writes what ``numpy.matmul(a, b, out)`` writes.

    Both hand 2-d float products to BLAS, but each picks the routine (gemm, gemv, dot, syrk or
    its own loop) from the shapes and strides by its own rules, and another routine sums in
    another order. The choice depends on the layout, not on the values, so a routine mismatch
    shows as different bits on random data; the buffers themselves (their layout, alignment
    and any memory they share) are used for the trials and given back their values after.
    The answer is kept per layout."""
    arrays = (a, b, out)
    if not all(type(x) is numpy.ndarray and x.ndim == 2 for x in arrays):
        return False
    if a.dtype not in (numpy.float32, numpy.float64) or not (
            a.dtype == b.dtype == out.dtype) or not out.flags.c_contiguous:
        return False
    if numpy.may_share_memory(out, a) or numpy.may_share_memory(out, b) or not (
            a.flags.writeable and b.flags.writeable) or a.size == 0 or b.size == 0:
        return False
    key = (a.dtype.str, *(x.shape for x in arrays), *(x.strides for x in arrays),
           *(x.flags.aligned for x in arrays), numpy.may_share_memory(a, b),
           a.__array_interface__["data"][0] == b.__array_interface__["data"][0])
    if key not in _DECIDED:
        if len(_DECIDED) >= _DECIDED_MAX:
            _DECIDED.clear()
        _DECIDED[key] = _same_on_trials(a, b, out)
    return _DECIDED[key]


def _same_on_trials(a, b, out) -> bool:
    arrays = (a, b, out)
    saved = (a.copy(), b.copy(), out.copy())
    rng = numpy.random.default_rng(0)
    try:
        for trial in range(_TRIALS + 1):
            if trial:
                for x in (a, b):
                    values = rng.standard_normal(x.shape)
                    values[rng.random(x.shape) < 0.2] = 0.0
                    values[rng.random(x.shape) < 0.1] = -0.0
                    x[...] = values
            numpy.matmul(a, b, out)
            expected = out.tobytes()
            numpy.dot(a, b, out)
            if out.tobytes() != expected:
                return False
        return True
    finally:
        for x, value in zip(reversed(arrays), reversed(saved), strict=True):
            numpy.copyto(x, value)
