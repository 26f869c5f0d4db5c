"""How a tape reads (``str(tape)``, ``tape.rows()``): one line per op, its operands named
``%n`` (arrays) and ``$n`` (numbers read or computed at every replay), with shapes."""

import numpy

from backproplab.compile.recorder import Op
from backproplab.compile.traced import TracedArray, TracedScalar


def at_default(key, value) -> bool:
    """Keyword arguments a reduction was given at their default values (they cost time)."""
    return (key, value) in (("where", True), ("dtype", None), ("keepdims", False)) and (
        type(value) is not numpy.ndarray)


def name_of(x) -> str:
    if isinstance(x, TracedArray):
        return f"%{x._id}"
    if isinstance(x, TracedScalar):
        return f"${x.id}"
    if isinstance(x, numpy.ndarray):
        return f"const{tuple(x.shape)}"
    if x is Ellipsis:
        return "..."
    if isinstance(x, slice):
        return ":".join("" if v is None else str(v) for v in (x.start, x.stop, x.step)
                        ).rstrip(":") or ":"
    if type(x) is tuple:
        return "[" + ", ".join(name_of(i) for i in x) + "]"
    if isinstance(x, numpy.dtype) or isinstance(x, type):
        return numpy.dtype(x).name
    return repr(x)


def line_of(op: Op) -> str:
    out = op.outs[0] if op.outs else None
    args = ", ".join([name_of(a) for a in op.args] +
                     [f"{k}={name_of(v)}" for k, v in op.kwargs.items() if not at_default(k, v)])
    if op.kind == "declare":
        return f"  {name_of(out):>5} = {op.name} {op.args[0]}  {_shape(out)}"
    if op.kind == "guard":
        return f"  {'':>5}   guard {op.name}({args}) is {op.expected!r}"
    if op.kind == "read":
        return f"  {name_of(out):>5} = read {op.name}  (now {out.value!r})"
    mark = "  view, no work" if op.kind == "view" else ""
    target = name_of(out) if out is not None else ""
    if op.kind in ("setitem", "inplace") or (op.kind == "ufunc" and out is not None and
                                              any(a is out for a in op.args)):
        return f"  {target:>5} <- {op.name}({args})  {_shape(out)}"
    return f"  {target:>5} = {op.name}({args})  {_shape(out)}{mark}"


def _shape(x) -> str:
    if isinstance(x, TracedArray):
        return f"{tuple(x.shape)} {x.dtype}"
    return ""
