"""One update for the whole model: parameters, gradients and optimizer state as views of flat
buffers, so each elementwise line of an update rule is one NumPy call, not one per parameter.

An optimizer updates parameter after parameter with the same few ufuncs (``p -= lr * g``).
When the parameters of one dtype lie one after another in one buffer, and so do their
gradients and each kind of state, those calls on consecutive pieces are the same call on the
whole buffer: every element meets the same operations with the same operands, so the bits are
those of the per-parameter calls.

* Before a trace, the optimizer's parameters and state arrays that own their memory are moved
  into flat buffers (values copied; ``p.array`` and the state entries become views of the
  buffer, so the tensors users hold, ``state_dict()`` and the lab keep reading live values).
* After a trace, :func:`fuse_update` finds the per-parameter pieces of the update that repeat
  the same operations, and when their arrays lie consecutively (the step's own gradients and
  temporaries are moved so that they do) replaces them with one operation per line.
"""

import numpy

from backproplab.compile.recorder import Op
from backproplab.compile.traced import TracedArray, TracedScalar

# exactly rounded per element in every NumPy loop (SIMD or not): safe to run on a longer array
EXACT_ELEMENTWISE = {numpy.add, numpy.subtract, numpy.multiply, numpy.divide, numpy.sqrt,
                     numpy.negative, numpy.absolute, numpy.maximum, numpy.minimum, numpy.square}


def flatten_parameters(optimizer) -> None:
    """Move the optimizer's parameters into one buffer per dtype (where not already)."""
    tensors = [p for g in optimizer.param_groups for p in g["params"]]
    _flatten([(t, None) for t in tensors], lambda t, _: t.array, _set_array)


def flatten_state(optimizer) -> None:
    """Move each kind of per-parameter state array (momentum, moments) into one buffer."""
    keys = {}
    for g in optimizer.param_groups:
        for p in g["params"]:
            for key, value in optimizer.state.get(p, {}).items():
                if type(value) is numpy.ndarray:
                    keys.setdefault(key, []).append((optimizer.state[p], key))
    for entries in keys.values():
        _flatten(entries, lambda d, k: d[k], _set_item)


def _set_array(t, _, value) -> None:
    t.array = value


def _set_item(d, key, value) -> None:
    d[key] = value


def _flatten(owners, get, put) -> None:
    by_dtype = {}
    for owner, key in owners:
        a = get(owner, key)
        if type(a) is numpy.ndarray and a.base is None and a.flags.c_contiguous and a.size:
            by_dtype.setdefault(a.dtype, []).append((owner, key, a))
    for dtype, items in by_dtype.items():
        if len(items) < 2:
            continue
        flat = numpy.empty(sum(a.size for _, _, a in items), dtype)
        start = 0
        for owner, key, a in items:
            view = flat[start:start + a.size].reshape(a.shape)
            view[...] = a
            put(owner, key, view)
            start += a.size


def fuse_update(kept: list, arrays: list, pinned: set) -> tuple[list, dict]:
    """(ops with the update fused where it can be, {id(old buffer): new view}).

    ``arrays`` are all the trace's arrays (to see views), ``pinned`` the ids of buffers that
    must stay where they are (returned values, sources of the epilogue's copies)."""
    update = [i for i, op in enumerate(kept) if op.phase == "update" and op.kind not in (
        "declare", "read", "scalar", "view") and not (op.kind == "guard" and op.static)]
    if not update or not all(_eligible(kept[i]) for i in update):
        return kept, {}
    viewed = {id(a._root) for a in arrays if a._root is not a}
    position = {id(op): i for i, op in enumerate(kept)}
    classes = {}
    for ops in _components([kept[i] for i in update]):
        classes.setdefault(_skeleton(ops), []).append(ops)
    moved, fused, drop = {}, {}, set()
    for members in classes.values():
        columns = list(zip(*[_roles(ops) for ops in members], strict=True))
        if len(members) < 2 or not all(_can_flatten(c, viewed, pinned) for c in columns):
            continue
        flats = [_flatten_role(c, moved) for c in columns]
        first = min((op for ops in members for op in ops), key=lambda op: position[id(op)])
        fused[id(first)] = [_fused(op, columns, flats) for op in members[0]]
        drop |= {id(op) for ops in members for op in ops}
    out = []
    for op in kept:
        out += fused.get(id(op), [])
        if id(op) not in drop:
            out.append(op)
    return out, moved


