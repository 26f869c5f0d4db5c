"""Each concept made visible, in a real browser: the gradient descent plot (click to start, step
slider, two minima of the double well, Himmelblau, a lesson's preset), the gradient panel
(bars with readable values, flags, the initialisation), the status line's train and test
accuracy, L1 and early stopping, typed values, the step-by-step wording and the banner's place.

Uses the fixtures of test_lab_browser.py; screenshots land in test-artifacts/.
"""

import re

import numpy
import pytest

import backproplab as bp
from tests import test_lab_browser as base
from tests.page_numbers import ascii_minus, page_float
from tests.test_lab_browser import assert_panels_inside, box, drawn, lab, open_lab, overlap, shot

# The other module's fixtures, shared here: one server and one browser for this module.
browser, lab_url, page, small_page = base.browser, base.lab_url, base.page, base.small_page
expect = base.playwright_api.expect  # assertions that wait for the next drawn frame

DEEP_SIGMOID = ("?dataset=moons&points=200&noise=0.1&test_fraction=0.3&batch_size=16"
                "&hidden=4,4,4,4,4,4&activation=sigmoid")


def descent_mode(page, function: str) -> None:
    page.click('[data-action="mode"][data-mode="descent"]')
    page.wait_for_selector('[data-panel="descent"]:not([hidden])')
    page.select_option('[data-action="function"]', function)
    page.wait_for_function(f"window.__lab.state.descent?.[0].function === '{function}'")
    settled(page)


def settled(page) -> None:
    """The state's paths drawn to their end (not the last paths', whose animation ended)."""
    base.descent_settled(page)


def click_at(page, x: float, y: float | None = None) -> None:
    """Click the descent plot at data coordinates (x, y); y defaults to the plot's middle."""
    frame = page.evaluate("JSON.parse(document.querySelector('[data-role=descent-plot]')"
                          ".dataset.frame)")
    canvas = box(page, '[data-role="descent-plot"]')
    y = (frame["y0"] + frame["y1"]) / 2 if y is None else y
    px = frame["left"] + (x - frame["x0"]) / (frame["x1"] - frame["x0"]) * frame["width"]
    py = frame["top"] + (frame["y1"] - y) / (frame["y1"] - frame["y0"]) * frame["height"]
    page.mouse.click(canvas["x"] + px, canvas["y"] + py)


def test_double_well_clicked_from_two_sides_ends_in_two_different_minima(page):
    descent_mode(page, "double_well")
    assert "click the plot" in page.locator('[data-role="descent-hint"]').inner_text()
    ends = []
    for x in (-1.7, 1.7):
        click_at(page, x)
        page.wait_for_function(f"Math.abs(window.__lab.state.descent[0].path.points[0] - {x})"
                               " < 0.02")
        settled(page)
        path = lab(page, "s.descent[0].path")
        expected = bp.explain.descend(bp.explain.double_well, path["points"][0], path["lr"],
                                      len(path["points"]) - 1)
        assert path["points"] == pytest.approx(expected.points, rel=1e-12)
        ends.append(path["points"][-1])
    assert ends[0] == pytest.approx(-1.035579, abs=1e-3)  # the global minimum
    assert ends[1] == pytest.approx(0.960150, abs=1e-3)   # the local one
    text = page.locator('[data-role="descent-summary"]').inner_text()
    assert "converging" in text and "0.96" in text
    shot(page, "descent-double-well")


def test_step_slider_scrubs_back_through_the_path(page):
    descent_mode(page, "double_well")
    canvas = "document.querySelector('[data-role=descent-plot]').toDataURL()"
    whole = page.evaluate(canvas)
    page.evaluate("""() => { const s = document.querySelector('[data-action=descent-step]');
                             s.value = 3; s.dispatchEvent(new Event('input')); }""")
    path = lab(page, "s.descent[0].path")
    assert page.locator('[data-role="descent-step"]').inner_text() == \
        f"3 / {len(path['points']) - 1}"
    summary = page.locator('[data-role="descent-summary"]').inner_text()
    assert f"after 3 steps: x = {path['points'][3]:.3g}, f = " in ascii_minus(summary)
    assert page.evaluate(canvas) != whole  # fewer steps drawn
    page.click('[data-action="descent-play"]')
    seen = page.evaluate("""() => new Promise((done) => {
        const root = document.querySelector('[data-panel=descent]');
        const steps = [];
        const watch = new MutationObserver(() => {
            steps.push(+root.dataset.step);
            if (root.dataset.animating === 'false') { watch.disconnect(); done(steps); }
        });
        watch.observe(root, { attributes: true });
    })""")
    assert len(set(seen)) > 5 and seen == sorted(seen) and seen[-1] == len(path["points"]) - 1


