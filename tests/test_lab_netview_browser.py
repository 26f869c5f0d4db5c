"""The network view in a real browser: every neuron's own map, hovering it into the data space,
input features the engine really trains on, biases shown and edited, big networks drawn
without overlaps, the data space's axes and toggles, regression surfaces and the autoencoder's
labels. Reuses the browser fixtures of test_lab_browser; screenshots land in test-artifacts/.
"""

import subprocess
import sys

import numpy
import pytest

import backproplab as bp
from tests import test_lab_browser as base
from tests.page_numbers import page_float
from tests.test_lab_browser import assert_panels_inside, box, drawn, lab, open_lab, overlap, shot

# The browser, the server and the page of test_lab_browser, shared rather than copied.
browser, lab_url, page = base.browser, base.lab_url, base.page
expect = base.playwright_api.expect  # assertions that wait for the next drawn frame

HIDDEN = "[data-neuron]:not([data-neuron^='0:'])"
BIG = ("?dataset=spirals&points=2000&hidden=32,32,32,32,32,32&activation=relu&optimizer=adam"
       "&lr=0.003")
EIGHT = "?dataset=moons&points=200&hidden=8,8,8"


def pixels(page, selector: str) -> str:
    return page.evaluate(f"document.querySelector({selector!r}).toDataURL()")


def neuron_pixels(page) -> list[tuple[int, int]]:
    """Each hidden or output neuron's map as drawn: (a hash of its pixels, how many of them
    are painted), read from the one canvas all maps are drawn on, inside each neuron's box."""
    return [tuple(v) for v in page.evaluate("""(selector) => {
        const c = document.querySelector('[data-panel=network] [data-role=maps]');
        const g = c.getContext('2d');
        const frame = c.getBoundingClientRect();
        const k = c.width / frame.width;
        return [...document.querySelectorAll(selector)].map((e) => {
          const r = e.getBoundingClientRect();
          const d = g.getImageData(Math.round((r.x - frame.x) * k), Math.round((r.y - frame.y) * k),
                                   Math.round(r.width * k), Math.round(r.height * k)).data;
          let hash = 0;
          let painted = 0;
          for (let i = 0; i < d.length; i += 1) hash = (hash * 31 + d[i]) >>> 0;
          for (let i = 3; i < d.length; i += 4) painted += d[i] > 0;
          return [hash, painted];
        });
    }""", HIDDEN)]


def play_until(page, condition: str, timeout: int = 20000) -> None:
    page.click('[data-action="play"]')
    page.wait_for_function(condition, timeout=timeout)
    page.click('[data-action="pause"]')
    page.wait_for_function("!window.__lab.state.status.playing")
    drawn(page)


def test_default_network_shows_a_map_in_each_of_its_five_neurons_and_they_learn(page):
    neurons = page.locator(HIDDEN)
    expect(neurons).to_have_count(5)  # drawn on the animation frame after the structure came
    assert sorted(neurons.evaluate_all("els => els.map((e) => e.dataset.neuron)")) == \
        ["1:0", "1:1", "1:2", "1:3", "2:0"]
    assert page.locator("[data-neuron^='0:']").count() == 2  # the inputs x1, x2
    drawn(page)
    before = neuron_pixels(page)
    sides = page.eval_on_selector_all(HIDDEN, "els => els.map((e) => e.clientWidth)")
    assert len(before) == 5 and all(painted > 0.9 * side * side  # every cell of every map
                                    for (_, painted), side in zip(before, sides, strict=True))
    play_until(page, "window.__lab.state.status.epoch > 200")
    after = neuron_pixels(page)
    assert all(a != b for a, b in zip(after[:4], before[:4], strict=True))  # every hidden map
    shot(page, "netview-xor-trained")


