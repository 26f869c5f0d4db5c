"""A StepTrace for the terminal, drawn with rich (headings, colours, an update table)."""

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from backproplab.explain.narrative import narrate


def render_text(d: dict, digits: int = 9, color: bool = True, width: int = 120) -> str:
    sections = narrate(d, digits)
    out = io.StringIO()
    width = max([width] + [_table_width(sec) for sec in sections])
    console = Console(file=out, force_terminal=color, no_color=not color, width=width,
                      highlight=False, soft_wrap=True)
    for sec in sections:
        console.rule(f"[bold]{escape(sec.title)}[/]", align="left")
        for line in sec.lines:
            console.print(escape(line.text))
        if sec.header:
            table = Table(*sec.header, show_edge=False, header_style="bold cyan")
            for row in sec.rows:
                table.add_row(*row)
            console.print(table)
    return out.getvalue()


def _table_width(sec) -> int:
    """Columns wide enough that no number is ever cut short."""
    if not sec.header:
        return 0
    cols = zip(sec.header, *sec.rows, strict=False)
    return sum(max(len(c) for c in col) + 3 for col in cols)
