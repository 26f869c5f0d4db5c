"""The lab in a real browser (Playwright + Chromium): panels, play, step, reset, predict,
editing, step-by-step numbers against the Python trace, no console errors.

A missing Playwright or Chromium fails the run with the command that installs it
(tests/chromium.py). Screenshots of the main views land in test-artifacts/ (git-ignored).
"""

import json
import math
import socket
import threading
import time
from pathlib import Path

import pytest

from tests import chromium
from tests.lab_drawn import descent_settled, drawn, wait_steps_show_the_trace

pytest.importorskip("uvicorn")
playwright_api = chromium.playwright_api()
expect = playwright_api.expect  # assertions that retry until the view has drawn what they read
CHROMIUM = chromium.chromium()

import backproplab as bp  # noqa: E402
from backproplab.lab import make_server  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PANELS = ("network", "controls", "error-history", "dataset", "steps", "data-space", "gradients")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab_url():
    port = free_port()
    server = make_server("127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the lab server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_lab(browser, lab_url, width: int, height: int):
    """A fresh page on the lab at ``width``×``height``, and the list its console errors go to.
    The lab's Content-Security-Policy is bypassed because Playwright's ``wait_for_function``
    evaluates its string in the page; test_lab_security_browser.py runs the lab under it."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  accept_downloads=True, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(lab_url)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("window.__lab.state.network !== null")
    return context, page, errors


@pytest.fixture
def page(browser, lab_url):
    context, page, errors = open_lab(browser, lab_url, 1280, 900)
    yield page
    context.close()
    assert errors == [], f"console errors: {errors}"


@pytest.fixture
def small_page(browser, lab_url):
    """The smallest window the lab is made for: 1280×720."""
    context, page, errors = open_lab(browser, lab_url, 1280, 720)
    yield page
    context.close()
    assert errors == [], f"console errors: {errors}"


def lab(page, expression: str):
    return page.evaluate(f"() => {{ const s = window.__lab.state; return {expression}; }}")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lab-{name}.png"), full_page=True)


def panel_boxes(page) -> dict:
    return {name: page.locator(f'[data-panel="{name}"]').bounding_box() for name in PANELS}


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def assert_panels_inside(page, width: int, height: int) -> None:
    for name, b in panel_boxes(page).items():
        assert b["x"] >= 0 and b["y"] >= 0, name
        assert b["x"] + b["width"] <= width and b["y"] + b["height"] <= height, (name, b)
    assert page.evaluate("document.documentElement.scrollHeight") <= height
    assert page.evaluate("document.documentElement.scrollWidth") <= width



def assert_shown_numbers_equal(page, trace: dict) -> None:
    """Every number the steps panel shows (tagged with its key in the trace) equals the trace."""
    values = page.eval_on_selector_all(
        '[data-panel="steps"] .num', "els => els.map(e => [e.dataset.key, e.dataset.value])")
    assert values
    for key, value in values:
        node = trace
        for part in key.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
        assert math.isclose(float(value), node, rel_tol=1e-12, abs_tol=1e-15), key

def test_page_loads_with_all_six_panels(page):
    for name in PANELS:
        assert page.locator(f'[data-panel="{name}"]').is_visible(), name
    assert lab(page, "s.structure.sizes") == [2, 4, 1]
    expect(page.locator("tbody tr")).to_have_count(4)  # drawn on the frame after the data
    shot(page, "start")


def test_play_trains_loss_falls_and_boundary_changes(page):
    first_heatmap = lab(page, "s.space.values")
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.epoch > 300", timeout=15000)
    page.wait_for_function("window.__lab.state.history.train_loss.length > 50")
    page.click('[data-action="pause"]')
    page.wait_for_function("!window.__lab.state.status.playing")
    losses = lab(page, "s.history.train_loss")
    assert losses[-1] < losses[0]
    assert lab(page, "s.space.values") != first_heatmap
    shot(page, "trained")


def test_step_advances_exactly_one_step(page):
    page.click('[data-action="step"]')
    page.wait_for_function("window.__lab.state.status.step === 1")
    page.click('[data-action="step"]')
    page.wait_for_function("window.__lab.state.status.step === 2")
    page.wait_for_timeout(200)
    assert lab(page, "s.status.step") == 2


def test_reset_restores_identical_weights(page):
    initial = lab(page, "s.network.weights")
    for _ in range(3):
        page.click('[data-action="step"]')
    page.wait_for_function("window.__lab.state.status.step === 3")
    assert lab(page, "s.network.weights") != initial
    page.click('[data-action="reset"]')
    page.wait_for_function("window.__lab.state.status.step === 0")
    assert lab(page, "s.network.weights") == initial


def test_click_predicts_the_point(page):
    box = page.locator('[data-role="points"]').bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.wait_for_function("window.__lab.state.probe !== null")
    probe = lab(page, "s.probe")
    assert len(probe["layers"]) == 2 and 0 <= probe["output"][0] <= 1
    expect(page.locator('[data-role="probe"]')).to_contain_text("f(")


def test_shift_click_adds_a_row(page):
    box = page.locator('[data-role="points"]').bounding_box()
    page.keyboard.down("Shift")
    page.mouse.click(box["x"] + 60, box["y"] + 40)  # inside the axes (x₂'s ticks are left)
    page.keyboard.up("Shift")
    page.wait_for_function("document.querySelectorAll('tbody tr').length === 5")
    assert lab(page, "s.data.y[4]") == 1


def test_editing_a_row_moves_its_point(page):
    page.click('td[data-row="0"][data-col="0"]')  # opens the table's one cell editor
    page.keyboard.type("0.75")
    page.keyboard.press("Enter")
    page.wait_for_function("window.__lab.state.data.x[0][0] === 0.75")
    assert lab(page, "s.data.x[0]") == [0.75, 0.0]


def link_point(page, source: str, target: str, t: float = 0.25) -> tuple[float, float]:
    """A point on the drawn connection from neuron ``source`` to ``target`` ("L:i"), a
    fraction ``t`` of the way from the first's right edge to the second's left edge."""
    a = box(page, f'[data-neuron="{source}"]')
    b = box(page, f'[data-neuron="{target}"]')
    x1, y1 = a["x"] + a["width"], a["y"] + a["height"] / 2
    x2, y2 = b["x"], b["y"] + b["height"] / 2
    return x1 + t * (x2 - x1), y1 + t * (y2 - y1)


def test_weight_edit_changes_the_weight(page):
    page.mouse.click(*link_point(page, "0:0", "1:0"))
    editor = page.locator('[data-role="weight-editor"]')
    editor.fill("1.5")
    editor.press("Enter")
    page.wait_for_function("window.__lab.state.network.weights[0].w[0][0] === 1.5")


def test_step_by_step_numbers_equal_the_python_trace(page, lab_url):
    from backproplab.lab.session import Session

    page.click('[data-action="step"]')
    page.wait_for_function("window.__lab.state.status.step === 1")
    page.locator("tbody tr").nth(2).click()
    page.wait_for_function("window.__lab.state.trace && window.__lab.state.trace.index === 2")
    expected = Session()
    expected.step("batch")
    expected.select(2)
    trace = expected.trace()
    assert lab(page, "s.trace") == trace
    wait_steps_show_the_trace(page)  # Next walks the phases of the trace drawn
    page.click('[data-action="next"]')
    assert_shown_numbers_equal(page, trace)
    shot(page, "step-by-step")


def test_url_holds_the_configuration(page, lab_url):
    page.goto(lab_url + "?dataset=moons&points=120&hidden=6,3&lr=0.03&test_fraction=0.25")
    page.wait_for_function("window.__lab.state.structure && "
                           "window.__lab.state.structure.sizes.join() === '2,6,3,1'")
    assert lab(page, "s.data.x.length") == 120
    page.select_option('[data-field="activation"]', "relu")
    page.wait_for_function("location.search.includes('activation=relu')")
    shot(page, "moons")


def test_divergence_is_explained(page, lab_url):
    page.goto(lab_url + "?dataset=sine&points=100&loss=mse&hidden=16&activation=relu&lr=10"
                        "&batch_size=100&test_fraction=0.2")
    page.wait_for_function("window.__lab.state.structure && "
                           "window.__lab.state.structure.task === 'regression'")
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.diverged !== null", timeout=15000)
    # Views draw on the next animation frame: wait for the banner itself, not just the state.
    page.wait_for_function("document.querySelector('[data-role=banner]').textContent !== ''")
    banner = page.locator('[data-role="banner"]').inner_text()
    assert "learning rate" in banner
    assert "NaN" not in page.locator('[data-panel="status"]').inner_text()


def test_autoencoder_and_descent_modes(page):
    page.click('[data-action="mode"][data-mode="autoencoder"]')
    page.wait_for_function("window.__lab.state.autoencoder !== null")
    assert lab(page, "s.structure.sizes") == [8, 3, 8]
    shot(page, "autoencoder")
    page.click('[data-action="mode"][data-mode="descent"]')
    page.wait_for_selector('[data-panel="descent"]:not([hidden])')
    page.click('[data-action="compare"]')
    page.wait_for_function("document.querySelector('[data-role=descent-summary]')"
                           ".textContent.includes('converging')")
    shot(page, "descent")


def test_descent_optimizer_choice_redraws_the_path_with_the_server_numbers(page):
    page.click('[data-action="mode"][data-mode="descent"]')
    page.wait_for_selector('[data-panel="descent"]:not([hidden])')
    page.select_option('[data-action="function"]', "narrow_valley")
    page.wait_for_function("window.__lab.state.descent?.[0].function === 'narrow_valley'")
    descent_settled(page)  # the valley's sgd path drawn whole: not the last function's, not half
    canvas = "document.querySelector('[data-role=descent-plot]').toDataURL()"
    sgd_pixels, sgd = page.evaluate(canvas), lab(page, "s.descent[0].path")
    assert sgd["optimizer"] == "sgd"
    page.select_option('[data-action="descent-optimizer"]', "adam")
    page.wait_for_function("window.__lab.state.descent[0].path.optimizer === 'adam'")
    descent_settled(page)
    assert page.evaluate(canvas) != sgd_pixels
    adam = lab(page, "s.descent[0].path")
    expected = bp.explain.descend(bp.explain.narrow_valley, [-2.5, 1.0], adam["lr"],
                                  len(adam["points"]) - 1, optimizer="adam").to_dict()
    assert adam == json.loads(json.dumps(expected)) and adam["points"] != sgd["points"]
    summary = page.locator('[data-role="descent-summary"]')
    assert f"adam     lr {adam['lr']:g}" in summary.inner_text()
    page.click('[data-action="compare-optimizers"]')
    page.wait_for_function("window.__lab.state.descent.length === 5")
    names = lab(page, "s.descent.map((r) => r.path.optimizer)")
    assert names == lab(page, "window.__lab.state.welcome.choices.compared_optimizers")
    assert len(set(lab(page, "s.descent.map((r) => r.path.lr)"))) == 1
    expect(summary).to_contain_text("rmsprop")
    assert summary.evaluate("e => e.scrollHeight <= e.clientHeight")  # all five runs, whole
    shot(page, "descent-optimizers")


def test_all_six_panels_fit_1280x720_and_do_not_move_while_training(small_page):
    page = small_page
    assert_panels_inside(page, 1280, 720)
    page.locator("tbody tr").nth(1).click()
    page.wait_for_function("window.__lab.state.trace !== null")
    before = panel_boxes(page)
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.step > 100")
    during = panel_boxes(page)
    page.wait_for_timeout(1000)
    after = panel_boxes(page)
    page.click('[data-action="pause"]')
    page.wait_for_function("!window.__lab.state.status.playing")
    assert lab(page, "s.history.train_loss.length") > 10
    assert before == during == after
    assert panel_boxes(page) == before
    assert_panels_inside(page, 1280, 720)
    shot(page, "1280x720")


def test_all_six_panels_fit_1920x1080(browser, lab_url):
    context, page, errors = open_lab(browser, lab_url, 1920, 1080)
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.epoch > 200")
    page.click('[data-action="pause"]')
    page.wait_for_function("!window.__lab.state.status.playing")
    page.locator("tbody tr").nth(2).click()
    page.wait_for_function("window.__lab.state.trace && window.__lab.state.trace.index === 2")
    assert_panels_inside(page, 1920, 1080)
    shot(page, "1920x1080")
    context.close()
    assert errors == []


def test_controls_and_legends_are_not_clipped(small_page):
    page = small_page
    controls = box(page, '[data-panel="controls"]')
    lr = box(page, '[data-role="lr"]')
    assert lr["width"] > 10 and lr["x"] + lr["width"] <= controls["x"] + controls["width"] - 8
    assert page.evaluate("(e => e.scrollWidth <= e.clientWidth)"
                         "(document.querySelector('[data-panel=controls]'))")
    history = box(page, '[data-panel="error-history"]')
    legend = box(page, '[data-panel="error-history"] .legend')
    assert legend["y"] + legend["height"] <= history["y"] + history["height"]


def test_neurons_per_layer_are_one_compact_row_each(small_page):
    page = small_page
    page.click('[data-action="layer-add"]')
    page.wait_for_function("document.querySelectorAll('.layer-row').length === 2")
    for row in page.locator(".layer-row").all():
        buttons = [b.bounding_box() for b in row.locator("button").all()]
        assert len(buttons) == 2 and buttons[0]["y"] == buttons[1]["y"]
        assert buttons[0]["x"] < buttons[1]["x"]
        assert row.bounding_box()["height"] < 32
    page.locator('.layer-row [data-delta="1"]').nth(1).click()
    page.wait_for_function("window.__lab.state.structure.sizes.join() === '2,4,5,1'")


def test_taking_a_step_from_the_panel_animates_once_and_play_does_not(small_page):
    page = small_page
    page.evaluate("""() => {
        window.__pulses = 0;
        new MutationObserver((records) => {
            for (const r of records) if (r.target.dataset.pulse) window.__pulses += 1;
        }).observe(document.querySelector('[data-panel=network] [data-role=links]'),
                   {attributes: true, attributeFilter: ['data-pulse']});
    }""")
    page.wait_for_function("window.__lab.state.trace !== null")
    page.click('[data-panel="steps"] [data-action="apply-step"]')
    page.wait_for_function("window.__pulses > 0")
    page.wait_for_timeout(1000)  # forward then backward over 2 layers: 4 × 0.16 s
    assert page.evaluate("document.querySelector('[data-role=links]').dataset.pulse") == ""
    assert lab(page, "s.status.step") == 1
    page.evaluate("window.__pulses = 0")
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.step > 100")
    page.wait_for_timeout(1000)
    page.click('[data-action="pause"]')
    assert page.evaluate("window.__pulses") == 0


def overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def boundary_box(page) -> dict:
    return page.locator('[data-panel="data-space"] [data-action="discrete"]').evaluate(
        "e => ({disabled: e.disabled, checked: e.checked, title: e.parentElement.title,"
        " box: JSON.stringify(e.getBoundingClientRect())})")


def test_boundary_box_is_disabled_where_there_is_no_boundary(small_page, lab_url):
    page = small_page
    network = boundary_box(page)
    assert not network["disabled"] and network["title"] == ""
    page.check('[data-action="discrete"]')
    page.click('[data-action="mode"][data-mode="autoencoder"]')
    page.wait_for_function("window.__lab.state.structure?.task === 'autoencoder'")
    drawn(page)
    autoencoder = boundary_box(page)
    assert autoencoder["disabled"] and not autoencoder["checked"]
    assert "autoencoder" in autoencoder["title"] and "boundary" in autoencoder["title"]
    assert autoencoder["box"] == network["box"]
    assert_panels_inside(page, 1280, 720)
    shot(page, "boundary-disabled")
    page.click('[data-action="mode"][data-mode="network"]')
    page.wait_for_function("window.__lab.state.structure?.task === 'binary'")
    drawn(page)
    again = boundary_box(page)
    assert not again["disabled"] and again["checked"] and again["title"] == ""
    page.goto(lab_url + "?dataset=sine&points=100&noise=0.1&loss=mse")
    page.wait_for_function("window.__lab.state.structure?.task === 'regression'")
    drawn(page)
    curve = boundary_box(page)
    assert curve["disabled"] and "regression" in curve["title"]
