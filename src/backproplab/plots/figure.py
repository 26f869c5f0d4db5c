"""A headless figure that is saved atomically and never registered with pyplot, so batch runs
leak no memory.

Also the palette: Okabe–Ito colours for classes and a diverging blue–orange map for scores,
both readable with the common forms of colour blindness.
"""

import contextlib

from backproplab import atomic_file

CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                "#882255", "#999999",
                "#000000"]
DIVERGING = "PuOr_r"


@contextlib.contextmanager
def figure(path, figsize=(6.4, 4.8)):
    """A Figure drawn with the Agg canvas directly: pyplot is never involved, so the caller's
    backend and open figures (a notebook's, say) are left alone and nothing stays registered.
    ``path`` is a file name or an open binary file (a notebook display draws into memory)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=100)
    FigureCanvasAgg(fig)
    yield fig
    fig.tight_layout()
    if hasattr(path, "write"):
        fig.savefig(path, format="png")
        return
    with atomic_file.atomic_open(path, "wb") as f:
        fig.savefig(f, format="png")
