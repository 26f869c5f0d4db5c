"""The story of a StepTrace in order — forward, loss, backward (output layer first), update,
check — as statements that carry their numbers, each in plain text and in LaTeX.

Written once here from ``to_dict()`` and only formatted by the terminal, Markdown and HTML
renderers, so the three views cannot drift apart.
"""

from dataclasses import dataclass, field

from backproplab.explain.json_numbers import fmt


@dataclass
class Line:
    text: str
    latex: str


@dataclass
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # a table after the lines, when not empty
    rows: list[list[str]] = field(default_factory=list)


def _tex_label(label: str) -> str:
    head, rest = label[0], label[1:]
    return f"{head}_{{{rest}}}" if rest else head


def narrate(d: dict, digits: int = 9) -> list[Section]:
    f = lambda v: fmt(v, digits)  # noqa: E731 - one short formatter shared by every line
    sections = []
    batch = d["batch_size"]
    per = (lambda s: f" (sample {s + 1})") if batch > 1 else (lambda s: "")
    if d["kind"] == "mlp":
        sections.append(_forward(d, f, batch, per))
    sections.append(_loss(d, f, batch, per))
    if d["kind"] == "mlp":
        sections.append(_backward(d, f, batch, per))
    else:
        sections.append(_graph(d, f))
    sections.append(_update(d, f))
    c = d["check"]
    verdict = "equal" if c["ok"] else "DIFFER from"
    sections.append(Section("Check", [Line(
        f"The trace's gradients {verdict} param.grad after loss.backward(): largest difference "
        f"{f(c['max_abs_diff'])} (tolerance {f(c['tolerance'])}).",
        rf"\max |\partial L/\partial w_{{trace}} - \texttt{{param.grad}}| = "
        rf"{f(c['max_abs_diff'])}")]))
    return sections


def _forward(d, f, batch, per) -> Section:
    sec = Section("Forward pass")
    for layer in d["layers"]:
        sec.lines.append(Line(f"Layer {layer['name'] or 0} ({len(layer['input_labels'])} → "
                              f"{len(layer['output_labels'])}, {layer['activation']}): "
                              f"{layer['formula']}", rf"\text{{Layer {layer['name'] or 0}: "
                              rf"{layer['activation']}}}"))
        for n in layer["neurons"]:
            lab, tl = n["label"], _tex_label(n["label"])
            for s in range(batch):
                parts = [f"{f(w)}·{f(x)}" for w, x in zip(n["weights"], n["inputs"][s],
                                                          strict=True)]
                tparts = [rf"{f(w)} \cdot {f(x)}" for w, x in zip(n["weights"], n["inputs"][s],
                                                                 strict=True)]
                if n["bias"] is not None:
                    parts.append(f(n["bias"]))
                    tparts.append(f(n["bias"]))
                sec.lines.append(Line(
                    f"net_{lab}{per(s)} = {' + '.join(parts)} = {f(n['net'][s])};  "
                    f"out_{lab} = {layer['activation']}({f(n['net'][s])}) = {f(n['out'][s])}",
                    rf"net_{{{tl}}} = {' + '.join(tparts)} = {f(n['net'][s])},\quad "
                    rf"out_{{{tl}}} = \mathrm{{{layer['activation']}}}({f(n['net'][s])}) = "
                    rf"{f(n['out'][s])}"))
    return sec


def _loss(d, f, batch, per) -> Section:
    loss = d["loss"]
    sec = Section("Loss", [Line(f"{loss['name']}: {loss['formula']};  {loss['derivative']}",
                                loss["latex"])])
    for o in loss["outputs"]:
        for s in range(batch):
            term = "" if o["term"] is None else f", share of L = {f(o['term'][s])}"
            tterm = "" if o["term"] is None else rf",\ \text{{share}} = {f(o['term'][s])}"
            sec.lines.append(Line(
                f"{o['label']}{per(s)}: y = {f(o['prediction'][s])}, t = {f(o['target'][s])}"
                f"{term}, ∂L/∂y = {f(o['grad'][s])}",
                rf"y_{{{o['label']}}} = {f(o['prediction'][s])},\ t = {f(o['target'][s])}"
                rf"{tterm},\ \frac{{\partial L}}{{\partial y}} = {f(o['grad'][s])}"))
    sec.lines.append(Line(f"L = {f(loss['value'])}", rf"L = {f(loss['value'])}"))
    return sec


