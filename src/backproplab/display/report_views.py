"""Gradient health, gradient checks and weight paths in a notebook: each a table of the numbers
the report holds, with its verdict on top so the answer comes before the evidence."""

import math
from html import escape

from backproplab.display.html_blocks import Markup, display, line, table, verdict
from backproplab.explain.json_numbers import fmt

MAX_CHECK_ROWS = 40
"""A gradient check longer than this shows its worst rows only (the rest agree better)."""


def _g(v) -> str:
    return "—" if v is None else f"{v:.3g}"


def _units(units: list[int]) -> str:
    return f"{len(units)}: {', '.join(map(str, units[:8]))}{' …' if len(units) > 8 else ''}" \
        if units else "0"


def health_html(health) -> str:
    norms = [h.grad_norm for h in health.layers if h.grad_norm]
    top = math.log10(max(norms)) if norms else 0.0
    low = min(math.log10(min(norms)), top - 1) if norms else -1.0
    rows = [[h.name, h.activation, _g(h.grad_norm), _bar(h.grad_norm, low, top),
             _g(h.mean_abs_grad), _g(h.update_ratio), _units(h.dead_units),
             _units(h.saturated_units)] for h in health.layers]
    ratio = _g(health.first_to_last_ratio)
    state = ("Exploding gradients" if health.exploding else "Vanishing gradients"
             if health.vanishing else "Gradients reach every layer")
    head = verdict(not (health.exploding or health.vanishing),
                   f"{state}: first/last layer gradient ratio {ratio}")
    return display("gradient-health", f"<p>{head}</p>",
                   table(["layer", "activation", "‖grad‖", "", "mean |grad|", "update / weight",
                          "dead units", "saturated units"], rows),
                   '<p class="bp-muted">Bars: ‖grad‖ on a log scale. update / weight near '
                   "1e-3 is healthy; dead units pass no gradient for any sample.</p>")


def _bar(norm, low: float, top: float) -> Markup:
    """‖grad‖ as a bar on a log scale from the smallest layer's norm to the largest's."""
    if not norm:
        return Markup("")
    width = 4 + 96 * (math.log10(norm) - low) / (top - low)
    return Markup(f'<span class="bp-bar" style="width:{width:.0f}px"></span>')


def check_html(check) -> str:
    rows = check.rows
    shown, caption = rows, None
    if len(rows) > MAX_CHECK_ROWS:
        shown = sorted(rows, key=lambda r: -(r.relative_error or 0))[:MAX_CHECK_ROWS]
        caption = f"the {MAX_CHECK_ROWS} largest relative errors of {len(rows)}"
    cells = [[r.name, fmt(r.analytic, 9), fmt(r.numeric, 9), _g(r.relative_error),
              "ok" if r.relative_error is not None and r.relative_error < check.tolerance
              else "DIFFERS"] for r in shown]
    head = verdict(check.ok, f"✓ backward() agrees with finite differences on all {len(rows)} "
                   "parameter elements" if check.ok
                   else "✗ backward() disagrees with finite differences")
    detail = (f"largest relative error {_g(check.max_relative_error)} (tolerance "
              f"{check.tolerance:g}, central differences with eps {check.eps:g}, in float64)")
    return display("gradient-check", f"<p>{head}: {escape(detail)}</p>",
                   table(["parameter", "backward()", "finite difference", "relative error",
                          ""], cells, caption))


def path_html(path, digits: int = 6) -> str:
    agree = (path.total is not None and path.engine_grad is not None
             and math.isclose(path.total, path.engine_grad, rel_tol=1e-6, abs_tol=1e-9))
    head = [f"<h3>∂L/∂{escape(path.name)} = {escape(fmt(path.total, digits))}</h3>",
            "<ul>" + line(path.sentence(digits), path.formula(digits), keep_text=True) + "</ul>"]
    widest = max((len(p.factors) for p in path.paths), default=0)
    rows = [[p.sample + 1, *(f"{fa.symbol} = {fmt(fa.value, digits)}" for fa in p.factors),
             *([""] * (widest - len(p.factors))), fmt(p.product, digits)] for p in path.paths]
    header = ["sample", *(f"factor {i + 1}" for i in range(widest)), "product"]
    foot = verdict(agree, f"{'✓' if agree else '✗'} the sum over paths "
                   f"{'equals' if agree else 'differs from'} param.grad "
                   f"({fmt(path.engine_grad, digits)})")
    return display("weight-path", *head, table(header, rows), f"<p>{foot}</p>")
