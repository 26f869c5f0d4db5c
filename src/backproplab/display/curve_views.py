"""Training histories and descent paths in a notebook: the picture (matplotlib, inline PNG)
above a compact table, so the shape of the run and its exact numbers are both at hand."""

import io
from html import escape

from backproplab.display.html_blocks import display, png, table
from backproplab.explain.json_numbers import fmt

EDGE_ROWS = 3
"""A long run's table shows its first and last few epochs (or steps)."""


def _picture(draw, *args, alt: str) -> str:
    """``draw(*args, file)`` as an inline PNG, or a note when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return '<p class="bp-muted">(install matplotlib for the picture)</p>'
    buf = io.BytesIO()
    draw(*args, buf)
    return png(buf.getvalue(), alt)


def _edges(n: int) -> list[int | None]:
    """Row indices to show: all, or the first and last EDGE_ROWS with None for the gap."""
    if n <= 2 * EDGE_ROWS + 1:
        return list(range(n))
    return [*range(EDGE_ROWS), None, *range(n - EDGE_ROWS, n)]


def history_html(history) -> str:
    from backproplab.plots.loss_curves import plot_loss_curves

    if not history.epochs:
        return display("history", "<p>History: no epoch recorded yet.</p>")
    cols = history.columns()
    names = list(cols)
    rows = [["…"] * len(names) if i is None else
            [cols[n][i] if n == "epoch" else fmt(cols[n][i], 4) for n in names]
            for i in _edges(len(history.epochs))]
    parts = [f"<h3>{escape(_summary(history))}</h3>",
             _picture(plot_loss_curves, history, alt="loss per epoch"), table(names, rows)]
    if history.events:
        parts.append("<ul>" + "".join(f"<li>epoch {e.epoch}: {escape(e.message)}</li>"
                                      for e in history.events) + "</ul>")
    return display("history", *parts)


def _summary(history) -> str:
    text = f"{len(history.epochs)} epochs, final loss {fmt(history.last('loss'), 4)}"
    if history.val_loss:
        text += f", validation loss {fmt(history.last('val_loss'), 4)}"
    if history.stop_reason:
        text += f"; stopped: {history.stop_reason}"
    return text


def history_repr(history) -> str:
    extra = f", val_loss={fmt(history.last('val_loss'), 4)}" if history.val_loss else ""
    metrics = "".join(f", {k}={fmt(v[-1], 4)}" for k, v in history.metrics.items() if v)
    return (f"History(epochs={len(history.epochs)}, loss={fmt(history.last('loss'), 4)}"
            f"{extra}{metrics}, events={len(history.events)})")


def path_html(path) -> str:
    pts = path.points
    rows = [["…"] * 4 if i is None else
            [i, _point(pts[i]), fmt(path.values[i], 6), _point(path.grads[i])]
            for i in _edges(len(pts))]
    title = (f"{path.optimizer}, lr = {path.lr:g}: {path.regime} — {len(pts) - 1} steps from "
             f"{_point(pts[0])} to {_point(pts[-1])}, f = {fmt(path.values[-1], 6)}")
    return display("descent-path", f"<h3>{escape(title)}</h3>",
                   _picture(_plot_path, path, alt=f"descent path, {path.regime}"),
                   table(["step", "point", "f", "gradient"], rows))


def _point(p) -> str:
    return f"({', '.join(fmt(v, 4) for v in p)})" if isinstance(p, list) else fmt(p, 4)


def _plot_path(path, file) -> None:
    import numpy

    from backproplab.plots.figure import CLASS_COLORS, figure

    pts = numpy.array(path.points, dtype=float)
    values = numpy.array(path.values, dtype=float)
    with figure(file, figsize=(8.4, 3.2)) as fig:
        ax = fig.add_subplot(1, 2, 1)
        ax.plot(values, "o-", color=CLASS_COLORS[0], markersize=3)
        finite = values[numpy.isfinite(values)]
        if finite.size and finite.min() > 0:
            ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("f")
        ax.set_title("f at each step")
        ax = fig.add_subplot(1, 2, 2)
        if pts.ndim == 1:
            ax.plot(pts, "o-", color=CLASS_COLORS[5], markersize=3)
            ax.set_xlabel("step")
            ax.set_ylabel("x")
        else:
            ax.plot(pts[:, 0], pts[:, 1], "o-", color=CLASS_COLORS[5], markersize=3)
            ax.plot(pts[:1, 0], pts[:1, 1], "s", color="#000000", label="start")
            ax.set_xlabel("x")
            ax.set_ylabel("y")
            ax.legend(fontsize="small")
        ax.set_title(f"the path ({path.regime})")