def test_hovering_a_neuron_shows_its_map_in_the_data_space_and_leaving_restores_it(page):
    play_until(page, "window.__lab.state.status.epoch > 50")
    heat = '[data-panel="data-space"] [data-role="heat"]'
    caption = page.locator('[data-role="space-caption"]')
    output = pixels(page, heat)
    assert caption.is_hidden()
    page.hover('[data-neuron="1:0"]')
    page.wait_for_function(f"document.querySelector({heat!r}).toDataURL() !== {output!r}")
    assert caption.inner_text() == "neuron h1 of layer 1"
    tooltip = page.locator('[data-role="tooltip"]').inner_text()
    assert "b = " in tooltip and "∂L/∂b = " in tooltip and "last update Δb = " in tooltip
    shot(page, "netview-hover-neuron")
    hovered = pixels(page, heat)
    page.hover('[data-neuron="1:1"]')
    page.wait_for_function(f"document.querySelector({heat!r}).toDataURL() !== {hovered!r}")
    assert caption.inner_text() == "neuron h2 of layer 1"
    page.mouse.move(2, 2)
    page.wait_for_function(f"document.querySelector({heat!r}).toDataURL() === {output!r}")
    assert caption.is_hidden()
    page.focus('[data-neuron="2:0"]')  # the keyboard reaches it too
    page.wait_for_function(f"document.querySelector({heat!r}).toDataURL() !== {output!r}")
    assert caption.inner_text() == "the output neuron o1"


def test_squared_features_are_the_inputs_the_engine_trains_on(page, lab_url):
    page.goto(lab_url + "?dataset=circles&points=200&noise=0.05&test_fraction=0.3&hidden=&lr=1")
    page.wait_for_function("window.__lab.state.structure?.sizes.join() === '2,1'")
    for name in ("x1sq", "x2sq"):
        page.click(f'[data-feature="{name}"]')
        page.wait_for_function(f"window.__lab.state.config.features.includes('{name}')")
    for name in ("x1", "x2"):
        page.click(f'[data-feature="{name}"]')
        page.wait_for_function(f"!window.__lab.state.config.features.includes('{name}')")
    page.wait_for_function("location.search.includes('features=x1sq%2Cx2sq')")
    assert lab(page, "s.structure.input_names") == ["x₁²", "x₂²"]
    assert page.locator('[data-feature="x1sq"]').get_attribute("aria-pressed") == "true"
    assert page.locator('[data-feature="x1"]').get_attribute("aria-pressed") == "false"
    # the table shows what the network is fed: the features of each point, from the engine
    drawn(page)
    from backproplab.lab.config import from_query
    from backproplab.lab.point_set import PointSet

    x = PointSet.from_config(from_query(page.evaluate("location.search"))).x[:1]
    assert x.round(5).tolist() == lab(page, "s.data.x.slice(0, 1)")
    fed = page.locator('[data-panel="dataset"] tbody [data-role="features"]').first.inner_text()
    expected = bp.data.feature_columns(x, ("x1sq", "x2sq"))[0]
    assert [page_float(v) for v in fed.split()] == pytest.approx(expected, rel=2e-3, abs=1e-4)
    assert "Network inputs: x₁², x₂²" in page.locator('[data-panel="dataset"] thead').inner_text()
    # the step-by-step panel's inputs are the features of the selected row
    page.locator("tbody tr").first.click()
    page.wait_for_function("window.__lab.state.trace?.index === 0")
    inputs = lab(page, "s.trace.layers[0].neurons[0].inputs[0]")
    assert inputs == pytest.approx(expected, rel=1e-6)
    play_until(page, "window.__lab.state.status.accuracy >= 0.9 && "
                     "window.__lab.state.status.epoch >= 5")
    assert lab(page, "s.structure.sizes") == [2, 1]
    shot(page, "netview-circles-squared-features")


def test_a_bias_edit_changes_a_clicked_points_prediction_exactly_as_the_python_model(page):
    from backproplab.lab.session import Session

    page.click('[data-neuron="1:2"]')
    editor = page.locator('[data-role="bias-editor"]')
    editor.fill("1.75")
    editor.press("Enter")
    page.wait_for_function("window.__lab.state.network.weights[0].b[2] === 1.75")
    expect(page.locator('[data-neuron="1:2"]')).to_have_attribute("data-bias", "positive")
    points = box(page, '[data-role="points"]')
    page.mouse.click(points["x"] + points["width"] * 0.6, points["y"] + points["height"] * 0.4)
    page.wait_for_function("window.__lab.state.probe !== null")
    probe = lab(page, "s.probe")
    expected = Session()
    expected.set_weight(0, 2, None, 1.75)
    want = expected.predict(probe["x"])
    assert {k: probe[k] for k in want} == want
    unedited = Session().predict(probe["x"])
    assert unedited["output"] != probe["output"]


