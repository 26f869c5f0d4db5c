"""``Tape``: a recorded step as a flat program of NumPy calls into preallocated buffers.

Every array the trace computed becomes the buffer its operation writes at each replay (with
``out=``), so a replay allocates nothing for ufuncs and reductions; views of buffers (``.T``,
``reshape``, basic indexing) were made once at trace time and cost nothing. Operations whose
result is never read (by a later operation, a parameter, a gradient, the optimizer state or
the step's return value) are dropped. Numbers the step reads at replay (hyper-parameters,
step counts, ``.item()`` of a buffer) live in cells; each operation that uses one has its
argument list patched when the number is computed. Guards check that the branches Python took
during the trace are still the ones it would take.
"""

import functools
import operator

import numpy

from backproplab.compile.flat import flatten_grads, fuse_update
from backproplab.compile.forms import cheaper_forms
from backproplab.compile.layout import broadcast, direct_inputs, dot_gives_matmul_bits, spread
from backproplab.compile.memory import reuse_buffers
from backproplab.compile.optimize import (
    as_operand,
    eliminate_common,
    fold_constants,
    scalar_dtype,
    share_scalars,
)
from backproplab.compile.recorder import CompileError, Op
from backproplab.compile.stack import stack_independent
from backproplab.compile.tape_text import at_default, line_of, name_of
from backproplab.compile.traced import TracedArray, TracedScalar, arrays_in

# ufuncs that warn (deprecated) when ``out`` is passed by position
_OUT_BY_KEYWORD = (numpy.maximum, numpy.minimum)


class GuardMiss(Exception):
    """A hyper-parameter guard failed before the replay started: trace this case instead."""


class DataGuardMiss(Exception):
    """A data-dependent branch went the other way during the replay: run this call eagerly."""


