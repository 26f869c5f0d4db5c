"""The step-by-step panel's buttons in a real browser, at the moments a person can press them:
Next pressed after a trace has come but before the panel has drawn it."""

from tests import test_lab_browser as base  # skips this module too without Chromium
from tests.test_lab_browser import open_lab

# The browser and the server of test_lab_browser, shared rather than copied.
browser, lab_url = base.browser, base.lab_url
expect = base.playwright_api.expect  # assertions that wait for the next drawn frame

# Animation frames 300 ms late, so a trace that comes waits that long to be drawn.
SLOW_FRAMES = """{
    const later = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (fn) => later((t) => setTimeout(() => fn(t), 300));
}"""


def test_next_pressed_before_a_new_trace_is_drawn_walks_its_phases(browser, lab_url):
    context, page, errors = open_lab(browser, lab_url, 1280, 720)
    page.add_init_script(SLOW_FRAMES)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    # Next in the same task as the first trace's arrival: the panel has drawn no phases yet
    pressed = page.evaluate("""() => new Promise((resolve) => {
        const poll = setInterval(() => {
            const s = window.__lab.state;
            if (!s || !s.trace) return;
            clearInterval(poll);
            document.querySelector('[data-panel=steps] [data-action=next]').click();
            resolve(s.trace.layers.length);
        }, 1);
    })""")
    assert pressed == 2  # the default XOR 2-4-1: forward 1, forward 2, loss, backward 2, …
    on = page.locator('[data-panel="steps"] [data-role="phases"] span.on')
    expect(on).to_have_text("forward 2")  # the second phase: Next moved one on
    expect(page.locator('[data-panel="steps"] [data-role="calc"]')).to_contain_text("net")
    context.close()
    assert errors == []
