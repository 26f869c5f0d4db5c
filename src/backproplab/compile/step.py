"""``bp.compile``: trace a training step once, then replay its tape.

The contract, as for ``jax.jit`` and tinygrad's ``TinyJit``:

* ``step = bp.compile(fn)`` where ``fn(*args)`` is an ordinary step (zero_grad, forward, loss,
  backward, optimizer.step, return the loss). Arguments are tensors or arrays (their shapes,
  dtypes and ``requires_grad`` pick the trace) and other values (compared by equality).
* A call with a new *signature* — argument shapes/dtypes, grad mode, the modules' train/eval
  flags — runs eagerly while it is recorded. A second recording with the same signature must
  give the same program (checked: a step whose Python code reads a value that changes between
  calls, such as a NumPy random mask or a counter, raises :class:`CompileError` instead of
  replaying a frozen value). From the third call on the tape is replayed.
* Python control flow is frozen at trace time. Branches on optimizer hyper-parameters
  (``if weight_decay != 0``) and on computed data (``if loss.isnan()``) are guarded: a changed
  hyper-parameter traces again, a data branch that goes the other way runs that call eagerly.
* Optimizer hyper-parameters (``lr``, ``momentum``, ``betas``, ``weight_decay`` …) and step
  counts are read at every replay; other Python numbers in the step are constants.
* A replay gives bit for bit the numbers eager mode gives: parameters, optimizer state, the
  return value and every parameter's ``.grad``. The returned tensors are detached copies; the
  ``.grad`` tensors are the tape's buffers, overwritten by the next call (copy one to keep it).
  Tensor hooks and anomaly mode are not replayed: under ``detect_anomaly`` every call is eager.
* The first trace moves the optimizer's parameters, and its state arrays, into one buffer per
  dtype (see :mod:`backproplab.compile.flat`): the tensors stay the same objects and
  ``p.array`` is a view of that buffer, so everything reading ``p.array`` sees the live
  values; an ndarray taken from ``p.array`` *before* the first call no longer aliases it.

Modules and optimizers are found in the function's closure, globals and bound ``self`` (or
given with ``modules=`` / ``optimizers=``); an optimizer found only when it steps is taken
in then.
"""

import functools
import itertools

from backproplab.autograd import anomaly
from backproplab.autograd.grad_mode import _state as _grad_state
from backproplab.compile.capture import Capture
from backproplab.compile.codegen import MISS, Replay
from backproplab.compile.discovery import reachable
from backproplab.compile.recorder import CompileError, _routing, tracing
from backproplab.compile.recorder import _local as _thread
from backproplab.compile.tape import DataGuardMiss, GuardMiss, structure
from backproplab.compile.tape_text import line_of
from backproplab.tensor import Tensor


class _Variant:
    """One recorded program for a signature, with the checks that say it still applies."""

    __slots__ = ("checks", "ops", "replay", "source", "tape", "template", "verified")

    def __init__(self, capture: Capture):
        self.tape = capture.tape
        self.checks = capture.checks
        self.template = capture.template
        self.ops = capture.rec.ops
        self.verified = False
        self.replay = None

    def verify(self, signature, modules) -> None:
        """Trusted from now on: generate the replay function."""
        self.verified = True
        generated = Replay(self.tape, signature, modules, self.checks, self.template)
        self.replay, self.source = generated.replay, generated.source

    def matches(self) -> bool:
        for check in self.checks:
            if not _holds(check):
                return False
        try:
            self.tape.prepare()
        except GuardMiss:
            return False
        return True


