"""A StepTrace as an HTML fragment (sections, lists, a table; no page chrome, no scripts).

Every string is escaped. The LaTeX form rides along in ``data-latex`` attributes, so a page
that has a math renderer can typeset it and one without still reads the plain text.
"""

from html import escape

from backproplab.explain.narrative import narrate


def render_html(d: dict, digits: int = 9) -> str:
    parts = ['<div class="bp-step-trace">']
    for sec in narrate(d, digits):
        parts.append(f'<section><h3>{escape(sec.title)}</h3><ul>')
        parts += [f'<li data-latex="{escape(line.latex)}">{escape(line.text)}</li>'
                  for line in sec.lines]
        parts.append("</ul>")
        if sec.header:
            parts.append("<table><thead><tr>"
                         + "".join(f"<th>{escape(h)}</th>" for h in sec.header)
                         + "</tr></thead><tbody>")
            parts += ["<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                      for row in sec.rows]
            parts.append("</tbody></table>")
        parts.append("</section>")
    parts.append("</div>")
    return "\n".join(parts)
