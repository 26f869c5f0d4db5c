"""What "the page looks right" means, measured in the browser: the checks the layout tests run
on every lesson and network configuration at 1280×720 and 1920×1080.

``clipping_problems(page)`` returns one line per defect (an empty list when there is none), so
a failing test names every clipped panel at once instead of the first.
"""

from pathlib import Path

# Controls that must be in view without scrolling the controls panel, whatever the network.
IMPORTANT_CONTROLS = ('[data-action="play"]', '[data-action="step"]', '[data-field="dataset"]',
                      '[data-action="layer-add"]', '[data-field="activation"]',
                      '[data-field="optimizer"]', '[data-role="lr"]')
# With up to this many hidden layers the whole controls panel fits; with more it scrolls, by
# design, below the learning rate (speed, seed, exports).
CONTROLS_FIT_UP_TO_LAYERS = 3

_PROBLEMS = (Path(__file__).parent / "layout_checks.js").read_text()


def clipping_problems(page) -> list[str]:
    """Every clipped text, overlap or scrollbar-that-should-not-be on the page, in words."""
    return page.evaluate(_PROBLEMS, [list(IMPORTANT_CONTROLS), CONTROLS_FIT_UP_TO_LAYERS])
