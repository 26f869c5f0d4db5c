"""Reverse-mode traversal: ``Tensor.backward`` and ``autograd.grad``.

Order: every node is created after the nodes of its inputs and carries its creation number
(``seq``), so running nodes from the highest number down is a topological order: by the time
a node runs, every consumer that can send it a gradient has run, and a tensor used several
times has received the sum. A heap of waiting nodes gives that order without a separate
counting pass and without recursion, so a chain of 100,000 ops is fine. Leaves receive their
total gradient (and run their hooks) once, at the end.

Graph keys are ``id()``s: the graph itself keeps every node alive during the walk.
"""

import heapq

from backproplab import backend, tensor_math
from backproplab.autograd import anomaly
from backproplab.autograd.function import FREED_MESSAGE, Function, _InplaceClock, host_inputs
from backproplab.autograd.grad_mode import _state as _grad_state
from backproplab.tensor import Tensor


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaf) into every leaf's ``.grad`` (or only into ``inputs``)."""
    if (grad_tensors is None and inputs is None and not create_graph
            and isinstance(tensors, Tensor) and tensors.grad_fn is not None
            and tensors.array.size == 1):
        # loss.backward(): the call every training step makes, without the general set-up.
        seed = backend.ones_like(tensors.array)
        _run((tensors,), (seed,), bool(retain_graph), False, None, None, seeded=True)
        return
    tensors, grad_tensors = _as_lists(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    only = None if inputs is None else _as_tuple(inputs)
    _run(tensors, grad_tensors, retain_graph, create_graph, capture=None, only=only)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return d(outputs)/d(inputs) without touching any ``.grad``."""
    outputs, grad_outputs = _as_lists(outputs, grad_outputs)
    inputs = _as_tuple(inputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("grad: one of the inputs does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    captured = {}
    _run(outputs, grad_outputs, retain_graph, create_graph, capture=captured, only=inputs)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(id(_key(t)))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {tuple(t.shape)}) was not used to compute the outputs; "
                "pass allow_unused=True if that is expected"
            )
        result.append(None if g is None else _wrap(g, create_graph))
    return tuple(result)


def _as_tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _as_lists(tensors, grads):
    tensors = list(_as_tuple(tensors))
    if grads is None:
        grads = [None] * len(tensors)
    else:
        grads = [grads] if isinstance(grads, Tensor) or not isinstance(grads, (list, tuple)) \
            else list(grads)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(tensors)} outputs but {len(grads)} gradients")
    return tensors, grads


def _key(t: Tensor):
    """The graph object a tensor's gradient is delivered to: its grad_fn, or itself if a leaf."""
    return t if t.grad_fn is None else t.grad_fn


def _root_grad(t: Tensor, g, create_graph: bool):
    if not t.requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn: "
            "nothing to differentiate (was it computed under no_grad, or from tensors "
            "without requires_grad=True?)"
        )
    if g is None:
        if t.array.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; this output has "
                f"shape {tuple(t.shape)}: pass gradient= (a tensor of that shape)"
            )
        g = backend.ones_like(t.array)
    else:
        arr = g.array if isinstance(g, Tensor) else backend.xp.asarray(g, dtype=t.array.dtype)
        if arr.shape != t.array.shape:
            raise RuntimeError(
                f"backward: gradient has shape {tuple(arr.shape)} but the output has shape "
                f"{tuple(t.shape)}; they must match"
            )
        if create_graph and isinstance(g, Tensor):
            return g  # keeps its graph, so the result is differentiable in the seed too
        g = arr
    return Tensor._make(g, False, None) if create_graph else g


def _wrap(g, create_graph: bool) -> Tensor:
    return g if create_graph else Tensor._make(g, False, None)