def test_himmelblau_contours_minima_and_a_start_in_each_quadrant(page):
    descent_mode(page, "himmelblau")
    minima = lab(page, "s.descent[0].minima")
    assert len(minima) == 4
    for (x, y), minimum in zip([(1, 1), (-1, 1), (-1, -1), (1, -1)], minima, strict=True):
        click_at(page, x, y)
        page.wait_for_function(f"(([p, q]) => Math.abs(p - {x}) < 0.05 && Math.abs(q - {y}) < 0.05)"
                               "(window.__lab.state.descent[0].path.points[0])")
        settled(page)
        end = lab(page, "s.descent[0].path.points.at(-1)")
        assert end == pytest.approx(minimum["at"], abs=0.05)
    shot(page, "descent-himmelblau")


def test_descent_preset_from_a_lesson_runs_that_path(page):
    page.click('[data-action="mode"][data-mode="descent"]')
    page.wait_for_selector('[data-panel="descent"]:not([hidden])')
    page.evaluate("""() => import('/static/js/state.js').then((m) => m.update({ descentPreset:
        { function: 'himmelblau', start: [-4, 0], lr: 0.005, optimizer: 'momentum',
          steps: 30 } }))""")
    page.wait_for_function("window.__lab.state.descent?.[0].function === 'himmelblau' && "
                           "window.__lab.state.descent[0].path.optimizer === 'momentum'")
    path = lab(page, "s.descent[0].path")
    expected = bp.explain.descend(bp.explain.himmelblau, [-4, 0], 0.005, 30, "momentum")
    numpy.testing.assert_allclose(path["points"], expected.points, rtol=1e-12)
    assert page.locator('[data-action="function"]').input_value() == "himmelblau"
    assert page.locator('[data-role="descent-lr"]').input_value() == "0.005"


def test_descent_mode_hides_the_network_controls_and_refuses_play(page):
    page.click('[data-action="mode"][data-mode="descent"]')
    page.wait_for_selector('[data-panel="descent"]:not([hidden])')
    assert not page.locator('[data-action="play"]').is_visible()
    assert page.locator('[data-role="descent-note"]').is_visible()
    refusal = page.evaluate("() => import('/static/js/socket.js').then((m) => m.request('play'))"
                            ".then(() => 'accepted', (e) => e.message)")
    assert "gradient descent" in refusal
    assert lab(page, "s.status.playing") is False
    page.click('[data-action="mode"][data-mode="network"]')
    page.wait_for_selector('[data-action="play"]', state="visible")


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_gradient_panel_shows_each_layers_norm_and_flags_a_deep_sigmoid(browser, lab_url,
                                                                        width, height):
    context, page, errors = open_lab(browser, lab_url + DEEP_SIGMOID, width, height)
    page.wait_for_function("window.__lab.state.structure?.sizes.length === 8")
    page.select_option('[data-action="step-unit"]', "epoch")
    for n in range(1, 4):
        page.click('[data-action="step"]')
        page.wait_for_function(f"window.__lab.state.history.grad_norms.length === {n}")
    page.wait_for_function("window.__lab.state.gradients?.norms !== null")
    drawn(page)  # the panel draws the gradients on the animation frame after they came
    panel = page.locator('[data-panel="gradients"]')
    rows = panel.locator(".grad-bar")
    assert rows.count() == 7
    norms = lab(page, "s.gradients.norms")
    for row, norm in zip(rows.all(), norms, strict=True):
        value = row.locator("output")
        text = value.inner_text()
        assert re.fullmatch(r"[0-9.]+(e−?\d+)?", text) and page_float(text) == pytest.approx(
            norm, rel=0.05)
        assert value.evaluate("e => e.scrollWidth <= e.clientWidth")  # never cut or wrapped
        assert row.bounding_box()["height"] <= 16
        assert row.locator("i").bounding_box()["width"] > 0
    gradients = lab(page, "s.gradients")
    assert gradients["ratio"] < 1e-3
    flags = panel.locator('[data-role="grad-flags"]').inner_text()
    assert "vanishing gradient: layer 1 receives" in flags and "of layer 7's gradient" in flags
    assert "Xavier" in panel.locator('[data-role="grad-init"]').inner_text()
    assert "Xavier (Glorot) uniform" in panel.locator('[data-role="grad-init"]').get_attribute(
        "title")
    chart = panel.locator('[data-role="grad-chart"]')
    assert chart.bounding_box()["height"] > 60
    assert_panels_inside(page, width, height)
    shot(page, f"gradients-deep-sigmoid-{width}x{height}")
    context.close()
    assert errors == []


