"""Finding the modules and optimizers a step function works on, from what it can reach.

A step written as a closure or a method reaches its model and optimizer through closure
cells, globals it names, a bound ``self`` or ``functools.partial`` arguments; following those
(a few levels deep, into lists, tuples, dicts and plain objects' attributes) finds them without
the user listing them, which is what ``bp.compile(step)`` promises.
"""

import functools
import types

from backproplab.nn.module import Module
from backproplab.optim.optimizer import Optimizer

_DEPTH = 3
_BREADTH = 256  # longer containers are data, not the objects a step works with


def reachable(fn) -> tuple[list, list]:
    """(modules, optimizers) reachable from ``fn``, in the order first met."""
    modules, optimizers, seen = [], [], set()

    def visit(obj, depth):
        if id(obj) in seen or depth > _DEPTH:
            return
        seen.add(id(obj))
        if isinstance(obj, Module):
            modules.append(obj)
        elif isinstance(obj, Optimizer):
            optimizers.append(obj)
        elif isinstance(obj, functools.partial):
            for x in (obj.func, *obj.args, *obj.keywords.values()):
                visit(x, depth + 1)
        elif isinstance(obj, types.MethodType):
            visit(obj.__self__, depth)
            visit(obj.__func__, depth)
        elif isinstance(obj, types.FunctionType):
            for cell in obj.__closure__ or ():
                try:
                    visit(cell.cell_contents, depth + 1)
                except ValueError:  # an empty cell
                    pass
            for name in _names(obj.__code__):
                if name in obj.__globals__:
                    value = obj.__globals__[name]
                    if not isinstance(value, types.ModuleType):
                        visit(value, depth + 1)
        elif isinstance(obj, (list, tuple, set, frozenset)) and len(obj) <= _BREADTH:
            for x in obj:
                visit(x, depth + 1)
        elif isinstance(obj, dict) and len(obj) <= _BREADTH:
            for x in obj.values():
                visit(x, depth + 1)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type) and (
                not isinstance(obj, types.ModuleType)):
            for x in vars(obj).values():
                visit(x, depth + 1)

    visit(fn, 0)
    return modules, optimizers


def _names(code) -> set:
    """Global names used by ``code`` and the functions defined inside it."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names
