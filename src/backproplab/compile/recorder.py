"""The recorder: runs one step eagerly on traced values and writes down every array operation.

While a trace is active, ``backend.xp`` routes the tracing thread to :class:`RecordingNumpy`,
so the op rules' own array calls (``xp.zeros``, ``xp.asarray``, ``xp.ndarray`` checks) meet
traced arrays; other threads (the lab trains several sessions at once) keep the plain module.
Everything else reaches the recorder through :mod:`backproplab.compile.traced`. Each call is
computed for real (the trace *is* an eager step) and appended as an :class:`Op` whose
arguments are the traced values themselves; :mod:`backproplab.compile.tape` turns the list
into a replayable program.
"""

import operator
import threading

import numpy

from backproplab import backend
from backproplab.compile.recording_numpy import RecordingNumpy
from backproplab.compile.traced import TracedArray, TracedScalar, scalar_power


class _Thread(threading.local):
    recorder = None  # the Recorder of the trace this thread runs, if any


_local = _Thread()
_routing_lock = threading.Lock()
_routing = {"depth": 0, "plain": None}  # traces running in any thread; the module they replaced

_CREATE_LIKE = {numpy.zeros_like: 0, numpy.ones_like: 1, numpy.empty_like: None}
# questions about memory layout, not values: the same views of the same buffers each call
_LAYOUT = {numpy.may_share_memory, numpy.shares_memory}


class CompileError(RuntimeError):
    """The step cannot be captured (or changed between traces); the message says why."""


def tracing() -> bool:
    """True while this thread records a step."""
    return getattr(_local, "recorder", None) is not None


def current():
    """The recorder of this thread's trace, or None."""
    return getattr(_local, "recorder", None)


class _ThreadRouting:
    """``backend.xp`` while any thread traces: the tracing thread's RecordingNumpy, else the
    module that was there before."""

    def __init__(self, plain):
        self._plain = plain

    @property
    def is_numpy(self) -> bool:
        """Not an accelerator (see backend.accelerated) unless the module it stands in for is."""
        return current() is not None or self._plain is numpy or getattr(
            self._plain, "is_numpy", False)

    def __getattr__(self, name):
        rec = getattr(_local, "recorder", None)
        return getattr(self._plain if rec is None else rec.xp, name)


def active() -> "Recorder":
    rec = getattr(_local, "recorder", None)
    if rec is None:
        raise CompileError("a traced array was used outside the bp.compile trace that made it; "
                           "do not keep arrays from inside a compiled step")
    return rec


class Op:
    """One recorded operation: ``kind`` says how it replays (see tape.py)."""

    __slots__ = ("args", "err", "expected", "fn", "kind", "kwargs", "name", "outs", "phase",
                 "static")

    def __init__(self, kind, name, fn, args, kwargs=None, outs=(), expected=None, static=False,
                 phase="forward"):
        self.kind = kind
        self.name = name
        self.fn = fn
        self.args = list(args)
        self.kwargs = kwargs or {}
        self.outs = list(outs)
        self.expected = expected
        self.static = static
        self.phase = phase  # 'forward', 'backward' or 'update', for reading the tape
        self.err = None  # numpy.errstate the op ran under, when not the trace's own

    def with_args(self, args) -> "Op":
        """A copy with other arguments (the optimisation passes never change a recorded op)."""
        op = Op(self.kind, self.name, self.fn, args, self.kwargs, self.outs, self.expected,
                self.static, self.phase)
        op.err = self.err
        return op


class _OpList(list):
    """The recorded ops; each is stamped with the phase of the step it belongs to."""

    def __init__(self, recorder):
        super().__init__()
        self._rec = recorder

    def append(self, op) -> None:
        op.phase = self._rec.phase
        err = numpy.geterr()
        if err != self._rec.err:  # under ``with numpy.errstate(...)`` in an op rule
            op.err = err
        super().append(op)


