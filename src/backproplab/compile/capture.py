"""One trace of a step: put traced values in place of the real ones, run the step, put them back.

Before the step runs, every array it may read or write — the inputs, each parameter's
``.array`` and ``.grad``, the optimizer state — is replaced by a traced view of the same
memory, and each optimizer hyper-parameter and step count by a traced number. Afterwards
the real objects are put back and the trace becomes a :class:`Tape`, together with what a
replay must check first (identity guards) and do last (the epilogue: ``.grad``, step counts,
version counters).
"""

import numbers

import numpy

from backproplab.autograd import function as _function
from backproplab.compile import recorder
from backproplab.compile.flat import flatten_parameters, flatten_state
from backproplab.compile.recorder import CompileError, Recorder
from backproplab.compile.tape import Tape
from backproplab.compile.traced import TracedArray, TracedScalar, arrays_in
from backproplab.optim.optimizer import Optimizer
from backproplab.tensor import Tensor


class Capture:
    """Runs ``fn`` once on traced values; ``tape``, ``checks`` and ``result`` come out."""

    def __init__(self, modules, optimizers, names):
        self.rec = Recorder()
        self.modules = modules
        self.optimizers = list(optimizers)
        self.names = names  # id(parameter) -> dotted name, for the printed tape
        self.tensors = {}  # id(tensor) -> (tensor, original data, traced data, version)
        self.restore = []  # (container, key, original value) for dicts
        self.checks = []  # zero-argument callables, all true while the tape is valid
        self.state_sizes = []
        self.inputs = []
        self.start_grads = {}  # id(tensor) -> its .grad when the step began
        self.grad_owner = {}  # id(.grad tensor) -> the tensor it is the gradient of
        self.warmup = False  # the step created optimizer state: not a step to repeat
        self.error = None  # why this trace cannot be replayed (it ran eagerly all the same)
        self.returned = set()  # ids of the buffers the step's return value is copied from
        self.tape = None

    def run(self, fn, args):
        rec = self.rec
        with rec:
            Optimizer._step_observers.append(self._observe)
            tick = _function._InplaceClock.tick
            try:
                for opt in self.optimizers:  # one update call per line (see flat.py)
                    flatten_parameters(opt)
                    flatten_state(opt)
                call_args = self._swap_inputs(args)
                for m in self.modules:
                    for name, t in [*m._parameters.items(), *m._buffers.items()]:
                        if t is not None:
                            self._swap_tensor(t, self.names.get(id(t), name))
                for opt in self.optimizers:
                    self._prepare(opt)
                result = fn(*call_args)
            finally:
                Optimizer._step_observers.remove(self._observe)
                self.tick = _function._InplaceClock.tick - tick
                epilogue, live = self._put_back()
            self.result, template = self._output(result, live)
        self.template = template
        self.error = rec.failure or self.error
        if self.error is None:
            try:
                self.tape = Tape(rec.ops, rec.arrays, len(rec.scalars), live, self.inputs,
                                 epilogue, self.returned)
            except CompileError as e:
                self.error = str(e)
        if self.error is None and self.tape.data_guard_after_update:
            self.error = (
                "bp.compile: the step takes a Python branch on computed data after it has "
                "changed parameters or optimizer state, so a replay could not fall back to "
                "eager mode safely; move the check before the update")
        return self

    # ----- swapping in ----------------------------------------------------------------------
    def _swap_inputs(self, args):
        call_args = []
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                t = self.rec.wrap(numpy.array(a.array), "input", label=f"argument {i}")
                self.tensors[id(a)] = (a, a.array, t, a._version)
                self.start_grads[id(a)] = a.grad
                a.array = t
                self.inputs.append((i, t))
                call_args.append(a)
            elif isinstance(a, numpy.ndarray):
                t = self.rec.wrap(numpy.array(a), "input", label=f"argument {i}")
                self.inputs.append((i, t))
                call_args.append(t)
            else:
                call_args.append(a)
        return call_args

    def _swap_tensor(self, t: Tensor, label: str) -> None:
        if id(t) in self.tensors or isinstance(t.array, TracedArray):
            return
        traced = self.rec.wrap(t.array, "persistent", label=label)
        self.tensors[id(t)] = (t, t.array, traced, t._version)
        self.start_grads[id(t)] = t.grad
        self.checks.append(("grad_none", t, t.grad is None))  # a trace with .grad differs
        self.checks.append(("attr_is", t, "requires_grad", t.requires_grad))  # (un)frozen
        t.array = traced
        if t.grad is not None and not isinstance(t.grad.array, TracedArray):
            g = t.grad
            self.tensors[id(g)] = (g, g.array, self.rec.wrap(g.array, "persistent",
                                                            label=f"{label}.grad"), g._version)
            g.array = self.tensors[id(g)][2]
            self.grad_owner[id(g)] = t

    def _observe(self, opt) -> None:
        """Optimizer.step was called: an optimizer found only now is prepared on the spot
        (when it steps in the thread being traced)."""
        if recorder.current() is not self.rec:
            return
        self.rec.phase = "update"
        if opt not in self.optimizers:
            self.optimizers.append(opt)
            self._prepare(opt)

    def _prepare(self, opt) -> None:
        if getattr(opt, "_compile_prepared", None) is self:
            return
        opt._compile_prepared = self
        state, groups = opt.state, opt.param_groups
        self.checks += [("attr_is", opt, "state", state), ("len", state, len(state)),
                        ("attr_is", opt, "param_groups", groups), ("len", groups, len(groups))]
        size = len(state)
        self.state_sizes.append((state, size, {id(p): set(s) for p, s in state.items()}))
        for gi, group in enumerate(groups):
            params = group["params"]
            self.checks += [("key_is", group, "params", params), ("len", params, len(params))]
            for key, value in list(group.items()):
                if key != "params":
                    self._hyper(group, key, value, f"group {gi} {key}")
            for p in params:
                self._swap_tensor(p, self.names.get(id(p), f"parameter {len(self.tensors)}"))
        for p, s in state.items():
            label = self.names.get(id(p), "parameter")
            for key, value in list(s.items()):
                if isinstance(value, numpy.ndarray):
                    traced = self.rec.wrap(value, "persistent", label=f"{label} {key}")
                    self.restore.append((s, key, value, traced))
                    self.checks.append(("key_is", s, key, value))
                    s[key] = traced
                else:
                    self._hyper(s, key, value, f"{label} {key}")

    def _hyper(self, d: dict, key, value, label: str) -> None:
        """A number becomes a traced input; anything else must stay equal (a check)."""
        if _is_number(value):
            d[key] = self.rec.scalar_input(value, Reader(d, key), label)
            self.restore.append((d, key, value, d[key]))
        elif type(value) is tuple and value and all(_is_number(v) for v in value):
            d[key] = tuple(self.rec.scalar_input(v, Reader(d, key, j), f"{label}[{j}]")
                           for j, v in enumerate(value))
            self.restore.append((d, key, value, d[key]))
        else:
            self.checks.append(("key_eq", d, key, value))

    # ----- putting back ---------------------------------------------------------------------
    def _put_back(self):
        """Real values back in place; returns the replay's epilogue and the live buffers."""
        epilogue, live = [], set()
        used = {id(a._root) for op in self.rec.ops if op.kind != "declare"
                for a in arrays_in(op.args + op.outs)}
        for t, original, traced, version in list(self.tensors.values()):
            final = t.array
            t.array = original
            if traced._kind == "persistent":
                live.add(id(traced))
                if id(traced) in used:
                    self.checks.append(("attr_is", t, "array", original))
                    if id(t) in self.grad_owner:  # a gradient the step reads
                        self.checks.append(("attr_is", self.grad_owner[id(t)], "grad", t))
            if final is not traced:
                self._reassigned(t, original, final, epilogue, live)
            if traced._kind == "input" and any(
                    id(o._root) == id(traced) for op in self.rec.ops for o in op.outs
                    if isinstance(o, TracedArray) and op.kind not in ("declare", "view")):
                self.error = "bp.compile: the step changes one of its arguments in place"
            bumped = t._version - version
            if bumped:
                epilogue.append(("bump", t, bumped))
        for d, key, value, traced in self.restore:
            now = d[key]
            d[key] = value
            if now is not traced:
                self._write_back(d, key, now, epilogue, live)
        for state, _, _ in self.state_sizes:
            for s in state.values():
                for key, value in list(s.items()):
                    if isinstance(value, (TracedArray, TracedScalar)):
                        self._write_back(s, key, value, epilogue, live)
        for state, size, keys in self.state_sizes:
            if len(state) != size or any(set(s) != keys.get(id(p)) for p, s in state.items()):
                self.warmup = True
        self._grads(epilogue, live)
        if self.tick:
            epilogue.append(("tick", self.tick))
        return epilogue, live

    def _reassigned(self, t, original, final, epilogue, live) -> None:
        """``t.array = new array`` inside the step: a replay copies the new values over."""
        if not isinstance(final, TracedArray):
            t.array = final  # as the eager step left it
            self.error = (f"bp.compile: the step assigns an array it did not compute to .array "
                          f"of a tensor of shape {tuple(original.shape)}")
            return
        numpy.copyto(original, final._buf)
        live.add(id(final._root))
        epilogue.append(("copy", original, final._buf))

    def _write_back(self, d, key, value, epilogue, live) -> None:
        if isinstance(value, TracedScalar):
            d[key] = value.value
            epilogue.append(("store", d, key, value.id))
        elif isinstance(value, TracedArray):
            d[key] = value._buf
            live.add(id(value._root))
        elif type(value) is tuple and any(isinstance(v, TracedScalar) for v in value):
            d[key] = tuple(v.value if isinstance(v, TracedScalar) else v for v in value)
            epilogue.append(("store", d, key, tuple(
                ("cell", v.id) if isinstance(v, TracedScalar) else ("value", v)
                for v in value)))

    def _grads(self, epilogue, live) -> None:
        for t, _, traced, _ in list(self.tensors.values()):
            if traced._kind != "persistent" and traced._kind != "input":
                continue
            g, start = t.grad, self.start_grads.get(id(t))
            if g is None:
                if start is not None:
                    epilogue.append(("grad", t, None))
            elif isinstance(g.array, TracedArray):
                live.add(id(g.array._root))
                g.array = g.array._buf if g.array._kind != "persistent" else self.tensors[
                    id(g)][1]
                epilogue.append(("grad", t, g))

    def _output(self, result, live):
        """The value the trace call returns, and how a replay makes it (see Replay._output):
        ("tensor" | "array", buffer) for a detached copy of a buffer, ("cell", i) for a number,
        ("seq", type, parts), ("dict", [(key, part)]) or ("value", constant)."""
        if isinstance(result, Tensor) and isinstance(result.array, TracedArray):
            buf = result.array._buf
            live.add(id(result.array._root))
            self.returned.add(id(buf))
            return Tensor._make(buf.copy(), False, None), ("tensor", buf)
        if isinstance(result, TracedArray):
            buf = result._buf
            live.add(id(result._root))
            self.returned.add(id(buf))
            return buf.copy(), ("array", buf)
        if isinstance(result, TracedScalar):
            return result.value, ("cell", result.id)
        if type(result) is tuple or type(result) is list:
            parts = [self._output(r, live) for r in result]
            return type(result)(p[0] for p in parts), ("seq", type(result), [p[1] for p in parts])
        if type(result) is dict:
            parts = {k: self._output(v, live) for k, v in result.items()}
            return ({k: p[0] for k, p in parts.items()},
                    ("dict", [(k, p[1]) for k, p in parts.items()]))
        if not (isinstance(result, Tensor) or result is None or _is_number(result) or (
                isinstance(result, (str, bool)))):
            self.error = (f"bp.compile: a compiled step may return tensors, numbers and tuples "
                          f"or dicts of them, not {type(result).__name__}")
        return result, ("value", result)


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, numpy.bool_))


class Reader:
    """Reads ``d[key]`` (or ``d[key][index]``) at replay: where a traced number comes from."""

    __slots__ = ("d", "index", "key")

    def __init__(self, d: dict, key, index=None):
        self.d, self.key, self.index = d, key, index

    def __call__(self):
        value = self.d[self.key]
        return value if self.index is None else value[self.index]