def flatten_grads(epilogue, arrays, pinned) -> None:
    """The gradients a step leaves in ``.grad``, moved into one buffer per dtype where
    :func:`fuse_update` has not already: an update traced apart (``fit`` and the lab
    compile backward and update separately) then finds them one after another."""
    owner = {id(a._buf): a for a in arrays if a._kind == "result" and a._root is a}
    viewed = {id(a._root) for a in arrays if a._root is not a}
    by_dtype = {}
    for item in epilogue:
        g = item[2] if item[0] == "grad" else None
        a = None if g is None else owner.get(id(g.array))
        if a is not None and a._buf.base is None and id(a) not in viewed and (
                id(a._buf) not in pinned):
            by_dtype.setdefault(a.dtype, []).append((a, g))
    for items in by_dtype.values():
        if len(items) > 1:
            _flatten_role([a for a, _ in items], {})
            for a, g in items:
                g.array = a._buf


def _eligible(op) -> bool:
    if op.kind != "ufunc" or op.fn not in EXACT_ELEMENTWISE or op.kwargs or len(op.outs) != 1:
        return False
    out = op.outs[0]
    if not isinstance(out, TracedArray) or out._root is not out:
        return False
    for a in op.args:
        if isinstance(a, TracedArray):
            if a._root is not a or a.shape != out.shape or a.dtype != out.dtype:
                return False
        elif not (isinstance(a, TracedScalar) or type(a) in (int, float)):
            return False
    return True


def _arrays_of(op):
    return [a for a in [*op.args, *op.outs] if isinstance(a, TracedArray)]


def _components(ops) -> list:
    """The update split into the groups of operations that share arrays (one per parameter),
    each in program order."""
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for op in ops:
        ids = [id(a) for a in _arrays_of(op)]
        for i in ids[1:]:
            parent[find(i)] = find(ids[0])
    groups = {}
    for op in ops:
        groups.setdefault(find(id(op.outs[0])), []).append(op)
    return list(groups.values())


def _roles(ops) -> list:
    """The distinct arrays of a group, in order of first use."""
    seen, roles = set(), []
    for op in ops:
        for a in _arrays_of(op):
            if id(a) not in seen:
                seen.add(id(a))
                roles.append(a)
    return roles


def _skeleton(ops) -> tuple:
    """What two groups must share to be one operation each on a longer array."""
    index = {id(a): i for i, a in enumerate(_roles(ops))}
    dtype = ops[0].outs[0].dtype

    def part(a):
        if isinstance(a, TracedArray):
            return ("a", index[id(a)], a._kind)
        if isinstance(a, TracedScalar):
            return ("s", a.id)
        return ("v", type(a), a)

    return (dtype.str, tuple((op.fn, op.err and tuple(sorted(op.err.items())),
                              tuple(part(a) for a in [*op.args, *op.outs])) for op in ops))


def _can_flatten(column, viewed, pinned) -> bool:
    """Whether the arrays of one role (one per group) can be one array: the step's own
    results can be moved (unless something else holds them); arrays it keeps (parameters,
    state, a gradient from an earlier call) must already lie one after another."""
    if any(a._kind == "result" for a in column):  # a view of it would keep the old memory
        return all(a._kind == "result" and id(a._buf) not in pinned and id(a) not in viewed
                   for a in column)
    bufs = [a._buf for a in column]
    base = bufs[0].base
    if base is None or base.ndim != 1 or base.dtype != bufs[0].dtype or not all(
            b.base is base and b.flags.c_contiguous for b in bufs):
        return False
    address = [_address(b) for b in bufs]
    return all(address[i] + bufs[i].nbytes == address[i + 1] for i in range(len(bufs) - 1))


def _flatten_role(column, moved) -> TracedArray:
    """One traced array over the memory of ``column``, moving the step's own results there."""
    label = f"{column[0]._id}..{column[-1]._id}"
    if column[0]._kind == "result":
        flat = numpy.empty(sum(a.size for a in column), column[0].dtype)
        start = 0
        for a in column:
            view = flat[start:start + a.size].reshape(a.shape)
            view[...] = a._buf
            moved[id(a._buf)] = view
            a._buf = view
            start += a.size
        return _traced(flat, "result", label)
    bufs = [a._buf for a in column]
    base = bufs[0].base
    start = (_address(bufs[0]) - _address(base)) // base.itemsize
    return _traced(base[start:start + sum(b.size for b in bufs)], "persistent", label)


def _address(a) -> int:
    return a.__array_interface__["data"][0]


def _traced(plain, kind, label) -> TracedArray:
    t = plain.view(TracedArray)
    t._buf, t._root, t._kind, t._id = plain, t, kind, label
    return t


def _fused(op, columns, flats) -> Op:
    where = {id(c[0]): f for c, f in zip(columns, flats, strict=True)}
    args = [where.get(id(a), a) if isinstance(a, TracedArray) else a for a in op.args]
    fused = Op("ufunc", op.name, op.fn, args, outs=[where[id(op.outs[0])]], phase=op.phase)
    fused.err = op.err
    return fused