def test_deep_relu_panel_names_kaiming_and_learns(small_page, lab_url):
    page = small_page
    page.goto(lab_url + "?dataset=moons&points=200&noise=0.1&test_fraction=0.3&batch_size=16"
                        "&hidden=4,4,4,4,4,4&activation=relu&lr=0.1")
    page.wait_for_function("window.__lab.state.gradients?.init.startsWith('Kaiming')")
    # the panel is drawn on the animation frame after the state: expect waits for it
    expect(page.locator('[data-role="grad-init"]')).to_contain_text("Kaiming (He)")
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.epoch >= 60", timeout=30000)
    page.click('[data-action="pause"]')
    page.wait_for_function("!window.__lab.state.status.playing")
    assert lab(page, "s.status.accuracy") >= 0.9
    assert lab(page, "s.gradients.ratio") > 1e-2
    shot(page, "gradients-deep-relu")


def test_status_line_shows_train_and_test_accuracy(page, lab_url):
    page.goto(lab_url + "?dataset=moons&points=200&noise=0.1&test_fraction=0.3&batch_size=16")
    # the moons' frame: the default XOR's, which may come first, is a binary task too
    page.wait_for_function("window.__lab.state.config?.dataset === 'moons'")
    page.select_option('[data-action="step-unit"]', "epoch")
    page.click('[data-action="step"]')
    page.wait_for_function("window.__lab.state.status.test_accuracy !== null")
    status = lab(page, "s.status")
    line = page.locator('[data-panel="status"]')
    page.wait_for_function("document.querySelector('[data-role=test-accuracy]')")
    assert line.locator('[data-role="train-accuracy"]').inner_text() == \
        f"train {round(100 * status['accuracy'])}%"
    assert line.locator('[data-role="test-accuracy"]').inner_text() == \
        f"test {round(100 * status['test_accuracy'])}%"
    assert re.search(r"loss train [\d.]+ test [\d.]+ · accuracy train \d+% test \d+%",
                     line.inner_text())
    for role in ("train-loss", "test-loss", "train-accuracy", "test-accuracy"):  # none cut off
        shown = box(page, f'[data-role="{role}"]')
        assert shown["x"] + shown["width"] <= box(page, '[data-panel="status"]')["x"] + \
            box(page, '[data-panel="status"]')["width"] + 0.5, role


