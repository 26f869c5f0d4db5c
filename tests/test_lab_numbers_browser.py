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


DEEP = "?dataset=circles&hidden=4,4,4,4,4,4&activation=sigmoid"


def test_the_gradient_panel_says_which_rows_each_number_was_measured_on(browser, lab_url):
    """The bars are the last step's batch, the ratio the health check's first 64
    training rows (the lesson readout's too): each says so, and the ratio is the engine's."""
    from backproplab.lab import gradients
    from backproplab.lab.config import from_query

    engine = Session(from_query(DEEP[1:]))
    engine.step("batch")
    ratio = gradients.health_report(engine).first_to_last_ratio
    for width, height in ((1280, 720), (1920, 1080)):
        context, page, errors = base.open_lab(browser, lab_url + DEEP, width, height)
        page.wait_for_function("window.__lab.state.structure?.sizes.length === 8")
        panel = page.locator('[data-panel="gradients"]')
        expect(panel.locator('[data-role="grad-caption"]')).to_have_text(
            "bars: after the first step")
        page.click('[data-action="step"]')
        expect(panel.locator('[data-role="grad-caption"]')).to_have_text(
            f"bars: step 1's batch of {engine.config.batch_size} rows")
        line = panel.locator(".grad-flags li.ratio")
        expect(line).to_contain_text("layer 1 / layer 7 ‖∂L/∂W‖ on the first 64 training rows: ")
        shown = float(line.inner_text().rsplit(": ", 1)[1])
        assert abs(shown - ratio) <= 0.05 * ratio
        assert page.evaluate("(e => e.scrollWidth <= e.clientWidth)(document.querySelector("
                             "'[data-role=grad-caption]'))")
        drawn(page)
        shot(page, f"numbers-gradients-{width}")
        context.close()
        assert errors == []
