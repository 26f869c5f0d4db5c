"""The HTML pieces every notebook display is built from: a scoped stylesheet, an escaped table,
an inline PNG, and the wrapper that ties them to one display.

Styles are scoped under ``.bp-display`` and use the front end's own colours (``currentColor``,
transparency), so a display reads in light and dark themes alike. Nothing here runs a script:
untrusted notebooks show the same thing.
"""

import base64
from html import escape

STYLE = """<style>
.bp-display { font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px;
  line-height: 1.45; max-width: 100%; overflow-x: auto; }
.bp-display h3 { font-size: 15px; margin: 0.4em 0 0.3em; }
.bp-display h4 { font-size: 13px; margin: 0.8em 0 0.2em; }
.bp-display table { border-collapse: collapse; margin: 0.3em 0; font-size: 12px; }
.bp-display th, .bp-display td { border-bottom: 1px solid rgba(127,127,127,0.3);
  padding: 2px 8px; text-align: right; white-space: nowrap; }
.bp-display th:first-child, .bp-display td:first-child { text-align: left; }
.bp-display td.bp-num { font-family: var(--jp-code-font-family, monospace); }
.bp-display caption { caption-side: top; text-align: left; font-style: italic; }
.bp-display ul { margin: 0.2em 0; padding-left: 1.4em; }
.bp-display .bp-bad { color: #D55E00; font-weight: bold; }
.bp-display .bp-good { color: #009E73; font-weight: bold; }
.bp-display .bp-muted { opacity: 0.7; }
.bp-display .bp-tex { display: none; }
.bp-display .bp-line:not(.bp-keep):has(mjx-container, .MathJax, .katex) > .bp-text {
  display: none; }
.bp-display .bp-line:has(mjx-container, .MathJax, .katex) > .bp-tex { display: block; }
.bp-display .bp-bar { display: inline-block; height: 0.7em; background: #0072B2; }
</style>"""
"""The LaTeX of a line is hidden until the front end typesets it (MathJax in JupyterLab and the
classic Notebook, KaTeX elsewhere); then it replaces the plain text, or goes under it when the
text says more than the formula (``keep_text``). A front end without a math renderer shows the
plain text, never raw LaTeX."""

NO_MATH = "tex2jax_ignore mathjax_ignore"
"""Class names that keep MathJax 2 and 3 away from plain text (a '$' in it is not math)."""


def display(kind: str, *parts: str) -> str:
    """One display: the stylesheet and ``parts`` in a ``<div class="bp-display bp-KIND">``."""
    return "\n".join([f'<div class="bp-display bp-{kind}">', STYLE, *parts, "</div>"])


def table(header, rows, caption: str | None = None, numeric_from: int = 1) -> str:
    """An escaped table; cells from column ``numeric_from`` on are set in a monospace font
    so digits line up."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = ["<tr>" + "".join(_cell(c, i >= numeric_from) for i, c in enumerate(row)) + "</tr>"
            for row in rows]
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class Markup(str):
    """A table cell that is already HTML (a drawn bar, say), inserted without escaping."""


def _cell(value, numeric: bool) -> str:
    text = value if isinstance(value, Markup) else escape(str(value))
    return f'<td class="bp-num">{text}</td>' if numeric else f"<td>{text}</td>"


def line(text: str, latex: str | None = None, keep_text: bool = False) -> str:
    """A statement in plain text, with its LaTeX form for front ends that typeset math."""
    plain = f'<span class="bp-text {NO_MATH}">{escape(text)}</span>'
    tex = f'<span class="bp-tex">\\({escape(latex)}\\)</span>' if latex else ""
    keep = " bp-keep" if keep_text else ""
    return f'<li class="bp-line{keep}">{plain}{tex}</li>'


def verdict(ok: bool, text: str) -> str:
    """``text`` in green when ``ok``, else in a bold warning colour."""
    return f'<span class="{"bp-good" if ok else "bp-bad"}">{escape(text)}</span>'


def png(blob: bytes, alt: str) -> str:
    data = base64.b64encode(blob).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}" style="max-width:100%">'
