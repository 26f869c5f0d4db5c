"""A computation graph as Graphviz DOT text, and drawn to SVG or PNG when ``dot`` is installed.

Ops are boxes with their name, shape and value/gradient summaries; parameters are ellipses,
constant inputs grey; edges point forward, from input to op, so the picture reads as the forward
pass and gradients flow against the arrows.
"""

import shutil
import subprocess

from backproplab import atomic_file
from backproplab.explain.json_numbers import fmt

_STYLE = {
    "op": 'shape=box, style="rounded,filled", fillcolor="#E8F1FA"',
    "parameter": 'shape=ellipse, style=filled, fillcolor="#FCEBD0"',
    "constant": 'shape=ellipse, style=filled, fillcolor="#EEEEEE"',
}


def summary(s: dict | None, digits: int) -> str:
    """A value or gradient summary in a few characters: every value when few, else mean/norm."""
    if s is None:
        return "—"
    if s["values"] is not None:
        flat = _flat(s["values"])
        shown = ", ".join(fmt(v, digits) for v in flat[:6])
        return f"[{shown}{', …' if len(flat) > 6 else ''}]"
    return f"mean {fmt(s['mean'], digits)}, norm {fmt(s['norm'], digits)}"


def _flat(v) -> list:
    if isinstance(v, list):
        return [x for item in v for x in _flat(item)]
    return [v]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(graph, digits: int = 4) -> str:
    lines = ["digraph autograd {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    for n in graph.nodes:
        value = _escape(summary(n.value, digits))
        grad = _escape(summary(n.grad, digits))
        label = f"{_escape(n.op)}\\nshape {tuple(n.shape)}\\nvalue {value}\\ngrad {grad}"
        lines.append(f'  {n.id} [label="{label}", {_STYLE[n.kind]}];')
    for e in graph.edges:
        lines.append(f'  {e.source} -> {e.target} [label="{e.argument}", fontsize=8];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(dot_text: str, path, format: str = "svg") -> str:
    """Run Graphviz's ``dot`` on ``dot_text``, writing ``path``; a clear error if it is missing."""
    atomic_file.write_bytes(path, draw(dot_text, format))
    return str(path)


def draw(dot_text: str, format: str = "svg") -> bytes:
    """The picture Graphviz's ``dot`` draws of ``dot_text``, as SVG or PNG bytes."""
    if format not in ("svg", "png"):
        raise ValueError(f"render: format must be 'svg' or 'png', not {format!r}")
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError("Graphviz is not installed (no 'dot' program on PATH); install it "
                           "(e.g. apt install graphviz) or use to_dot() / to_json()")
    return subprocess.run([exe, f"-T{format}"], input=dot_text.encode(), check=True,
                          capture_output=True).stdout
