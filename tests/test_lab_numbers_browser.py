"""Numbers a teacher reads off the page, in a real browser, against the engine: the table's
predictions and errors to the digit, and what each number on screen says it is (teacher
walkthrough of 2026-12-01). Reuses the browser fixtures of test_lab_browser; screenshots land
in test-artifacts/."""

from backproplab.lab.session import Session
from tests import test_lab_browser as base  # skips this module too without Chromium
from tests.page_numbers import page_float
from tests.test_lab_browser import drawn, shot

# The browser, the server and the pages of test_lab_browser, shared rather than copied.
browser, lab_url, page, small_page = base.browser, base.lab_url, base.page, base.small_page
expect = base.playwright_api.expect  # assertions that wait for the next drawn frame


def js_exponential(v: float) -> str:
    """``v.toExponential(2)`` as JavaScript writes it (the page's form below 1e-3), with the
    page's minus sign '−'."""
    mantissa, exponent = f"{v:.2e}".split("e")
    return f"{mantissa}e{int(exponent):+d}".replace("-", "−")


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
        shown = page_float(line.inner_text().rsplit(": ", 1)[1])
        assert abs(shown - ratio) <= 0.05 * ratio
        assert page.evaluate("(e => e.scrollWidth <= e.clientWidth)(document.querySelector("
                             "'[data-role=grad-caption]'))")
        drawn(page)
        shot(page, f"numbers-gradients-{width}")
        context.close()
        assert errors == []


def boxes_overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def test_the_neuron_box_names_one_sample_and_what_each_gradient_is(browser, lab_url):
    """The box's δ is the selected row's, said so, and a clicked point (no target) has none;
    ∂L/∂b says it is the last step's; the box covers neither its neuron nor the hover card,
    and closes when the network changes (teacher items 5 and 15)."""
    for width, height in ((1280, 720), (1920, 1080)):
        context, page, errors = base.open_lab(browser, lab_url, width, height)
        page.locator('[data-panel="dataset"] tbody tr').nth(1).click()
        page.wait_for_function("window.__lab.state.selected?.index === 1")
        page.click('[data-neuron="1:1"]')
        page.wait_for_function("window.__lab.state.trace?.index === 1")
        delta = page.evaluate("window.__lab.state.trace.layers[0].neurons[1].delta[0]")
        info = page.locator('[data-role="neuron-info"]')
        expect(info).to_contain_text("for row 1 alone")
        expect(info).to_contain_text("∂L/∂b = — (no step yet)")
        text = info.inner_text()
        shown = page_float(text.split("δ = ∂L/∂net = ")[1].split()[0])
        assert abs(shown - delta) <= 5e-4 * abs(delta)
        neuron = page.locator('[data-neuron="1:1"]').bounding_box()
        assert not boxes_overlap(info.bounding_box(), neuron)
        page.hover('[data-neuron="1:1"]')  # the box already says it all: no card on top
        drawn(page)
        assert page.locator('[data-role="tooltip"]').is_hidden()
        card = info.bounding_box()
        free = next(n for n in page.locator("[data-neuron]").all()
                    if not boxes_overlap(n.bounding_box(), card))
        free.hover()
        tooltip = page.locator('[data-role="tooltip"]')
        expect(tooltip).to_be_visible()
        assert not boxes_overlap(tooltip.bounding_box(), info.bounding_box())
        shot(page, f"numbers-neuron-box-{width}")
        points = page.locator('[data-role="points"]').bounding_box()
        page.mouse.click(points["x"] + points["width"] * 0.3, points["y"] + points["height"] * 0.7)
        page.wait_for_function("window.__lab.state.probe !== null")
        expect(info).to_contain_text("for the clicked point")
        expect(info).to_contain_text("no δ: a clicked point has no target")
        assert "δ = ∂L/∂net" not in info.inner_text()
        shot(page, f"numbers-neuron-box-probe-{width}")
        page.click('[data-action="layer-add"]')
        page.wait_for_function("window.__lab.state.structure.sizes.length === 4")
        expect(info).to_be_hidden()
        context.close()
        assert errors == []


def test_a_negative_bias_is_a_bracketed_term_and_terms_never_break(browser, lab_url):
    """'net = … + (−0.5)' like a negative weight, where it read '+ -0.5'; a term (w·x, or
    '+ b') is never split over two lines, so no line ends in '+' (teacher item 20)."""
    for width, height in ((1280, 720), (1920, 1080)):
        context, page, errors = base.open_lab(browser, lab_url, width, height)
        edit_bias(page, "1:0", -0.5)
        page.click('[data-action="close-neuron"]')
        calc = page.locator('.steps [data-role="calc"]')
        expect(calc).to_contain_text("+ (−0.5)")
        assert "+ -" not in calc.inner_text() and "+ −" not in calc.inner_text()
        broken = page.eval_on_selector_all(".steps [data-role=calc] .term",
                                           "ts => ts.filter((t) => new Set([...t.getClientRects()]"
                                           ".map((r) => Math.round(r.bottom))).size > 1).length")
        assert page.locator(".steps [data-role=calc] .term").count() >= 12 and broken == 0
        drawn(page)
        shot(page, f"numbers-steps-bias-{width}")
        context.close()
        assert errors == []


def test_the_tables_error_column_says_it_is_not_the_loss(small_page, lab_url):
    """'Error' beside a prediction of 0.5 read 0.5 where the row's loss is 0.693 (teacher item
    21): the column is named for what it is, its title says it is not the loss; and the
    panel, which lists test rows too, is not titled 'Training dataset' (item 23)."""
    page = small_page
    heads = page.locator('[data-panel="dataset"] thead th')
    expect(heads.nth(5)).to_have_text("Off by")
    assert "not the loss" in heads.nth(5).get_attribute("title").lower()
    assert page.locator('[data-panel="dataset"] h2').inner_text().lower() == "dataset"
    page.goto(lab_url + "?dataset=moons&points=100&test_fraction=0.3")
    expect(page.locator('[data-panel="dataset"] [data-role="pager"]')).to_have_text(
        "100 rows (30 test)")
    assert page.locator('[data-role="pager"] span').get_attribute("title") == (
        "70 training rows and 30 test rows (marked: never trained on)")
    assert page.evaluate("(e => e.scrollWidth <= e.clientWidth)(document.querySelector("
                         "'[data-panel=dataset] .table-foot'))")
    shot(page, "numbers-table-columns")