class Recorder:
    """The state of one trace: the op list and every traced value made so far."""

    def __init__(self):
        self.ops = _OpList(self)
        self.err = numpy.geterr()
        self.arrays = []  # every TracedArray, by id (keeps them alive)
        self.scalars = []  # every TracedScalar, by id
        self.failure = None  # why this trace cannot be replayed (the step still runs eagerly)
        self.phase = "forward"  # the engine's seed starts 'backward', optimizer.step 'update'

    def fail(self, message: str) -> None:
        """Note that the trace cannot become a tape, but let the eager step finish: raising
        here would leave the step half done (parameters updated, state not)."""
        if self.failure is None:
            self.failure = message

    # ----- activation -------------------------------------------------------------------
    def __enter__(self):
        if getattr(_local, "recorder", None) is not None:
            raise CompileError("bp.compile: a compiled step was called while another is being "
                               "traced; compile the outer step only")
        _local.recorder = self
        self.xp = RecordingNumpy(self)
        with _routing_lock:
            if _routing["depth"] == 0:
                _routing["plain"] = backend.xp
                backend.set_array_module(_ThreadRouting(backend.xp))
            _routing["depth"] += 1
        return self

    def __exit__(self, *exc):
        _local.recorder = None
        with _routing_lock:
            _routing["depth"] -= 1
            if _routing["depth"] == 0:
                backend.set_array_module(_routing["plain"])

    # ----- making traced values ---------------------------------------------------------
    def wrap(self, plain, kind, root=None, base=None, label=None, scalar=False) -> TracedArray:
        plain = numpy.asarray(plain)
        t = plain.view(TracedArray)
        t._scalar = scalar
        t._buf = plain
        t._id = len(self.arrays)
        t._root = t if root is None else root
        t._kind = kind
        t._base = base
        self.arrays.append(t)
        if label is not None:
            self.ops.append(Op("declare", kind, None, [label], outs=[t]))
        return t

    def scalar(self, value, static: bool) -> TracedScalar:
        s = TracedScalar(value, len(self.scalars), static)
        self.scalars.append(s)
        return s

    def scalar_input(self, value, reader, label: str) -> TracedScalar:
        """A hyper-parameter or state number, read again by ``reader()`` at every replay."""
        s = self.scalar(value, True)
        self.ops.append(Op("read", label, reader, [], outs=[s], static=True))
        return s

    # ----- arrays -----------------------------------------------------------------------
    def ufunc(self, ufunc, method, inputs, kwargs):
        out = kwargs.pop("out", None)
        raw_out = None if out is None else tuple(self._target(o) for o in out)
        raw = [self.unwrap(i) for i in inputs]
        if raw_out is not None:
            kwargs_raw = {**self.unwrap(kwargs), "out": raw_out}
        else:
            kwargs_raw = self.unwrap(kwargs)
        result = getattr(ufunc, method)(*raw, **kwargs_raw)
        fn = ufunc if method == "__call__" else getattr(ufunc, method)
        name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        if method == "at":
            self.ops.append(Op("inplace", name, fn, inputs, kwargs, outs=[inputs[0]]))
            return None
        if out is not None:
            self.ops.append(Op("ufunc", name, fn, inputs, kwargs, outs=list(out)))
            return out[0] if len(out) == 1 else out
        results = result if isinstance(result, tuple) else (result,)
        wrapped = [self.wrap(r, "result", scalar=isinstance(r, numpy.generic)) for r in results]
        self.ops.append(Op("ufunc", name, fn, inputs, kwargs, outs=wrapped))
        return wrapped[0] if len(wrapped) == 1 else tuple(wrapped)

    def function(self, func, args, kwargs):
        name = getattr(func, "__name__", repr(func))
        if func in _CREATE_LIKE:
            like = args[0]
            if func is numpy.ones_like and like.ndim == 0 and self.phase == "forward":
                self.phase = "backward"  # loss.backward() seeds the walk with ones_like(loss)
            result = self.wrap(func(self.unwrap(like), *self.unwrap(args[1:]),
                                    **self.unwrap(kwargs)), "result")
            if _CREATE_LIKE[func] is not None:
                self.ops.append(Op("fill", name, None, [_CREATE_LIKE[func]], outs=[result]))
            return result
        if func is numpy.full_like:
            result = self.wrap(numpy.empty_like(self.unwrap(args[0])), "result")
            self.setitem(result, Ellipsis, args[1] if len(args) > 1 else kwargs["fill_value"])
            return result
        if func is numpy.copyto:
            func(*self.unwrap(args), **self.unwrap(kwargs))
            self.ops.append(Op("inplace", name, func, args, kwargs, outs=[args[0]]))
            return None
        result = func(*self.unwrap(args), **self.unwrap(kwargs))
        if func in _LAYOUT:
            return result  # fixed for this signature, as shapes are: not a branch on data
        sources = [a for a in _flatten(args) if isinstance(a, TracedArray)]
        if isinstance(result, (tuple, list)) and result and all(
                isinstance(r, numpy.ndarray) for r in result):
            outs = [self._result_or_view(r, sources, name) for r in result]
            computed = [o for o in outs if o._kind == "result"]
            if computed:
                self.ops.append(Op("call", name, func, args, kwargs, outs=outs))
            return type(result)(outs)
        if isinstance(result, numpy.ndarray):
            out = self._result_or_view(result, sources, name)
            if out._kind == "result":
                self.ops.append(Op("call", name, func, args, kwargs, outs=[out]))
            return out
        if isinstance(result, (bool, numpy.generic)):
            out = self.wrap(result, "result", scalar=True)
            self.ops.append(Op("call", name, func, args, kwargs, outs=[out]))
            return out
        return result  # shape information (np.shape, np.ndim): fixed for this signature

    def method(self, arr, name, args, kwargs=None):
        kwargs = kwargs or {}
        src = self.unwrap(arr)
        result = getattr(src, name)(*self.unwrap(args), **self.unwrap(kwargs))
        if result is src:
            return arr
        if numpy.may_share_memory(result, src):
            out = self.wrap(result, "view", root=arr._root, base=arr)
            self.ops.append(Op("view", name, None, [arr, *args], kwargs, outs=[out]))
            return out
        out = self.wrap(result, "result", scalar=arr._scalar and out_is_0d(result))
        self.ops.append(Op("method", name, None, [arr, *args], kwargs, outs=[out]))
        return out

    def getitem(self, arr, index):
        src = self.unwrap(arr)
        result = src[self.unwrap(index)]
        if isinstance(result, numpy.ndarray) and numpy.may_share_memory(result, src):
            out = self.wrap(result, "view", root=arr._root, base=arr)
            self.ops.append(Op("view", "getitem", None, [arr, index], outs=[out]))
            return out
        out = self.wrap(result, "result", scalar=isinstance(result, numpy.generic))
        self.ops.append(Op("getitem", "getitem", None, [arr, index], outs=[out]))
        return out

    def setitem(self, arr, index, value):
        self.unwrap(arr)[self.unwrap(index)] = self.unwrap(value)
        self.ops.append(Op("setitem", "setitem", operator.setitem, [arr, index, value],
                           outs=[arr]))

    def item(self, arr, args):
        s = self.scalar(self.unwrap(arr).item(*args), False)
        self.ops.append(Op("item", "item", None, [arr, *args], outs=[s]))
        return s

    def scalar_power(self, a, b) -> TracedArray:
        """``a ** b`` where eager mode held the traced operand as a NumPy scalar (traced.py)."""
        out = self.wrap(scalar_power(self.unwrap(a), self.unwrap(b)), "result", scalar=True)
        self.ops.append(Op("call", "scalar power", scalar_power, [a, b], outs=[out]))
        return out

    def truth(self, arr) -> bool:
        value = bool(self.unwrap(arr))
        self.ops.append(Op("guard", "bool", operator.truth, [arr], expected=value))
        return value

    def concrete(self, arr, why: str):
        self.fail(f"bp.compile: the step calls {why}() on an array it computed (shape "
                  f"{arr.shape}); a compiled step cannot turn data into Python objects. "
                  "Return the tensor instead and convert it outside the step")
        return arr._buf

    # ----- scalars ----------------------------------------------------------------------
    def scalar_op(self, op, args):
        value = op(*[a.value if isinstance(a, TracedScalar) else a for a in args])
        static = all(a.static for a in args if isinstance(a, TracedScalar))
        s = self.scalar(value, static)
        self.ops.append(Op("scalar", op.__name__, op, args, outs=[s], static=static))
        return s

    def scalar_guard(self, op, args):
        value = op(*[a.value if isinstance(a, TracedScalar) else a for a in args])
        static = all(a.static for a in args if isinstance(a, TracedScalar))
        self.ops.append(Op("guard", op.__name__, op, args, expected=value, static=static))
        return value

    def freeze(self, s: TracedScalar):
        """``float(s)``: the value becomes a constant, guarded to stay equal."""
        self.scalar_guard(operator.eq, (s, s.value))
        return s.value

    # ----- helpers ----------------------------------------------------------------------
    def unwrap(self, x):
        if isinstance(x, TracedArray):
            if x._kind == "untracked":
                self.fail(f"bp.compile: an array of shape {x.shape} was made by a NumPy "
                          "method the recorder does not know, so its value would be frozen; "
                          "use the numpy function instead (numpy.<name>(array))")
                return x.view(numpy.ndarray)
            return x._buf
        if isinstance(x, TracedScalar):
            return x.value
        if type(x) is tuple or type(x) is list:
            return type(x)(self.unwrap(i) for i in x)
        if type(x) is dict:
            return {k: self.unwrap(v) for k, v in x.items()}
        return x

    def _target(self, out):
        if isinstance(out, TracedArray):
            return self.unwrap(out)
        self.fail(f"bp.compile: the step writes into an array of shape {numpy.shape(out)} "
                  "that is not a parameter, gradient, optimizer state or value of the step, "
                  "so a replay could not repeat the write; keep such state in a parameter or "
                  "buffer")
        return out

    def _result_or_view(self, result, sources, name):
        for s in sources:
            if numpy.may_share_memory(result, s._buf):
                out = self.wrap(result, "view", root=s._root, base=s)
                self.ops.append(Op("view", name, None, [s], outs=[out]))
                return out
        return self.wrap(result, "result")


def out_is_0d(result) -> bool:
    return isinstance(result, (numpy.ndarray, numpy.generic)) and numpy.ndim(result) == 0


def _flatten(args):
    for a in args:
        if type(a) is tuple or type(a) is list:
            yield from _flatten(a)
        else:
            yield a