class Tape:
    """The replayable program of one trace; ``str(tape)`` lists it, one line per op."""

    def __init__(self, ops, arrays, n_scalars, live_roots, inputs, epilogue, pinned=()):
        self.ops = ops
        self._arrays = arrays  # keeps every buffer alive
        self.cells = [None] * n_scalars
        self._consumers = [[] for _ in range(n_scalars)]
        self._operands = [[] for _ in range(n_scalars)]  # 0-d arrays a number is written to
        common = eliminate_common(share_scalars(fold_constants(ops)), live_roots)
        self.kept = _live_ops(cheaper_forms(common, arrays, live_roots), live_roots)
        self.data_guard_after_update, written = _writes_before_guards(self.kept, live_roots)
        pinned = {*pinned, *(id(item[2]) for item in epilogue if item[0] == "copy")}
        self.kept, moved = fuse_update(self.kept, arrays, pinned)
        for item in epilogue:  # a gradient moved into the flat buffer: its tensor follows
            if item[0] == "grad" and item[2] is not None and id(item[2].array) in moved:
                item[2].array = moved[id(item[2].array)]
        flatten_grads(epilogue, arrays, pinned)
        self.kept = stack_independent(self.kept, arrays, live_roots, pinned)
        self.reused = reuse_buffers(self.kept, arrays, live_roots, pinned)
        self.inputs = [(i, t._buf) for i, t in inputs]
        self.reads, self.prelude, self.program = [], [], []
        self.errs = []  # per program entry: the errstate to replay it under, or None
        for op in self.kept:
            start = len(self.program)
            self._compile(op)
            self.errs += [op.err] * (len(self.program) - start)
        self._last_reads = None
        self.patched = {id(lst) for c in self._consumers for lst, _ in c}
        self.epilogue = epilogue
        self.direct_inputs = direct_inputs(self.kept, inputs, live_roots)
        self.snapshots = [(r._buf, numpy.empty_like(r._buf)) for r in written]
        """(state, copy): what the replay changes before a data guard (batch norm's running
        statistics), copied at its start and put back by ``restore`` if a guard misses, so
        the eager call that follows starts from the state the replay found."""

    def restore(self) -> None:
        """Undo the replay's writes made before the data guard that missed (see snapshots)."""
        for state, copy in self.snapshots:
            numpy.copyto(state, copy)

    # ----- running --------------------------------------------------------------------------
    def prepare(self) -> None:
        """Read hyper-parameters and check their guards; raises GuardMiss if one fails."""
        if not self.prepare_reads(tuple(read() for read in self.reads)):
            raise GuardMiss("hyper-parameter")

    def prepare_reads(self, values: tuple) -> bool:
        """Recompute everything derived from the numbers just read, unless none changed;
        False when a guard on them fails (the replay must not run)."""
        if values == self._last_reads:
            return True
        self._last_reads = None
        try:
            for run in self.prelude:
                run()
        except GuardMiss:
            return False
        self._last_reads = values
        return True

    # ----- building -------------------------------------------------------------------------
    def _resolve(self, x, into: list, pos: int):
        if isinstance(x, TracedArray):
            return x._buf
        if isinstance(x, TracedScalar):
            if into is None:
                raise CompileError("bp.compile: a traced number inside an index or keyword "
                                   "cannot be replayed; convert it with int() first")
            self._consumers[x.id].append((into, pos))
            return x.value
        if type(x) is tuple or type(x) is list:
            return type(x)(self._resolve(i, None, 0) for i in x)
        if type(x) is dict:
            return {k: self._resolve(v, None, 0) for k, v in x.items()}
        return x

    def _arglist(self, values) -> list:
        a = [None] * len(values)
        for i, v in enumerate(values):
            a[i] = self._resolve(v, a, i)
        return a

    def _compile(self, op: Op) -> None:
        kind = op.kind
        if kind in ("declare", "view"):
            return
        if kind in ("read", "scalar", "item", "guard"):
            step = self._scalar_step(op)
            if op.static:
                self.prelude.append(step)
            else:
                self.program.append((step, ()))
            return
        kw = self._resolve(op.kwargs, None, 0)
        outs = [o._buf for o in op.outs]
        if kind == "ufunc":
            if op.fn.__class__ is numpy.ufunc and not kw:
                by_keyword = op.fn in _OUT_BY_KEYWORD
                args = self._arglist(op.args if by_keyword else [*op.args, *op.outs])
                if len(outs) == 1 and op.fn.signature is None:  # not matmul
                    for i in range(len(op.args)):
                        args[i] = broadcast(args[i], outs[0])
                for i in range(len(op.args)):
                    dtype = scalar_dtype(op, i)
                    if dtype is not None:
                        args[i] = spread(op.fn, as_operand(args[i], dtype), outs)
                        if isinstance(op.args[i], TracedScalar):
                            self._consumers[op.args[i].id].remove((args, i))
                            self._operands[op.args[i].id].append(args[i])
                f = op.fn
                if by_keyword:
                    f = functools.partial(f, out=tuple(outs))
                elif f is numpy.matmul and dot_gives_matmul_bits(*args):
                    f = numpy.dot  # the same BLAS call for less dispatch (checked above)
                self.program.append((f, args))
            else:
                out = outs[0] if len(outs) == 1 else tuple(outs)
                kw = {k: v for k, v in kw.items() if not at_default(k, v)}
                self.program.append((functools.partial(op.fn, **kw, out=out),
                                     self._arglist(op.args)))
        elif kind == "inplace":
            f = functools.partial(op.fn, **kw) if kw else op.fn
            self.program.append((f, self._arglist(op.args)))
        elif kind in ("setitem", "fill"):
            args = op.args if kind == "setitem" else [op.outs[0], Ellipsis, op.args[0]]
            self.program.append((operator.setitem, self._arglist(args)))
        elif kind == "method" and op.name == "copy":
            self.program.append((numpy.copyto, self._arglist([op.outs[0], op.args[0]])))
        elif kind == "method" and op.name == "astype":
            self.program.append((_cast, self._arglist([op.outs[0], op.args[0]])))
        elif kind == "method":
            self.program.append((_method_into(op.name, kw, outs[0]), self._arglist(op.args)))
        elif kind == "getitem":
            index = self._resolve(op.args[1], None, 0)
            self.program.append((_getitem_into(index), [outs[0], op.args[0]._buf]))
        elif kind == "call":
            computed = [i for i, o in enumerate(op.outs) if o._kind == "result"]
            self.program.append((_call_into(op.fn, kw, outs, computed), self._arglist(op.args)))
        else:
            raise AssertionError(kind)

    def _scalar_step(self, op: Op):
        """A closure that computes one number (or checks one guard) and hands it on."""
        cells = self.cells
        spec = [(True, a.id) if isinstance(a, TracedScalar) else
                (False, a._buf if isinstance(a, TracedArray) else a) for a in op.args]
        if op.kind == "guard":
            fn, expected = op.fn, op.expected
            miss = GuardMiss if op.static else DataGuardMiss

            def guard():
                if fn(*[cells[x] if c else x for c, x in spec]) != expected:
                    raise miss(op.name)

            return _named(guard, f"guard_{op.name}")
        target = op.outs[0]
        consumers = self._consumers[target.id]
        operands = self._operands[target.id]
        cells[target.id] = target.value
        idx = target.id
        if op.kind == "read":
            fn, arity = op.fn, 0
            self.reads.append(op.fn)
        elif op.kind == "item":
            buf, rest = spec[0][1], [x for _, x in spec[1:]]

            def fn():
                return buf.item(*rest)

            arity = 0
        else:
            fn, arity = op.fn, len(spec)

        def step():
            v = fn(*[cells[x] if c else x for c, x in spec]) if arity else fn()
            cells[idx] = v
            for lst, i in consumers:
                lst[i] = v
            for operand in operands:
                operand[()] = v  # the same conversion NumPy makes of a Python number

        return _named(step, op.kind if op.kind != "scalar" else f"number_{op.name}")

    # ----- reading --------------------------------------------------------------------------
    def rows(self) -> list[dict]:
        """The program as data, one dict per kept op (for lessons and the lab)."""
        rows = []
        for op in self.kept:
            out = op.outs[0] if op.outs else None
            rows.append({
                "op": op.name, "kind": op.kind,
                "out": name_of(out) if out is not None else None,
                "args": [name_of(a) for a in op.args],
                "shape": list(out.shape) if isinstance(out, TracedArray) else None,
                "dtype": str(out.dtype) if isinstance(out, TracedArray) else None,
                "replayed": op.kind not in ("declare", "view"),
                "phase": "setup" if op.kind in ("declare", "read") else op.phase,
            })
        return rows

    def to_dict(self) -> dict:
        buffers = {id(t._root) for t in self._arrays if t._kind == "result"}
        return {"ops": self.rows(), "recorded": len(self.ops), "kept": len(self.kept),
                "replayed": len(self.prelude) + len(self.program), "buffers": len(buffers)}

    def __str__(self) -> str:
        d = self.to_dict()
        memory = {_address(t._buf): t._buf.nbytes for t in self._arrays if t._kind == "result"}
        lines = [f"tape: {d['replayed']} operations replayed ({d['recorded']} recorded, "
                 f"{d['recorded'] - d['kept']} unused dropped), {d['buffers']} buffers "
                 f"({sum(memory.values()) / 1024:.1f} KiB; {self.reused} of them in the "
                 "memory of one no longer needed)"]
        phase = None
        for op in self.kept:
            if op.kind not in ("declare", "read") and op.phase != phase:
                phase = op.phase
                lines.append(f"  # {phase}")
            lines.append(line_of(op))
        return "\n".join(lines)

    __repr__ = __str__


