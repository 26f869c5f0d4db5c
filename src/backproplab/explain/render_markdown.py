"""A StepTrace as Markdown with LaTeX (``$…$``): notebooks, course notes, GitHub."""

from backproplab.explain.narrative import narrate


def render_markdown(d: dict, digits: int = 9) -> str:
    parts = ["# One training step, explained\n"]
    for sec in narrate(d, digits):
        parts.append(f"## {sec.title}\n")
        parts += [f"- {line.text}  \n  $${line.latex}$$" for line in sec.lines]
        if sec.header:
            parts.append("")
            parts.append("| " + " | ".join(sec.header) + " |")
            parts.append("|" + "---|" * len(sec.header))
            parts += ["| " + " | ".join(f"`{c}`" if i == 0 else c for i, c in enumerate(row))
                      + " |" for row in sec.rows]
        parts.append("")
    return "\n".join(parts)
