"""The replay as one generated Python function: checks, then the NumPy calls, straight-line.

A loop over ``(function, arguments)`` pairs costs a tuple unpack and an argument-list
expansion per operation, and the checks that say a tape still applies (argument shapes,
parameter identities, hyper-parameters) cost a call each as closures. Written out as source
with every buffer bound to a name, a replay is what a person would type by hand:
``matmul(b3, b7, b9)`` line after line. ``Replay.source`` shows that text.
"""

import functools

import numpy

from backproplab.autograd import function as _function
from backproplab.autograd.grad_mode import _state as _grad_state
from backproplab.tensor import Tensor

MISS = object()  # returned by a replay whose checks fail: nothing was changed
_LOCALS = {"args", "t", "r", "replay"}  # names the generated function uses for itself


class Replay:
    """Generates and holds ``replay(args)`` for one tape; ``source`` is its text."""

    def __init__(self, tape, signature, modules, checks, template):
        self._names = {}
        self._ns = {"MISS": MISS, "copyto": numpy.copyto, "errstate": numpy.errstate,
                    "grad_state": _grad_state,
                    "clock": _function._InplaceClock, "tape": tape, "cells": tape.cells,
                    "make": Tensor._make}
        lines = ["def replay(args):"]
        lines += self._signature(signature, modules)
        lines += self._checks(checks)
        lines += self._reads(tape)
        for state, copy in tape.snapshots:  # undone from these if a data guard misses
            lines.append(f"    copyto({self._bind(copy)}, {self._bind(state)})")
        for i, buf in tape.inputs:
            if i in tape.direct_inputs:  # read where it lies, unless laid out otherwise
                lines.append(f"    if x{i}.strides != {buf.strides!r}: "
                             f"copyto({self._bind(buf)}, x{i}); x{i} = {self._bind(buf)}")
                self._names[id(buf)] = f"x{i}"
            else:
                lines.append(f"    copyto({self._bind(buf)}, x{i})")
        err = None
        for (f, a), op_err in zip(tape.program, tape.errs, strict=True):
            if op_err != err:  # the rule ran these under numpy.errstate: so does the replay
                err = op_err
                if err is not None:
                    lines.append(f"    with errstate(**{self._bind(err)}):")
            lines.append(("    " if err is not None else "") + self._call(f, a, tape))
        lines += self._epilogue(tape.epilogue)
        lines.append(f"    return {self._output(template)}")
        self.source = "\n".join(lines)
        exec(self.source, self._ns)
        self.replay = self._ns["replay"]

    def _bind(self, obj) -> str:
        """A name for ``obj`` in the generated function's globals (one per object): NumPy
        functions by their own names (``matmul``, ``add_reduce``), buffers ``b<n>``."""
        name = self._names.get(id(obj))
        if name is None:
            name = _own_name(obj, self._names)
            if name in self._ns and self._ns[name] == obj:  # numpy.add.reduce, made anew
                pass
            elif name is None or name in self._ns or name in _LOCALS:
                prefix = "b" if isinstance(obj, numpy.ndarray) else "o"
                name = f"{prefix}{len(self._names)}"
            self._names[id(obj)] = name
            self._ns[name] = obj
        return name

    def _signature(self, signature, modules) -> list:
        parts, grad_enabled, training = signature
        lines = [f"    if len(args) != {len(parts)}: return MISS"]
        for i, part in enumerate(parts):
            if part[0] == "value":
                lines.append(f"    if args[{i}] != {self._bind(part[1])}: return MISS")
            elif part[0] == "array":
                lines.append(f"    x{i} = args[{i}]")
                lines.append(f"    if x{i}.shape != {part[1]!r} or x{i}.dtype != "
                             f"{self._bind(part[2])}: return MISS")
            else:
                shape, dtype, requires_grad = part
                lines.append(f"    t = args[{i}]")
                lines.append(f"    if t.__class__ is not {self._bind(Tensor)}: return MISS")
                lines.append(f"    x{i} = t.array")
                lines.append(f"    if x{i}.shape != {shape!r} or x{i}.dtype != "
                             f"{self._bind(dtype)} or t.requires_grad is not {requires_grad}: "
                             "return MISS")
        lines.append(f"    if grad_state.enabled is not {grad_enabled}: return MISS")
        for m, flag in zip(modules, training, strict=True):
            lines.append(f"    if {self._bind(m)}.training is not {flag}: return MISS")
        return lines

    def _checks(self, checks) -> list:
        lines = []
        for check in checks:
            kind, obj = check[0], self._bind(check[1])
            if kind == "attr_is":
                test = f"{obj}.{check[2]} is not {self._arg(check[3])}"
            elif kind == "len":
                test = f"len({obj}) != {check[2]}"
            elif kind == "grad_none":
                test = f"{obj}.grad is {'not ' if check[2] else ''}None"
            elif kind == "key_is":
                test = f"{obj}.get({check[2]!r}) is not {self._bind(check[3])}"
            else:
                test = f"{obj}.get({check[2]!r}) != {self._bind(check[3])}"
            lines.append(f"    if {test}: return MISS")
        return lines

    def _reads(self, tape) -> list:
        if not tape.reads:
            return []
        items = []
        for r in tape.reads:
            item = f"{self._bind(r.d)}[{r.key!r}]"
            items.append(item if r.index is None else f"{item}[{r.index}]")
        return [f"    r = ({', '.join(items)},)",
                "    if r != tape._last_reads and not tape.prepare_reads(r): return MISS"]

    def _call(self, f, a, tape) -> str:
        keywords = {}
        if type(f) is functools.partial:  # spelled out: a call through a partial costs more
            f, keywords = f.func, f.keywords
        if id(a) in tape.patched:  # numbers computed during the replay land in this list
            parts = [f"*{self._bind(a)}"]
        else:
            parts = [self._arg(x) for x in a]
        for key, value in keywords.items():
            if key == "out" and type(f) is numpy.ufunc and type(value) is not tuple:
                value = (value,)  # a ufunc's own form of out: no conversion per call
            parts.append(f"{key}={self._arg(value)}")
        return f"    {self._bind(f)}({', '.join(parts)})"

    def _arg(self, x) -> str:
        if x is None or x is Ellipsis or type(x) in (bool, int):
            return repr(x)
        if type(x) is tuple and all(isinstance(i, numpy.ndarray) for i in x):
            names = [self._bind(i) for i in x]
            return f"({', '.join(names)}{',' if len(names) == 1 else ''})"
        return self._bind(x)

    def _epilogue(self, epilogue) -> list:
        lines = []
        for item in epilogue:
            kind = item[0]
            if kind == "grad":
                lines.append(f"    {self._bind(item[1])}.grad = {self._arg(item[2])}")
            elif kind == "bump":  # the version counter itself, not the property around it
                lines.append(f"    {self._bind(item[1])}._counter[0] += {item[2]}")
            elif kind == "tick":
                lines.append(f"    clock.tick += {item[1]}")
            elif kind == "copy":
                lines.append(f"    copyto({self._bind(item[1])}, {self._bind(item[2])})")
            elif type(item[3]) is tuple:
                value = ", ".join(f"cells[{v}]" if k == "cell" else self._bind(v)
                                  for k, v in item[3])
                lines.append(f"    {self._bind(item[1])}[{item[2]!r}] = ({value},)")
            else:
                lines.append(f"    {self._bind(item[1])}[{item[2]!r}] = cells[{item[3]}]")
        return lines


    def _output(self, spec) -> str:
        """The expression making the step's return value (see Capture._output): each tensor
        a detached copy of its buffer, written out instead of called through closures."""
        kind = spec[0]
        if kind == "tensor":
            return f"make({self._bind(spec[1])}.copy(), False, None)"
        if kind == "array":
            return f"{self._bind(spec[1])}.copy()"
        if kind == "cell":
            return f"cells[{spec[1]}]"
        if kind == "seq":
            parts = "".join(f"{self._output(p)}, " for p in spec[2])
            return f"[{parts}]" if spec[1] is list else f"({parts})"
        if kind == "dict":
            return "{" + ", ".join(f"{self._bind(k)}: {self._output(p)}"
                                   for k, p in spec[1]) + "}"
        return self._bind(spec[1])


def _own_name(obj, taken):
    """``add`` for numpy.add, ``add_reduce`` for numpy.add.reduce, ``dot``; None otherwise."""
    owner = getattr(obj, "__self__", None)
    if type(owner) is numpy.ufunc:
        name = f"{owner.__name__}_{obj.__name__}"
    elif type(obj) is numpy.ufunc or getattr(obj, "__module__", "").startswith("numpy"):
        name = getattr(obj, "__name__", "")
    elif getattr(obj, "__module__", "") in ("_operator", "operator"):
        name = obj.__name__
    elif getattr(obj, "__module__", "").startswith("backproplab.compile") and callable(obj):
        return f"{obj.__name__.strip('_')}_{len(taken)}"  # the tape's own (guard, item)
    else:
        return None
    generated = name[:1] in "box" and name[1:].isdigit()  # the pattern of the other names
    return name if name.isidentifier() and not generated else None