def _backward(d, f, batch, per) -> Section:
    sec = Section("Backward pass (output layer first)")
    for layer in reversed(d["layers"]):
        sec.lines.append(Line(f"Layer {layer['name'] or 0}: {layer['derivative']}",
                              rf"\text{{Layer {layer['name'] or 0}}}"))
        for n in layer["neurons"]:
            lab, tl = n["label"], _tex_label(n["label"])
            for s in range(batch):
                if n["upstream"]:
                    terms = " + ".join(f"δ_{u['label']}·{f(u['weight'])}" for u in n["upstream"])
                    vals = " + ".join(f(u["product"][s]) for u in n["upstream"])
                    tterms = " + ".join(rf"\delta_{{{_tex_label(u['label'])}}} \cdot "
                                        rf"{f(u['weight'])}" for u in n["upstream"])
                    src, tsrc = f"{terms} = {vals} = ", f"{tterms} = {vals} = "
                else:
                    src, tsrc = "(from the loss) ", ""
                sec.lines.append(Line(
                    f"∂L/∂out_{lab}{per(s)} = {src}{f(n['dL_dout'][s])};  ∂out/∂net = "
                    f"{f(n['dout_dnet'][s])};  δ_{lab} = {f(n['dL_dout'][s])}·"
                    f"{f(n['dout_dnet'][s])} = {f(n['delta'][s])}",
                    rf"\frac{{\partial L}}{{\partial out_{{{tl}}}}} = {tsrc}{f(n['dL_dout'][s])},"
                    rf"\ \frac{{\partial out}}{{\partial net}} = {f(n['dout_dnet'][s])},\ "
                    rf"\delta_{{{tl}}} = {f(n['delta'][s])}"))
            for g in [*n["weight_grads"], *([n["bias_grad"]] if n["bias_grad"] else [])]:
                src = (f"δ_{lab}·{layer['input_labels'][g['input']]}" if g["input"] is not None
                       else f"δ_{lab}")
                tsrc = (rf"\delta_{{{tl}}} \cdot {_tex_label(layer['input_labels'][g['input']])}"
                        if g["input"] is not None else rf"\delta_{{{tl}}}")
                vals = " + ".join(f(t) for t in g["terms"])
                sec.lines.append(Line(
                    f"∂L/∂{g['name']} = {src} = {vals}{' = ' + f(g['grad']) if batch > 1 else ''}"
                    f"  (param.grad: {f(g['engine_grad'])})",
                    rf"\frac{{\partial L}}{{\partial \texttt{{{g['name']}}}}} = {tsrc} = "
                    rf"{f(g['grad'])}"))
    return sec


def _graph(d, f) -> Section:
    sec = Section("Backward pass, op by op (the model is not a plain MLP)")
    for n in d["graph"]["nodes"]:
        val = n["value"]["mean"] if n["value"] else None
        grad = n["grad"]["mean"] if n["grad"] else None
        rule = "; ".join(n["derivative"]) or "—"
        sec.lines.append(Line(
            f"{n['op']} {tuple(n['shape'])}: value mean {f(val)}, gradient mean {f(grad)}; "
            f"rule: {rule}",
            rf"\text{{{n['op']}}}:\ \bar v = {f(val)},\ \bar g = {f(grad)}"))
    return sec


def _update(d, f) -> Section:
    u = d["update"]
    keys = sorted({k for p in u["params"] for k in p["terms"]})
    sec = Section(f"Update ({u['optimizer']}, lr = {f(u['lr'])})", [Line(u["formula"], u["latex"])],
                  ["parameter", "old", "gradient", "lr", "new", *keys])
    for p in u["params"]:
        sec.rows.append([p["name"], f(p["old"]), f(p["grad"]), f(p["lr"]), f(p["new"]),
                         *(f(p["terms"].get(k)) for k in keys)])
    return sec
