"""A computation graph in a notebook: drawn by Graphviz as SVG when ``dot`` is installed, a
table of its nodes otherwise (one row per node, with what feeds it), so it always reads."""

import shutil

from backproplab.display.html_blocks import display, table
from backproplab.explain.graph_dot import draw, summary


def graph_mimebundle(graph) -> dict:
    """{"image/svg+xml": …} with ``dot``, else {"text/html": …}: only one rich form, so a
    front end that ranks HTML above SVG (JupyterLab) still shows the picture."""
    if shutil.which("dot"):
        return {"image/svg+xml": draw(graph.to_dot(), "svg").decode("utf-8")}
    return {"text/html": graph_table(graph)}


def graph_table(graph, digits: int = 4) -> str:
    feeds = {n.id: [] for n in graph.nodes}
    names = {n.id: n.op for n in graph.nodes}
    for e in sorted(graph.edges, key=lambda e: e.argument):
        feeds[e.target].append(f"{e.source} {names[e.source]}")
    rows = [[n.id + (" (result)" if n.id == graph.root else ""), n.kind, n.op,
             "×".join(map(str, n.shape)) or "scalar", ", ".join(feeds[n.id]) or "—",
             summary(n.value, digits), summary(n.grad, digits),
             "; ".join(n.derivative) or n.formula or "—"]
            for n in graph.nodes]
    note = ("Graphviz's dot is not installed, so the graph is shown as a table; arrows run "
            "from the 'inputs' column to each node.")
    return display("graph", f'<p class="bp-muted">{note}</p>',
                   table(["node", "kind", "op", "shape", "inputs", "value", "gradient",
                          "backward rule"], rows, numeric_from=5))


def graph_repr(graph) -> str:
    ops = sum(n.kind == "op" for n in graph.nodes)
    params = sum(n.kind == "parameter" for n in graph.nodes)
    root = next(n for n in graph.nodes if n.id == graph.root)
    return (f"Graph(ops={ops}, parameters={params}, constants={len(graph.nodes) - ops - params},"
            f" edges={len(graph.edges)}, root={root.op}{tuple(root.shape)})")
