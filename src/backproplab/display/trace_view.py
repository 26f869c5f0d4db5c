"""A StepTrace in a notebook: the same story the terminal and Markdown tell (``narrate``), with
each statement's LaTeX typeset where the front end has a math renderer."""

from html import escape

from backproplab.display.html_blocks import display, line, table, verdict
from backproplab.explain.json_numbers import fmt
from backproplab.explain.narrative import narrate


def _sizes(d: dict) -> str:
    """'2-2-1' for an MLP trace, '' for the op-level one."""
    if not d["layers"]:
        return ""
    sizes = [len(d["layers"][0]["input_labels"])] + [len(la["neurons"]) for la in d["layers"]]
    return "-".join(map(str, sizes))


def trace_html(trace, digits: int = 6) -> str:
    d = trace.to_dict()
    loss, update, check = d["loss"], d["update"], d["check"]
    net = f" of a {_sizes(d)} network" if d["layers"] else ""
    batch = d["batch_size"]
    title = (f"One training step{net} on {batch} sample{'s' if batch > 1 else ''}: "
             f"{loss['name']} L = {fmt(loss['value'], digits)}, {update['optimizer']} "
             f"lr = {fmt(update['lr'], digits)}")
    parts = [f"<h3>{escape(title)}</h3>"]
    for sec in narrate(d, digits):
        parts.append(f"<h4>{escape(sec.title)}</h4>")
        parts.append("<ul>" + "".join(_line(ln, i == 0) for i, ln in enumerate(sec.lines))
                     + "</ul>")
        if sec.header:
            parts.append(table(sec.header, sec.rows))
    parts.append("<p>" + verdict(check["ok"], "✓ the trace adds up to param.grad" if check["ok"]
                                 else "✗ the trace does NOT add up to param.grad") + "</p>")
    return display("step-trace", *parts)


def _line(ln, first: bool) -> str:
    """Layer headings' LaTeX is only their name, so they stay text; a section's first line
    (the loss, update or check formula) keeps its text, which also names the derivative or
    the verdict, with the typeset formula under it; every equation with numbers is typeset."""
    if ln.latex.startswith(r"\text"):
        return line(ln.text)
    return line(ln.text, ln.latex, keep_text=first)


def trace_repr(trace) -> str:
    d = trace.to_dict()
    shape = f", layers={_sizes(d)}" if d["layers"] else ""
    return (f"StepTrace(kind={d['kind']!r}, batch_size={d['batch_size']}{shape}, "
            f"loss={d['loss']['name']}({fmt(d['loss']['value'])}), "
            f"optimizer={d['update']['optimizer']}(lr={fmt(d['update']['lr'])}), "
            f"check={'ok' if d['check']['ok'] else 'FAILED'})")