def _run(roots, root_grads, retain_graph, create_graph, capture, only, seeded=False):
    grads = {}  # id(node or leaf) -> gradient received so far
    heap = []  # (-seq, id, node) for nodes that have received a gradient and not yet run
    leaves = {}  # id(leaf) -> leaf, for delivery at the end
    for t, g in zip(roots, root_grads, strict=True):
        key = _key(t)
        if not seeded:
            g = _root_grad(t, g, create_graph)
        _receive(key, id(key), g, grads, heap, leaves)
    only_ids = None if only is None else {id(_key(t)) for t in only}
    prev_mode = _grad_state.enabled
    _grad_state.enabled = create_graph
    stored = set()
    check_anomaly = anomaly.state.enabled
    ndarray = backend.xp.ndarray
    is_array = backend.is_array
    heappop, heappush = heapq.heappop, heapq.heappush
    try:
        while heap:
            _, k, key = heappop(heap)
            g = grads.pop(k)
            cls = type(key)
            if key.hooks is not None or key.retained is not None:
                g = _node_hooks(key, g, create_graph, stored)
            if capture is not None and k in only_ids:
                capture[k] = g
            if key.freed:
                raise RuntimeError(FREED_MESSAGE)
            if key.tick != _InplaceClock.tick and (
                key.output_modified or cls.saves_output or (cls.saves_inputs and key._saved)
            ):
                _check_versions(key)
            if create_graph:
                in_grads = _backward_differentiable(key, g)
            else:
                try:
                    in_grads = cls.backward(key, g)
                except TypeError:
                    if not host_inputs(key.name, key.inputs):
                        raise
                    in_grads = backend.on_host(cls.backward, key, g)  # a CPU node
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            if check_anomaly:
                _check_backward(key, in_grads)
            if not retain_graph:
                key.freed = True
                key._saved = ()
                key.out = None
            for parent, inp, gi in zip(key.parents, key.args, in_grads, strict=False):
                if parent is None or gi is None:
                    continue
                if create_graph:
                    gi = _fit_tensor(gi, inp)
                else:
                    if type(gi) is not ndarray and not is_array(gi):
                        gi = backend.as_array(gi)
                    data = inp.array
                    if gi.shape != data.shape:
                        gi = _sum_to(gi, data.shape, key)
                    if gi.dtype != data.dtype:
                        gi = gi.astype(data.dtype)
                pk = id(parent)
                prev = grads.get(pk)
                if prev is not None:
                    grads[pk] = prev + gi
                elif isinstance(parent, Function):
                    grads[pk] = gi
                    heappush(heap, (-parent.seq, pk, parent))
                else:
                    grads[pk] = gi
                    leaves[pk] = parent
        plain = capture is None and only_ids is None and not create_graph
        for k, leaf in leaves.items():
            g = grads[k]
            if type(g) is not ndarray and not create_graph and not is_array(g):
                g = backend.as_array(g)  # 0-d sums come back from NumPy as scalars
            if plain and leaf._hooks is None and leaf.grad is None:
                # The usual case (grads zeroed to None): store g, copying it only when it is
                # shared with another .grad or is a read-only view.
                if id(g) in stored or not backend.owns_writeable_memory(g):
                    g = g.copy()
                stored.add(id(g))
                leaf.grad = Tensor._make(g, False, None)
            else:
                _deliver_to_leaf(leaf, g, create_graph, capture, only_ids, stored)
    finally:
        _grad_state.enabled = prev_mode


def _receive(key, k: int, g, grads: dict, heap: list, leaves: dict) -> None:
    """Record a root's gradient (roots may repeat or feed one another)."""
    if k in grads:
        grads[k] = grads[k] + g
    elif isinstance(key, Function):
        grads[k] = g
        heapq.heappush(heap, (-key.seq, k, key))
    else:
        grads[k] = g
        leaves[k] = key


def _fit_tensor(g, inp: Tensor):
    """create_graph: sum a broadcast gradient back to the input's shape, cast to its dtype."""
    if not isinstance(g, Tensor):
        g = Tensor._make(backend.xp.asarray(g), False, None)
    shape = inp.array.shape
    if g.array.shape != shape:
        g = tensor_math.sum_to_shape(g, shape)
    if g.array.dtype != inp.array.dtype:
        g = g.to(inp.array.dtype)
    return g