class CompiledStep:
    """A step function with a cache of tapes, one per signature (see the module docstring)."""

    def __init__(self, fn, max_cache: int = 8, modules=(), optimizers=(), strict: bool = True):
        if not callable(fn):
            raise TypeError(f"bp.compile: expected a function, got {type(fn).__name__}")
        if max_cache < 1:
            raise ValueError(f"bp.compile: max_cache must be at least 1, got {max_cache}")
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.max_cache = max_cache
        self.strict = strict
        self.eager_reason = None  # set when a non-strict step gave up compiling
        found_modules, found_optimizers = reachable(fn)
        roots = list(modules) + [m for m in found_modules if m not in modules]
        self.modules = _unique(itertools.chain.from_iterable(m.modules() for m in roots))
        self.optimizers = _unique([*optimizers, *found_optimizers])
        self.names = {id(p): name for m in roots for name, p in m.named_parameters()}
        self._cache = {}  # signature -> list of _Variant, oldest first (least recently used)
        self._last = None
        self._traces = self._replays = self._eager = 0

    def __call__(self, *args):
        last = self._last
        if last is not None and not anomaly.state.enabled and (
                not _routing["depth"] or _thread.recorder is None):  # no trace (in this thread)
            try:  # the common case, the last call's signature, without another frame
                result = last.replay(args)
            except DataGuardMiss:
                last.tape.restore()
                self._eager += 1
                return self.fn(*args)
            if result is not MISS:
                self._replays += 1
                return result
        elif anomaly.state.enabled or self.eager_reason is not None or tracing():
            self._eager += 1  # inside another trace, this step becomes part of it
            return self.fn(*args)
        key = self._signature(args)
        variants = self._cache.get(key)
        if variants is not None:
            for v in variants:
                if v.verified and v.matches():
                    result = self._replay(v, args)
                    if result is not MISS:
                        self._last = v
                        return result
        return self._trace(key, variants, args)

    def _replay(self, variant, args):
        try:
            result = variant.replay(args)
        except DataGuardMiss:
            variant.tape.restore()
            self._eager += 1
            return self.fn(*args)
        if result is not MISS:
            self._replays += 1
        return result

    @property
    def stats(self) -> dict:
        """How many calls were traced, replayed and run eagerly (a snapshot)."""
        return {"traces": self._traces, "replays": self._replays, "eager": self._eager}

    @property
    def tape(self):
        """The tape of the last replayed or verified call (print it to read the program)."""
        if self._last is None:
            raise RuntimeError("bp.compile: no tape yet; a step is replayed from its third "
                               "call with the same signature")
        return self._last.tape

    def _signature(self, args):
        parts = []
        for a in args:
            if isinstance(a, Tensor):
                d = a.array
                parts.append((d.shape, d.dtype, a.requires_grad))
            elif hasattr(a, "shape") and hasattr(a, "dtype"):
                parts.append(("array", a.shape, a.dtype))
            else:
                parts.append(("value", a))
        return (tuple(parts), _grad_state.enabled, tuple(m.training for m in self.modules))

    def _trace(self, key, variants, args):
        candidate = None
        if variants is not None:
            candidate = next((v for v in variants if not v.verified and v.matches()), None)
        capture = Capture(self.modules, self.optimizers, self.names).run(self.fn, args)
        self._traces += 1
        for opt in capture.optimizers:
            if opt not in self.optimizers:
                self.optimizers.append(opt)
        error = capture.error
        if error is None and candidate is not None:
            error = _difference(candidate.ops, capture.rec.ops)
        if error is not None:
            if self.strict:
                raise CompileError(error)
            self.eager_reason = error  # this call ran eagerly; so will the later ones
            self._cache.clear()
            self._last = None
            return capture.result
        if capture.warmup:
            return capture.result
        new = _Variant(capture)
        if candidate is not None:
            new.verify(key, self.modules)
            variants[variants.index(candidate)] = new
            self._last = new
            return capture.result
        self._cache.setdefault(key, []).append(new)
        self._evict()
        return capture.result

    def _evict(self) -> None:
        total = sum(len(v) for v in self._cache.values())
        while total > self.max_cache:
            oldest = next(iter(self._cache))
            self._cache[oldest].pop(0)
            if not self._cache[oldest]:
                del self._cache[oldest]
            total -= 1

    def __repr__(self) -> str:
        return (f"<compiled {getattr(self.fn, '__name__', 'step')}: {self.stats['traces']} "
                f"traces, {self.stats['replays']} replays, {self.stats['eager']} eager>")


def compile(fn=None, *, max_cache: int = 8, modules=(), optimizers=(), strict: bool = True):
    """Capture ``fn`` (a training step) once per signature and replay it; see
    :mod:`backproplab.compile.step` for the contract. Usable as ``@bp.compile``.

    With ``strict=False`` a step that cannot be captured runs eagerly instead of raising
    :class:`CompileError` (``step.eager_reason`` says why); the numbers are the same.
    A strict step raises after the call that found the problem, which ran eagerly.
    """
    if fn is None:
        return functools.partial(compile, max_cache=max_cache, modules=modules,
                                 optimizers=optimizers, strict=strict)
    return CompiledStep(fn, max_cache, modules, optimizers, strict)


def _difference(first, second):
    """Two traces with one signature must record one program, else replay would be wrong:
    the message describing the first difference, or None."""
    a, b = structure(first), structure(second)
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return (
                f"bp.compile: the step recorded a different program on its second trace with "
                f"the same input shapes (operation {i}: {_describe(first[i])} the first time, "
                f"{_describe(second[i])} the second). Its Python code reads something that "
                "changes between calls — a NumPy random draw, a counter, a value outside the "
                "optimizer's hyper-parameters — which a replay would freeze. Pass such values "
                "as arguments (tensors), or call the step without bp.compile")
    if len(a) != len(b):
        return (
            f"bp.compile: the step recorded {len(a)} operations the first time and {len(b)} "
            "the second with the same input shapes: its Python control flow depends on "
            "something that changes between calls; call it without bp.compile")
    return None


def _holds(check) -> bool:
    """One of a tape's checks (see Capture): is what the trace saw still there?"""
    kind, obj = check[0], check[1]
    if kind == "attr_is":
        return getattr(obj, check[2]) is check[3]
    if kind == "len":
        return len(obj) == check[2]
    if kind == "grad_none":
        return (obj.grad is None) is check[2]
    if kind == "key_is":
        return obj.get(check[2]) is check[3]
    return obj.get(check[2]) == check[3]


def _describe(op) -> str:
    return "'" + line_of(op).strip() + "'"


def _unique(items) -> list:
    seen, out = set(), []
    for x in items:
        if id(x) not in seen:
            seen.add(id(x))
            out.append(x)
    return out