def test_early_stopping_marks_the_best_epoch_and_restores_it(page, lab_url):
    page.goto(lab_url + "?dataset=moons&points=60&noise=0.3&test_fraction=0.3&batch_size=16"
                        "&hidden=32,32&activation=relu")
    page.wait_for_function("window.__lab.state.structure?.sizes.join() === '2,32,32,1'")
    page.locator('[data-field="l1"]').fill("0.001")
    page.locator('[data-field="l1"]').dispatch_event("change")
    page.wait_for_function("window.__lab.state.config.l1 === 0.001")
    assert page.locator('[data-action="restore-best"]').is_disabled()
    page.check('[data-field="early_stopping"]')
    page.wait_for_function("window.__lab.state.config.early_stopping === true")
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.best_epoch !== null")
    page.wait_for_function("!window.__lab.state.status.playing", timeout=30000)
    best = lab(page, "s.status.best_epoch")
    expect(page.locator('[data-role="best-epoch"]')).to_contain_text(f"best epoch {best}")
    assert any("Early stopping" in e["message"] for e in lab(page, "s.events"))
    page.click('[data-action="restore-best"]')
    page.wait_for_function("window.__lab.state.events.some((e) => e.kind === 'restore')")
    assert f"epoch {best} restored" in lab(page, "s.events.at(-1).message")
    shot(page, "early-stopping")


def test_typed_learning_rate_and_neuron_count(page):
    page.locator('[data-role="lr"]').fill("0.03")
    page.locator('[data-role="lr"]').press("Enter")
    page.wait_for_function("window.__lab.state.config.lr === 0.03")
    neurons = page.locator('[data-role="neurons"][data-layer="0"]')
    neurons.fill("7")
    neurons.press("Enter")
    page.wait_for_function("window.__lab.state.structure.sizes.join() === '2,7,1'")
    assert "selected row" in page.locator('[data-action="step-unit"] option[value="sample"]'
                                          ).inner_text()


def test_step_by_step_brackets_negative_factors_and_names_parameters(page):
    page.click('[data-action="step"]')
    page.wait_for_function("window.__lab.state.status.step === 1")
    page.locator("tbody tr").nth(3).click()  # xor (1, 1)
    page.wait_for_function("window.__lab.state.trace && window.__lab.state.trace.index === 3")
    base.wait_steps_show_the_trace(page)  # Next walks the phases of the trace drawn
    steps = page.locator('[data-panel="steps"]')
    for _ in range(4):  # forward 1, forward 2, loss, backward 2, backward 1
        page.click('[data-action="next"]')
    text = steps.locator(".calc").inner_text()
    assert "∂L/∂w1" in text
    assert "·−" not in text and "· −" not in text  # a negative right factor is bracketed
    assert not re.search(r"(=|\+) −[\d.]+(e−?\d+)?·", text), text  # and a left one
    assert "·(−" in text  # this step has negative factors, bracketed, with the minus sign '−'
    page.click('[data-action="next"]')
    text = steps.locator(".calc").inner_text()
    assert "layer 1 · neuron 1 (h1): w from x1 0.weight[0, 0]" in text
    assert "layer 2 · neuron 1 (o1): bias 2.bias[0]" in text


def test_divergence_banner_covers_no_panel_heading(small_page, lab_url):
    page = small_page
    page.goto(lab_url + "?dataset=sine&points=100&loss=mse&hidden=16&activation=relu&lr=10"
                        "&batch_size=100&test_fraction=0.2")
    page.wait_for_function("window.__lab.state.structure?.task === 'regression'")
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.diverged !== null", timeout=15000)
    page.wait_for_function("document.querySelector('[data-role=banner]').textContent !== ''")
    banner = box(page, '[data-role="banner"]')
    for heading in page.locator(".panel h2").all():
        if heading.is_visible():
            assert not overlap(banner, heading.bounding_box()), heading.inner_text()
    assert banner["y"] + banner["height"] <= 720
    shot(page, "banner")


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_descent_mode_fills_the_window_with_axes_and_both_new_functions(browser, lab_url,
                                                                        width, height):
    context, page, errors = open_lab(browser, lab_url, width, height)
    for function in ("double_well", "himmelblau"):
        descent_mode(page, function)
        frame = page.evaluate("JSON.parse(document.querySelector('[data-role=descent-plot]')"
                              ".dataset.frame)")
        assert frame["height"] > 0.55 * height  # the plot takes most of the window
        panel = box(page, '[data-panel="descent"]')
        assert panel["x"] + panel["width"] <= width and panel["y"] + panel["height"] <= height
        assert page.evaluate("document.documentElement.scrollHeight") <= height
        shot(page, f"descent-{function}-{width}x{height}")
    context.close()
    assert errors == []
