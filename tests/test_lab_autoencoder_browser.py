"""The autoencoder and networks without hidden layers in a real browser: the step-by-step
panel's op-level trace against the Python trace, the activation control where no hidden layer
uses it, and the code plot's labels and points."""

import re

import pytest

from tests import test_lab_browser as base  # skips this module too without Chromium
from tests.test_lab_browser import assert_shown_numbers_equal, drawn, lab, open_lab, overlap, shot

# The browser, the server and the pages of test_lab_browser, shared rather than copied.
browser, lab_url, page, small_page = base.browser, base.lab_url, base.page, base.small_page
expect = base.playwright_api.expect  # assertions that wait for the next drawn frame


def test_autoencoder_step_by_step_renders_the_op_level_trace(small_page):
    page = small_page
    page.click('[data-action="mode"][data-mode="autoencoder"]')
    page.wait_for_function("window.__lab.state.trace && window.__lab.state.trace.kind === 'graph'")
    page.wait_for_selector('[data-panel="steps"] .op-node')
    trace = lab(page, "s.trace")
    nodes = trace["graph"]["nodes"]
    ops = [n for n in nodes if n["kind"] == "op"]
    steps = page.locator('[data-panel="steps"]')

    forward = steps.locator(".calc").inner_text()
    assert steps.locator(".op-node").count() == len(nodes)
    for op in ops:
        assert f"{op['id']} {op['op']}" in forward and op["formula"] in forward
    assert "encoder.0.weight" in forward
    assert_shown_numbers_equal(page, trace)
    page.click('[data-action="next"]')
    page.click('[data-action="next"]')
    page.wait_for_function("document.querySelector('[data-panel=steps] .phases .on')"
                           ".textContent === 'backward (ops)'")
    backward = steps.locator(".calc").inner_text()
    for op in ops:
        assert f"{op['id']} {op['op']}" in backward
        for rule in op["derivative"]:
            assert rule in backward
    assert backward.index(ops[0]["id"] + " ") < backward.index(ops[-1]["id"] + " ")
    params = [n for n in nodes if n["kind"] == "parameter"]
    shown = re.findall(r"parameter \([^)]*\)\n  ∂L/∂p = ", backward)
    assert len(shown) == len(params)  # this step's gradients, with numbers
    assert_shown_numbers_equal(page, trace)
    shot(page, "autoencoder-op-trace")


def network_title(page):
    return page.locator('[data-panel="network"] [data-role="shape"]')


def activation_control(page) -> dict:
    return page.locator('[data-field="activation"]').evaluate(
        "e => ({disabled: e.disabled, shown: e.selectedOptions[0]?.textContent ?? '',"
        " title: e.closest('.field').title})")


def test_hidden_activation_does_not_apply_without_hidden_layers(page, lab_url):
    page.click('[data-action="mode"][data-mode="autoencoder"]')
    page.wait_for_function("window.__lab.state.structure?.mode === 'autoencoder'")
    assert lab(page, "s.config.hidden") == [] and lab(page, "s.config.activation") == "tanh"
    # the controls and the network's title are drawn on the animation frame after the state
    expect(network_title(page)).to_have_text("8-3-8 · code identity · output sigmoid")
    expect(page.locator('[data-field="activation"]')).to_be_disabled()
    control = activation_control(page)
    assert control["disabled"] and "tanh" not in control["shown"]
    assert "no hidden layer" in control["title"]

    page.click('[data-action="layer-add"]')
    page.wait_for_function("window.__lab.state.structure.sizes.join() === '8,4,3,4,8'")
    page.wait_for_function("!document.querySelector('[data-field=activation]').disabled")
    assert activation_control(page)["shown"] == "tanh"
    expect(network_title(page)).to_have_text(
        "8-4-3-4-8 · hidden tanh · code identity · output sigmoid")

    for query, title in [("?hidden=", "2-1 · output sigmoid"),
                         ("?dataset=sine&loss=mse&hidden=", "1-1 · output identity")]:
        page.goto(lab_url + query)
        page.wait_for_function("window.__lab.state.structure?.sizes.length === 2")
        page.wait_for_function("document.querySelector('[data-field=activation]').disabled")
        assert "tanh" not in activation_control(page)["shown"]
        expect(network_title(page)).to_have_text(title)
    shot(page, "no-hidden-layers")


def test_code_plot_caption_never_overlaps_a_point_label(page):
    page.click('[data-action="mode"][data-mode="autoencoder"]')
    page.wait_for_function("window.__lab.state.autoencoder !== null")
    page.select_option('[data-action="step-unit"]', "epoch")
    plot = page.locator('[data-panel="data-space"] [data-role="code-plot"]')
    for steps in (0, 5, 40, 200):
        while lab(page, "s.status.step") < steps:
            page.click('[data-action="step"]')
        page.wait_for_function(f"window.__lab.state.status.step >= {steps}")
        drawn(page)  # the plot draws on the frame after the state changes
        caption = plot.locator('[data-role="code-caption"]').bounding_box()
        labels = plot.locator(".code-label")
        assert labels.all_text_contents() == [str(k) for k in lab(page, "s.autoencoder.labels")]
        frame = plot.bounding_box()
        assert caption["y"] >= frame["y"]
        for label in labels.all():
            b = label.bounding_box()
            assert not overlap(caption, b), (steps, label.text_content(), caption, b)
            assert frame["x"] <= b["x"] and b["x"] + b["width"] <= frame["x"] + frame["width"]
            assert frame["y"] <= b["y"] and b["y"] + b["height"] <= frame["y"] + frame["height"]
    shot(page, "autoencoder-code-plot")