def _sum_to(g, shape, node: Function):
    try:
        return backend.sum_to_shape(g, shape)
    except ValueError:
        raise RuntimeError(
            f"{node.name}.backward returned a gradient of shape {g.shape} for an input of "
            f"shape {shape}"
        ) from None


def _backward_differentiable(node: Function, g):
    """Run the node's rule over tensors so the gradient itself gets a graph (create_graph)."""
    saved = node._saved
    translated = []
    for s in saved:
        translated.append(_saved_as_tensor(node, s))
    node._saved = tuple(translated)
    node.xp = tensor_math
    try:
        return type(node).backward(node, g)
    finally:
        node._saved = saved
        del node.xp


def _saved_as_tensor(node: Function, s):
    """Map a saved array back to the tensor it came from, so its dependence is differentiated."""
    if isinstance(s, Tensor) or not (backend.is_array(s) or backend.is_scalar(s)):
        return s
    for inp in node.inputs:
        if inp is not None and inp.array is s:
            return inp
    if node.out is not None and s is node.out:
        return type(node).apply(*node.args)  # recompute the output with a graph
    return Tensor._make(backend.xp.asarray(s), False, None)


def _check_versions(node: Function) -> None:
    cls = type(node)
    if cls.saves_output and (
        node.output_modified or node.out_counter[0] != node.out_version
    ):
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: the output of {node.name} was changed in place after "
            f"{node.name} saved it for backward. Use an out-of-place op (x = x + 1, not x += 1)."
        )
    if cls.saves_inputs and node._saved:
        now = 0
        for t in node.inputs:
            if t is not None:
                now += t._counter[0]
        if now != node.versions:
            shapes = ", ".join(f"{t.array.dtype} {tuple(t.shape)}" for t in node.inputs
                               if t is not None)
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: an input of {node.name} ({shapes}) is at version {now}; "
                f"expected version {node.versions} instead (versions of its inputs, summed). "
                f"It was changed in place after {node.name} saved it for backward: use an "
                f"out-of-place op, or make the change before {node.name} uses the tensor."
            )


def _check_backward(node: Function, grads) -> None:
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        arr = gi.array if isinstance(gi, Tensor) else gi
        if not backend.xp.isfinite(arr).all():
            where = node.site or "<unknown>"
            raise anomaly.AnomalyError(
                f"Function '{node.name}Backward' returned non-finite values (NaN or Inf) in its "
                f"gradient for input {i}. The op was created at {where}"
            )


def _node_hooks(node: Function, g, create_graph: bool, stored: set):
    if node.hooks:
        g = _apply_hooks(node.hooks, g, create_graph)
    retained = node.retained
    if retained is not None:
        t = retained()
        if t is not None:
            _accumulate(t, g, create_graph, stored)
    return g


def _apply_hooks(hooks, g, create_graph: bool):
    for hook in hooks:
        result = hook(_wrap(g, create_graph))
        if result is not None:
            g = result if create_graph else result.array
    return g


def _deliver_to_leaf(leaf: Tensor, g, create_graph, capture, only_ids, stored) -> None:
    if leaf._hooks:
        g = _apply_hooks(leaf._hooks, g, create_graph)
    if capture is not None:
        if id(leaf) in only_ids:
            capture[id(leaf)] = g
        return
    if only_ids is not None and id(leaf) not in only_ids:
        return
    _accumulate(leaf, g, create_graph, stored)


def _accumulate(t: Tensor, g, create_graph: bool, stored: set) -> None:
    """Add ``g`` into ``t.grad``; arrays shared with another .grad or read-only are copied."""
    if create_graph:
        t.grad = g if t.grad is None else t.grad + g
        return
    if t.grad is None:
        if id(g) in stored or not backend.owns_writeable_memory(g):
            g = g.copy()
        stored.add(id(g))
        t.grad = Tensor._make(g, False, None)
    else:
        old = t.grad.array
        if backend.owns_writeable_memory(old) and old.shape == g.shape:
            old += g
        else:
            t.grad = Tensor._make(old + g, False, None)