def test_the_exported_script_reproduces_a_run_with_features(page, lab_url, tmp_path):
    page.goto(lab_url + "?dataset=moons&points=60&test_fraction=0.2&hidden=3&batch_size=8")
    page.wait_for_function("window.__lab.state.structure?.sizes.join() === '2,3,1'")
    page.click('[data-feature="x1x2"]')
    page.click('[data-feature="sinx1"]')
    page.wait_for_function("window.__lab.state.structure.sizes.join() === '4,3,1'")
    page.select_option('[data-action="step-unit"]', "epoch")
    for steps in (6, 12, 18):
        page.click('[data-action="step"]')
        page.wait_for_function(f"window.__lab.state.status.step === {steps}")
    drawn(page)
    with page.expect_download() as download:
        page.click('[data-action="export"][data-what="python"]')
    script = tmp_path / "reproduce.py"
    download.value.save_as(script)
    assert "numpy.sin(x1)" in script.read_text()
    result = subprocess.run([sys.executable, script.name], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    params = [p.array for p in bp.load(tmp_path / "model.safetensors").parameters()]
    shown = lab(page, "s.network.weights")  # the page holds the engine's float32s exactly
    for k, layer in enumerate(shown):
        assert numpy.array_equal(params[2 * k], numpy.array(layer["w"], dtype=numpy.float32))
        assert numpy.array_equal(params[2 * k + 1], numpy.array(layer["b"], dtype=numpy.float32))


def visible_boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, """els => els.filter((e) => !e.hidden &&
        e.textContent !== '' && getComputedStyle(e).display !== 'none').map((e) => {
        const r = e.getBoundingClientRect();
        return {x: r.x, y: r.y, width: r.width, height: r.height, text: e.textContent}; })""")


def assert_no_overlaps_in_the_network(page) -> None:
    labels = visible_boxes(page, "[data-panel=network] .val, [data-panel=network] .input-name,"
                                 " [data-panel=network] .col-title")
    neurons = page.eval_on_selector_all(
        "[data-panel=network] .neuron", "els => els.map((e) => e.getBoundingClientRect().toJSON())")
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not overlap(a, b), (a, b)
        for n in neurons:
            assert not overlap(a, n), (a, n)
    stage = box(page, "[data-panel=network] [data-role=stage]")
    for item in labels + neurons:
        assert stage["x"] <= item["x"] <= stage["x"] + stage["width"] - item["width"] + 0.5
        assert stage["y"] <= item["y"] <= stage["y"] + stage["height"] - item["height"] + 0.5


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_default_eight_and_six_by_thirty_two_networks_draw_without_overlaps(browser, lab_url,
                                                                           size):
    width, height = size
    context, page, errors = open_lab(browser, lab_url, width, height)
    for name, query, sizes in (("default", "", [2, 4, 1]), ("8-per-layer", EIGHT, [2, 8, 8, 8, 1]),
                               ("6x32", BIG, [2, *[32] * 6, 1])):
        page.goto(lab_url + query)
        shape = ",".join(map(str, sizes))
        page.wait_for_function(f"window.__lab.state.structure?.sizes.join() === '{shape}' && "
                               f"window.__lab.state.neurons?.layers.length === {len(sizes)}")
        drawn(page)
        assert page.locator(HIDDEN).count() == sum(sizes[1:])
        play_until(page, "window.__lab.state.status.step > 30")
        page.locator("tbody tr").nth(1).click()
        page.wait_for_function("window.__lab.state.selected?.index === 1")
        drawn(page)
        assert_no_overlaps_in_the_network(page)
        names = visible_boxes(page, "[data-panel=network] .input-name")
        assert [n["text"] for n in names] == ["x1", "x2"]  # few, so always named
        assert_panels_inside(page, width, height)
        if name == "default":
            assert lab(page, "document.querySelectorAll('[data-panel=network] .val:not([hidden])')"
                             ".length") == 7  # every number shown where there is room
        if name == "6x32":
            assert page.locator("[data-panel=network] .val:not([hidden])").count() == 0
        shot(page, f"netview-{name}-{width}x{height}")
    context.close()
    assert errors == []