def test_code_plot_of_a_one_unit_code_shows_every_point(page, lab_url):
    page.goto(lab_url + "?mode=autoencoder&dataset=encoder&hidden=&bottleneck=1")
    page.wait_for_function("window.__lab.state.autoencoder?.code_size === 1")
    plot = page.locator('[data-panel="data-space"] [data-role="code-plot"]')
    page.wait_for_function("document.querySelectorAll('[data-role=code-plot] circle').length")
    xs = plot.locator("circle").evaluate_all("cs => cs.map((c) => +c.getAttribute('cx'))")
    codes = lab(page, "s.autoencoder.latent")
    assert len(xs) == len(codes) == 8
    order = sorted(range(8), key=lambda k: codes[k])
    assert sorted(range(8), key=lambda k: xs[k]) == order
    assert plot.locator('[data-role="code-caption"]').text_content() == "code unit 1 of 1"


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_step_panel_heading_keeps_its_line_for_a_64_pixel_sample(browser, lab_url, size):
    """The selected sample's inputs sit beside the panel's title: 64 pixels of a digit printed
    there took the heading and squeezed the title into a column of words."""
    context, page, errors = open_lab(browser, lab_url, *size)
    page.goto(lab_url + "?mode=autoencoder&dataset=digits&points=120&hidden=16&bottleneck=2")
    page.wait_for_function("window.__lab.state.selected?.x.length === 64")
    sample = page.locator('[data-panel="steps"] [data-role="sample"]')
    expect(sample).to_have_text("sample #0: x = (64 values)")
    shown = sample.get_attribute("title").removeprefix("x = (").removesuffix(")").split(", ")
    x = lab(page, "s.selected.x")
    assert len(shown) == 64
    for v, xi in zip(shown, x, strict=True):  # each as fmt prints it: 4 significant digits
        assert abs(float(v) - xi) <= 1e-3 * max(1, abs(xi)), (v, xi)
    heading = page.locator('[data-panel="steps"] h2')
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                         "'[data-panel=\"steps\"] h2')).lineHeight)")
    # two lines at most, as a 2-D sample's heading takes in the narrow 1280-pixel layout
    assert heading.bounding_box()["height"] < 2.5 * line, heading.bounding_box()
    shot(page, f"autoencoder-step-heading-{size[0]}x{size[1]}")
    context.close()
    assert errors == []


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_code_plot_axes_read_each_points_code(browser, lab_url, size):
    """The code plot has axes of the codes' values: a point read off its ticks is its code, and
    its labels are as big as the data space's axis labels in any window."""
    context, page, errors = open_lab(browser, lab_url, *size)
    page.goto(lab_url + "?mode=autoencoder&dataset=encoder&hidden=&bottleneck=3&optimizer=adam"
                        "&lr=0.05&batch_size=8")
    page.wait_for_function("window.__lab.state.autoencoder?.code_size === 3")
    page.select_option('[data-action="step-unit"]', "epoch")
    for _ in range(30):
        page.click('[data-action="step"]')
    page.wait_for_function("window.__lab.state.status.epoch >= 30")
    plot = page.locator('[data-panel="data-space"] [data-role="code-plot"]')
    page.wait_for_function("window.__lab.state.autoencoder.latent.length === 16")
    codes = lab(page, "s.autoencoder.latent")
    drawn(page)  # the views draw on the animation frame after the state
    assert lab(page, "s.autoencoder.latent") == codes
    for axis, coord, unit in (("x", "cx", 0), ("y", "cy", 1)):
        ticks = plot.locator(f'.code-tick[data-axis="{axis}"]').evaluate_all(
            f"ts => ts.map((t) => [+t.dataset.value, +t.getAttribute('{axis}')])")
        assert len(ticks) >= 3, ticks  # a scale to read, not two marks
        (v0, p0), (v1, p1) = ticks[0], ticks[-1]
        shown = plot.locator("circle").evaluate_all(
            f"cs => cs.map((c) => +c.getAttribute('{coord}'))")
        spread = max(codes[unit::2]) - min(codes[unit::2])
        for k, pixel in enumerate(shown):  # the tick's line through the point gives its code
            read = v0 + (pixel - p0) * (v1 - v0) / (p1 - p0)
            assert abs(read - codes[2 * k + unit]) <= 0.01 * spread + 1e-6, (axis, k, read, codes)
    heights = plot.locator(".code-label").evaluate_all(
        "ls => ls.filter((l) => l.getAttribute('visibility') !== 'hidden')"
        ".map((l) => l.getBoundingClientRect().height)")
    assert heights and min(heights) >= 11, heights  # 11px text: readable at 1280×720
    shot(page, f"code-plot-axes-{size[0]}x{size[1]}")
    context.close()
    assert errors == []
