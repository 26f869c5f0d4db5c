"""What the controls and the table show in a real browser: choosing an activation sets the
learning rate suited to it (and says so), and a dataset's cells hold short numbers."""

import pytest

from backproplab.lab.config import ACTIVATION_PRESETS, LabConfig
from tests import test_lab_browser as base
from tests.test_lab_browser import lab, open_lab, shot

# The browser, the server and the page of test_lab_browser, shared rather than copied.
browser, lab_url, page = base.browser, base.lab_url, base.page


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_choosing_relu_sets_its_learning_rate_and_a_typed_rate_is_kept(browser, lab_url, size):
    context, page, errors = open_lab(browser, lab_url, *size)
    relu_lr = ACTIVATION_PRESETS["relu"]["lr"]
    assert relu_lr != LabConfig().lr
    page.select_option('[data-field="activation"]', "relu")
    page.wait_for_function(f"window.__lab.state.config.activation === 'relu' && "
                           f"window.__lab.state.config.lr === {relu_lr}")
    note = page.locator('[data-role="lr-note"]')
    note.wait_for(state="visible")  # the views draw on the next animation frame
    assert float(page.locator('input[data-role="lr"]').input_value()) == relu_lr
    assert note.inner_text() == f"lr {relu_lr:g}: suited to relu"
    shot(page, f"activation-preset-{size[0]}x{size[1]}")
    page.locator('input[data-role="lr"]').fill("0.02")
    page.locator('input[data-role="lr"]').dispatch_event("change")
    page.wait_for_function("window.__lab.state.config.lr === 0.02")
    note.wait_for(state="hidden")
    page.select_option('[data-field="loss"]', "mse")
    page.wait_for_function("window.__lab.state.config.loss === 'mse'")
    assert lab(page, "s.config.lr") == 0.02
    context.close()
    assert errors == []


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_dataset_cells_show_short_values_and_send_exact_edits(browser, lab_url, size):
    context, page, errors = open_lab(browser, lab_url, *size)
    page.goto(lab_url + "?dataset=circles&points=200&noise=0.05&test_fraction=0.3&batch_size=16")
    # The URL's dataset replaces the default one after the page opens, and the table is
    # redrawn on the animation frame after its data came: wait for the table of the circles.
    page.wait_for_function("""() => {
        const s = window.__lab.state, td = document.querySelector('td[data-row="0"][data-col="1"]');
        return s.config?.dataset === 'circles' && s.data?.x.length === 200 &&
            td !== null && td.dataset.value === String(s.data.x[0][1]);
    }""")
    cells = page.eval_on_selector_all('td[data-row]', """els => els.map((e) => ({
        value: e.textContent, title: e.title}))""")
    x = lab(page, "s.data.x")
    assert all(len(c["value"]) <= 7 for c in cells), cells[:3]
    assert float(cells[0]["title"]) == x[0][0]
    # every column in view: the cells' text is never cut by a table wider than its panel
    assert page.eval_on_selector('[data-panel="dataset"] .table-wrap',
                                 "w => w.scrollWidth <= w.clientWidth")
    shot(page, f"dataset-cells-{size[0]}x{size[1]}")
    y0, x01 = lab(page, "s.data.y[0]"), x[0][1]
    page.click('td[data-row="0"][data-col="0"]')
    page.keyboard.type("0.25")
    page.keyboard.press("Enter")
    page.wait_for_function("window.__lab.state.data.x[0][0] === 0.25")
    assert lab(page, "s.data.x[0]") == [0.25, x01]  # the other cell's exact value
    assert lab(page, "s.data.y[0]") == y0
    context.close()
    assert errors == []