def test_data_space_axes_test_toggle_and_hint(page, lab_url):
    page.goto(lab_url + "?dataset=moons&points=100&test_fraction=0.3")
    page.wait_for_function("window.__lab.state.data?.x.length === 100")
    drawn(page)
    hint = page.locator('[data-panel="data-space"] [data-role="hint"]')
    assert "click: predict" in hint.inner_text()
    points = '[data-panel="data-space"] [data-role="points"]'
    shown = pixels(page, points)
    page.uncheck('[data-action="show-test"]')
    page.wait_for_function(f"document.querySelector({points!r}).toDataURL() !== {shown!r}")
    page.check('[data-action="show-test"]')
    page.wait_for_function(f"document.querySelector({points!r}).toDataURL() === {shown!r}")
    extent = lab(page, "s.data.extent")
    for axis, (lo, hi) in (("xTicks", extent[:2]), ("yTicks", extent[2:])):
        shown_ticks = page.locator(points).get_attribute(f"data-{axis[0]}-ticks")
        ticks = [float(t) for t in shown_ticks.split()]
        steps = numpy.diff(ticks)
        assert len(ticks) >= 3 and lo <= ticks[0] and ticks[-1] <= hi
        assert numpy.allclose(steps, steps[0]) and steps[0] in (0.2, 0.5, 1.0, 2.0)
    assert page.locator(points).get_attribute("data-axes") == "x₁ x₂"
    shot(page, "netview-data-space-axes")


def test_regression_surfaces_and_curves_show_what_each_neuron_computes(page, lab_url):
    page.goto(lab_url + "?dataset=bump&points=300&test_fraction=0.3&loss=mse&hidden=6"
                        "&optimizer=adam&lr=0.03&batch_size=16")
    page.wait_for_function("window.__lab.state.space?.kind === 'regression'")
    # the controls are drawn on the animation frame after the state: expect waits for them
    expect(page.locator('[data-role="dataset-summary"]')).to_have_text(
        lab(page, "s.welcome.choices.summaries.bump"))
    play_until(page, "window.__lab.state.status.epoch > 40")
    losses = lab(page, "s.history.train_loss")
    assert losses[-1] < 0.5 * losses[0]
    assert page.locator(HIDDEN).count() == 7
    shot(page, "netview-bump")
    seed = lab(page, "s.config.data_seed")
    first = lab(page, "s.data.x[0]")
    page.click('[data-action="regenerate"]')
    page.wait_for_function(f"window.__lab.state.config.data_seed !== {seed}")
    page.wait_for_function("location.search.includes('data_seed=')")
    assert lab(page, "s.data.x[0]") != first
    page.goto(lab_url + "?dataset=sine&points=60&loss=mse&hidden=5&test_fraction=0.2")
    page.wait_for_function("window.__lab.state.neurons?.kind === 'curve'")
    expect(page.locator('[data-feature="x1sq"]')).to_be_disabled()  # the sine's controls drawn
    drawn(page)
    points = '[data-panel="data-space"] [data-role="points"]'
    before = pixels(page, points)
    page.hover('[data-neuron="1:3"]')  # its curve over x joins the network's in the data space
    page.wait_for_function(f"document.querySelector({points!r}).toDataURL() !== {before!r}")
    assert page.locator('[data-role="space-caption"]').inner_text() == "neuron h4 of layer 1"
    assert page.locator(points).get_attribute("data-axes") == "x y"
    shot(page, "netview-sine-neuron-curve")


def test_autoencoder_views_are_labelled(page, lab_url):
    page.goto(lab_url + "?mode=autoencoder&dataset=digits&points=120&test_fraction=0.2"
                        "&batch_size=32&loss=mse&hidden=16&bottleneck=2&optimizer=adam&lr=0.01")
    page.wait_for_function("window.__lab.state.neurons?.kind === 'samples'")
    drawn(page)
    titles = page.locator("[data-panel=network] .col-title").all_text_contents()
    assert "encoder →" in titles and "decoder →" in titles
    assert any(t.startswith("code") for t in titles)
    strips = page.locator('[data-role="recon"] .strip-label').all_text_contents()
    assert strips == ["input", "reconstruction"]
    legend = page.locator('[data-role="code-legend"]').inner_text()
    assert legend.startswith("colour = digit:") and all(str(d) in legend for d in range(10))
    assert page.locator(HIDDEN).count() == 16 + 2 + 16 + 64
    assert_no_overlaps_in_the_network(page)
    shot(page, "netview-autoencoder-digits")
