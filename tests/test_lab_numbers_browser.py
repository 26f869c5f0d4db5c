"""Numbers a teacher reads off the page, in a real browser, against the engine: the table's
predictions and errors to the digit, and what each number on screen says it is (teacher
walkthrough of 2026-12-01). Reuses the browser fixtures of test_lab_browser; screenshots land
in test-artifacts/."""

from backproplab.lab.session import Session
from tests import test_lab_browser as base  # skips this module too without Chromium
from tests.test_lab_browser import drawn, shot

# The browser, the server and the pages of test_lab_browser, shared rather than copied.
browser, lab_url, page, small_page = base.browser, base.lab_url, base.page, base.small_page
expect = base.playwright_api.expect  # assertions that wait for the next drawn frame


def js_exponential(v: float) -> str:
    """``v.toExponential(2)`` as JavaScript writes it (the page's form below 1e-3)."""
    mantissa, exponent = f"{v:.2e}".split("e")
    return f"{mantissa}e{int(exponent):+d}"


def edit_bias(page, neuron: str, value: float) -> None:
    page.click(f'[data-neuron="{neuron}"]')
    editor = page.locator('[data-role="bias-editor"]')
    editor.fill(str(value))
    editor.press("Enter")
    layer, row = (int(k) for k in neuron.split(":"))
    page.wait_for_function(f"window.__lab.state.network.weights[{layer - 1}].b[{row}] === {value}")


def test_a_tiny_predictions_digits_in_the_table_are_the_engines(small_page):
    """The output bias at -12 makes every prediction ~1e-5 to 1e-4: the table prints three
    significant digits of each, and they are the engine's (rounded to 5 decimals on the way
    they read 5.20e-4 for the engine's 5.24e-4, and 1e-5 as 0)."""
    page = small_page
    edit_bias(page, "2:0", -12)
    engine = Session()
    engine.set_weight(1, 0, None, -12)
    out = engine.network.outputs(engine.points.x)[:, 0]
    y = engine.points.y[:, 0]
    assert (out < 1e-3).all()
    rows = page.locator('[data-panel="dataset"] tbody tr')
    for i, p in enumerate(out):
        expect(rows.nth(i).locator('[data-role="pred"]')).to_have_text(js_exponential(p))
        if y[i] == 0:  # the error |0 − p| is as small
            expect(rows.nth(i).locator('[data-role="err"] span')).to_have_text(js_exponential(p))
    # the network shows the selected row's output with the same digits
    selected = page.evaluate("window.__lab.state.selected.index")
    expect(page.locator('[data-value-of="2:0"]')).to_have_text(js_exponential(out[selected]))
    drawn(page)
    shot(page, "numbers-tiny-predictions")