def structure(ops) -> list:
    """What must be equal for two traces to be the same program (compared on re-trace)."""
    return [(op.kind, op.name, _key(op.args), _key(op.kwargs), _key(op.outs),
             _key(op.expected)) for op in ops]


def _key(x):
    if isinstance(x, TracedArray):
        return ("array", x._id, x.shape, x.dtype.str, x._kind)
    if isinstance(x, TracedScalar):
        return ("scalar", x.id)
    if isinstance(x, numpy.ndarray):
        return ("constant", x.shape, x.dtype.str, x.tobytes())
    if type(x) is tuple or type(x) is list:
        return tuple(_key(i) for i in x)
    if type(x) is dict:
        return tuple((k, _key(v)) for k, v in sorted(x.items()))
    if isinstance(x, slice):
        return ("slice", x.start, x.stop, x.step)
    return (type(x).__name__, repr(x))


def _live_ops(ops, live_roots) -> list:
    """Drop operations whose results nothing reads (dead-op elimination, backwards)."""
    live = set(live_roots)
    kept = []
    for op in reversed(ops):
        roots = {id(o._root) for o in op.outs if isinstance(o, TracedArray)}
        if op.kind in ("read", "scalar", "item", "guard") or roots & live or (
                op.kind == "declare"):
            kept.append(op)
            live.update(id(a._root) for a in arrays_in(op.args) if a._kind != "untracked")
            live.update(id(a._root) for a in arrays_in(list(op.kwargs.values())))
    kept.reverse()
    used = {id(a) for op in kept if op.kind != "declare"
            for a in arrays_in([*op.args, *op.outs])}
    return [op for op in kept if op.kind != "declare" or id(op.outs[0]) in used]


def _writes_before_guards(kept, live_roots) -> tuple[bool, list]:
    """(whether a data guard follows a write of the update, the state roots written before
    a data guard). A guard that misses runs the call eagerly from the state the replay found:
    writes of the forward (running statistics) are undone from a copy (Tape.snapshots), while
    a guard after the update is refused, as copying every parameter each call would be."""
    persistent = set(live_roots)
    written, before_guard = {}, {}
    updated = False
    for op in kept:
        if op.kind == "guard" and not op.static and written:
            if updated:
                return True, []
            before_guard.update(written)
        if op.kind not in ("declare", "view"):
            for o in op.outs:
                if isinstance(o, TracedArray) and o._root._kind == "persistent" and (
                        id(o._root) in persistent):
                    written[id(o._root)] = o._root
                    updated = updated or op.phase == "update"
    return False, list(before_guard.values())


def _cast(out, src):
    numpy.copyto(out, src, casting="unsafe")  # the same cast loop as src.astype(out.dtype)


def _method_into(name, kw, out):
    def run(src, *args):
        numpy.copyto(out, getattr(src, name)(*args, **kw))
    return _named(run, f"{name}_into")


def _getitem_into(index):
    def run(out, src):
        numpy.copyto(out, src[index])
    return _named(run, "getitem_into")


def _call_into(fn, kw, outs, computed):
    if len(outs) == 1:
        out = outs[0]

        def run(*args):
            numpy.copyto(out, fn(*args, **kw))
        return _named(run, f"{getattr(fn, '__name__', 'call')}_into")

    def run_many(*args):
        result = fn(*args, **kw)
        for i in computed:
            numpy.copyto(outs[i], result[i])
    return _named(run_many, f"{getattr(fn, '__name__', 'call')}_into")


def _address(a) -> int:
    return a.__array_interface__["data"][0]


def _named(fn, name: str):
    """``fn`` under the name Replay.source calls it by."""
    fn.__name__ = name
    return fn
