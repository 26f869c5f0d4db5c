"""``graph(tensor)``: the autograd graph behind a tensor as nodes and edges with numbers.

Nodes are the recorded ops (the ``grad_fn`` objects, with their ``formula`` and ``derivative``
text), the leaves that require grad (parameters) and the constant inputs; edges run from each
input to the op that consumed it, in forward direction. Values and gradients are summarised
(every value for small tensors, min/mean/max/norm always); gradients show once ``backward()``
has run, for leaves and for tensors whose gradient was retained (:func:`retain_grads`).
"""

import json
from dataclasses import asdict, dataclass

import numpy

from backproplab.explain.json_numbers import number, numbers
from backproplab.explain.limits import MAX_GRAPH_NODES, SMALL_VALUE_SIZE
from backproplab.tensor import Tensor


@dataclass
class GraphNode:
    id: str
    kind: str  # "op", "parameter" (a leaf that requires grad) or "constant"
    op: str  # the op's name ("Linear", "Sigmoid"…), or the tensor's name for leaves
    shape: list[int]
    formula: str
    derivative: list[str]
    value: dict | None  # summary, see summarize()
    grad: dict | None


@dataclass
class GraphEdge:
    source: str
    target: str
    argument: int  # which forward argument of the target op


@dataclass
class Graph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    root: str

    def to_dict(self) -> dict:
        """{"nodes": [{id, kind, op, shape, formula, derivative, value, grad}],
        "edges": [{source, target, argument}], "root": id}; value/grad are summaries
        {"values": [...] or None, "min", "max", "mean", "norm"} or None."""
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), allow_nan=False)

    def to_dot(self, digits: int = 4) -> str:
        from backproplab.explain.graph_dot import to_dot

        return to_dot(self, digits)

    def render(self, path, format: str = "svg") -> str:
        """Write the graph drawn by Graphviz (needs the ``dot`` program) to ``path``."""
        from backproplab.explain.graph_dot import render

        return render(self.to_dot(), path, format)

    def __repr__(self) -> str:
        from backproplab.display.graph_view import graph_repr

        return graph_repr(self)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        from backproplab.display.graph_view import graph_mimebundle

        return graph_mimebundle(self)


def summarize(a) -> dict | None:
    if a is None:
        return None
    a = numpy.asarray(a, dtype=numpy.float64)
    finite = a[numpy.isfinite(a)]
    return {
        "values": numbers(a) if a.size <= SMALL_VALUE_SIZE else None,
        "min": number(finite.min()) if finite.size else None,
        "max": number(finite.max()) if finite.size else None,
        "mean": number(finite.mean()) if finite.size else None,
        "norm": number(numpy.sqrt((finite * finite).sum())),
    }


def retain_grads(tensor: Tensor) -> None:
    """Ask every intermediate tensor of the graph to keep its gradient after backward."""
    for t, _ in _tensors(tensor):
        t.retain_grad()


def graph(tensor: Tensor, names: dict | None = None) -> Graph:
    """The graph that computed ``tensor``. ``names`` maps parameters to names, e.g.
    ``dict(model.named_parameters())``, so leaves read '0.weight' instead of 'leaf 3'."""
    by_id = {id(p): n for n, p in (names or {}).items()}
    nodes, edges, ids = [], [], {}

    def node_id(t: Tensor) -> str:
        key = id(t.grad_fn) if t.grad_fn is not None else id(t)
        if key not in ids:
            ids[key] = f"n{len(ids)}"
            nodes.append(_node(ids[key], t, by_id))
        return ids[key]

    root = node_id(tensor)
    for t, fn in _tensors(tensor):
        if fn is None:
            continue
        node_id(t)
        for i, inp in enumerate(fn.inputs):
            if inp is not None:
                edges.append(GraphEdge(node_id(inp), ids[id(fn)], i))
        if len(nodes) > MAX_GRAPH_NODES:
            raise ValueError(f"graph: more than {MAX_GRAPH_NODES} nodes; explain a smaller "
                             "model or a part of it")
    return Graph(nodes, edges, root)


def _node(nid: str, t: Tensor, names: dict) -> GraphNode:
    fn = t.grad_fn
    grad = None if t.grad is None else t.grad.array
    if fn is not None:
        return GraphNode(nid, "op", fn.name, list(t.shape), type(fn).formula,
                         list(type(fn).derivative), summarize(t.array), summarize(grad))
    kind = "parameter" if t.requires_grad else "constant"
    label = names.get(id(t), "parameter" if t.requires_grad else "input")
    return GraphNode(nid, kind, label, list(t.shape), "", [], summarize(t.array), summarize(grad))


def _tensors(root: Tensor):
    """(tensor, its grad_fn) for every tensor of the graph: the root, then each op's inputs."""
    seen = {id(root)}
    stack = [root]
    while stack:
        t = stack.pop()
        yield t, t.grad_fn
        if t.grad_fn is None:
            continue
        for inp in t.grad_fn.inputs:
            if inp is not None and id(inp) not in seen:
                seen.add(id(inp))
                stack.append(inp)
