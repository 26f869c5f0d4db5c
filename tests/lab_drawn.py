"""Waits for what the lab's views have drawn. The page's views draw on the animation frame after
the state changes (static/js/state.js), so a test that saw the state change waits for that
frame, or for the drawing itself, before it reads the page."""


def drawn(page) -> None:
    """Wait until the views have drawn the state (they draw on the next animation frame)."""
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def descent_settled(page) -> None:
    """Wait until the descent view has drawn the state's paths to their end: ``drawn`` lets
    the frame that starts their animation come (until then the last paths' finished
    animation still reads 'false'), then the animation runs to its last step."""
    drawn(page)
    page.wait_for_function("document.querySelector('[data-panel=descent]')"
                           ".dataset.animating === 'false'")


STEPS_SHOW_THE_TRACE = """() => {
    const t = window.__lab.state.trace;
    const nums = [...document.querySelectorAll('[data-panel=steps] .num')];
    return t !== null && nums.length > 0 && nums.every((e) => e.dataset.value ===
        String(e.dataset.key.split('.').reduce((node, part) => node?.[part], t) ?? ''));
}"""


def wait_steps_show_the_trace(page) -> None:
    """Wait until the steps panel has drawn the state's trace (it draws on the animation frame
    after the trace came, and shows the last one drawn until then): its Next walks the phases
    of the trace drawn."""
    page.wait_for_function(STEPS_SHOW_THE_TRACE)
