"""What the dataset table shows in a real browser: each wide input as one vector, and each row's
prediction or reconstruction as the engine computes it, for the page of rows on show."""

import math

import backproplab as bp
from tests import test_lab_browser as base  # skips this module too without Chromium
from tests.test_lab_browser import assert_panels_inside, drawn, lab, panel_boxes, shot

# The browser, the server and the page of test_lab_browser, shared rather than copied.
browser, lab_url, small_page = base.browser, base.lab_url, base.small_page

VECTOR_CELL = "[data-panel=dataset] tbody [data-role=inputs]"

def table_cells(page, role: str) -> list[dict]:
    return page.eval_on_selector_all(
        f'[data-panel="dataset"] tbody [data-role="{role}"]',
        "tds => tds.map((td) => ({text: td.textContent.replaceAll('−', '-'),"
        " title: td.title.replaceAll('−', '-'),"
        " clipped: td.scrollWidth > td.clientWidth}))")


def assert_table_fits_its_width(page) -> None:
    assert page.evaluate("(e => e.scrollWidth <= e.clientWidth)"
                         "(document.querySelector('[data-panel=dataset] .table-wrap'))")


def test_dataset_table_shows_each_wide_input_as_one_vector(small_page, lab_url):
    page = small_page
    page.click('[data-action="mode"][data-mode="autoencoder"]')
    page.wait_for_function("window.__lab.state.structure?.task === 'autoencoder'")
    page.wait_for_function(f"document.querySelector('{VECTOR_CELL}')")
    headers = page.locator('[data-panel="dataset"] thead th').all_text_contents()
    assert headers[:3] == ["#", "Inputs (8)", "Expected output"]
    rows = lab(page, "s.data.x")
    inputs = table_cells(page, "inputs")
    assert [c["text"] for c in inputs] == [" ".join(f"{v:g}" for v in row) for row in rows]
    assert inputs[0]["text"] == "1 0 0 0 0 0 0 0"
    assert not any(c["clipped"] or c["title"] for c in inputs)
    assert {c["text"] for c in table_cells(page, "expected")} == {"= input"}
    assert "…" not in page.locator('[data-panel="dataset"] tbody').inner_text()
    assert page.locator('[data-panel="dataset"] [data-action="add-row"]').is_disabled()
    assert_table_fits_its_width(page)
    shot(page, "dataset-encoder")

    page.goto(lab_url + "?mode=autoencoder&dataset=digits&points=60&test_fraction=0.2"
                        "&batch_size=32&loss=mse&hidden=&bottleneck=2&optimizer=adam&lr=0.01")
    page.wait_for_function("window.__lab.state.data?.x[0].length === 64")
    page.wait_for_function(f"document.querySelector('{VECTOR_CELL}')")
    assert page.locator('[data-panel="dataset"] thead th').nth(1).text_content() == "Inputs (64)"
    rows = lab(page, "s.data.x")
    inputs = table_cells(page, "inputs")
    assert len(inputs) == len(rows) == 60
    for cell, row in zip(inputs, rows, strict=True):
        assert cell["clipped"] and [float(v) for v in cell["title"].split()] == row
    assert_table_fits_its_width(page)
    assert_panels_inside(page, 1280, 720)
    shot(page, "dataset-digits")


ENCODER = ("?mode=autoencoder&dataset=encoder&hidden=&bottleneck=3&loss=bce&optimizer=adam"
           "&lr=0.05&batch_size=8")
DIGITS = ("?mode=autoencoder&dataset=digits&points=250&test_fraction=0.2&batch_size=32&loss=mse"
          "&hidden=&bottleneck=2&optimizer=adam&lr=0.01")


def row_heights(page) -> list[float]:
    return page.eval_on_selector_all('[data-panel="dataset"] tbody tr',
                                     "trs => trs.map((tr) => tr.getBoundingClientRect().height)")


def engine_session(query: str, steps: int):
    """A Python session of the page's configuration after ``steps`` batches, as the server's."""
    from backproplab.lab.config import from_query
    from backproplab.lab.session import Session

    session = Session(from_query(query))
    for _ in range(steps):
        session.step("batch")
    return session


FIRST_ROW_SHOWS = """(rows) => {
    const tr = document.querySelector('[data-panel=dataset] tbody tr');
    const want = tr && rows[tr.dataset.index];
    if (!want) return false;
    const shown = tr.querySelector('[data-role=pred]').textContent.replaceAll('−', '-').split(' ')
        .filter((t) => t !== '…').map(Number);
    return shown.length === want.length && shown.every((v, k) => v === want[k]);
}"""


def wait_for_the_weights_frame(page, out) -> None:
    """Wait until the table's first row shows ``out``, the engine's outputs for these weights:
    after a step the predictions of new weights come with the frame's slow part (the data
    space, the maps), one or more frames after the status that counts the step."""
    rows = {str(i): [float(f"{v:.2g}") for v in row[:16]] for i, row in enumerate(out)}
    page.wait_for_function(FIRST_ROW_SHOWS, arg=rows)


def assert_reconstructions_are_the_engines(page, session) -> list[str]:
    """Each row on show reads its model output to 2 significant digits (its first 16 values and
    '…' when there are more) and an error equal to the loss of that row alone; a cut cell shows
    every value in its title under the pointer."""
    x = session.points.x
    with bp.no_grad():
        out = session.network.model(bp.from_numpy(x)).array
    wait_for_the_weights_frame(page, out)
    loss_fn = bp.train.make_loss(session.config.loss)
    indices = [int(i) for i in page.eval_on_selector_all(
        '[data-panel="dataset"] tbody tr', "trs => trs.map((tr) => tr.dataset.index)")]
    shown, errors = table_cells(page, "pred"), table_cells(page, "err")
    assert len(indices) == len(shown) == len(errors) > 0
    for i, cell, err in zip(indices, shown, errors, strict=True):
        expected = [float(f"{v:.2g}") for v in out[i]]
        text = cell["text"].split()
        if len(expected) > 16:
            assert text[16:] == ["…"], i
            expected, text = expected[:16], text[:16]
        assert [float(v) for v in text] == expected, i
        row_loss = loss_fn(bp.from_numpy(out[i:i + 1]), bp.from_numpy(x[i:i + 1])).item()
        assert math.isclose(float(err["text"]), row_loss, rel_tol=5e-3, abs_tol=1e-5), i
    first = page.locator('[data-panel="dataset"] tbody [data-role="pred"]').first
    first.hover()
    assert shown[0]["clipped"]
    lines = first.get_attribute("title").split("\n")
    side = round(len(out[0]) ** 0.5)
    assert len(lines) == (side if side * side == len(out[0]) else 1)  # an image row per line
    assert [float(v) for v in " ".join(lines).split()] == [float(f"{v:.2g}") for v in
                                                           out[indices[0]]]
    return [c["text"] for c in shown]


def test_autoencoder_table_shows_each_rows_reconstruction_from_the_engine(small_page, lab_url):
    page = small_page
    page.goto(lab_url + ENCODER)
    page.wait_for_function("window.__lab.state.predictions?.reconstruction")
    drawn(page)
    before = assert_reconstructions_are_the_engines(page, engine_session(ENCODER, 0))
    assert len(before) == 8 and all(len(text.split()) == 8 for text in before)
    panels, heights = panel_boxes(page), row_heights(page)
    for _ in range(5):
        page.click('[data-action="step"]')
    page.wait_for_function("window.__lab.state.status.step === 5")
    drawn(page)
    after = assert_reconstructions_are_the_engines(page, engine_session(ENCODER, 5))
    assert all(a != b for a, b in zip(after, before, strict=True))
    inputs = table_cells(page, "inputs")
    assert not any(c["clipped"] or c["title"] for c in inputs)
    assert_table_fits_its_width(page)
    assert_panels_inside(page, 1280, 720)
    shot(page, "dataset-encoder-reconstruction")
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.step > 500")
    assert panel_boxes(page) == panels and row_heights(page) == heights  # no row wraps
    assert_table_fits_its_width(page)
    page.click('[data-action="pause"]')


def test_digits_reconstructions_follow_the_table_page(small_page, lab_url):
    page = small_page
    page.goto(lab_url + DIGITS)
    page.wait_for_function("window.__lab.state.predictions?.reconstruction")
    page.click('[data-action="step"]')
    page.wait_for_function("window.__lab.state.status.step === 1")
    drawn(page)
    session = engine_session(DIGITS, 1)
    shown = assert_reconstructions_are_the_engines(page, session)
    assert len(shown) == 100 and all(text.endswith(" …") for text in shown)
    page.click('[data-panel="dataset"] [data-page="1"]')
    page.wait_for_function("window.__lab.state.predictions.reconstruction.start === 100")
    drawn(page)
    assert assert_reconstructions_are_the_engines(page, session) != shown
    assert_table_fits_its_width(page)
    assert_panels_inside(page, 1280, 720)
    shot(page, "dataset-digits-reconstruction")


def test_a_classifiers_table_page_shows_the_engines_predictions_of_its_rows(small_page, lab_url):
    """Frames carry the predictions of the page on show only (from ``start``): the second page
    reads its own rows' outputs and errors, not the first page's."""
    query = "?dataset=moons&points=300&test_fraction=0"
    page = small_page
    page.goto(lab_url + query)
    page.wait_for_function("window.__lab.state.predictions?.prediction")
    page.click('[data-action="step"]')
    page.wait_for_function("window.__lab.state.status.step === 1")
    page.click('[data-panel="dataset"] [data-page="1"]')
    page.wait_for_function("window.__lab.state.predictions.start === 100")
    page.wait_for_function("window.__lab.state.status.step === 1")
    drawn(page)
    session = engine_session(query, 1)
    out = session.network.outputs(session.points.x)[:, 0]
    indices = [int(i) for i in page.eval_on_selector_all(
        '[data-panel="dataset"] tbody tr', "trs => trs.map((tr) => tr.dataset.index)")]
    shown, errors = table_cells(page, "pred"), table_cells(page, "err")
    assert indices == list(range(100, 200)) and len(shown) == len(errors) == 100
    for i, cell, err in zip(indices, shown, errors, strict=True):
        assert math.isclose(float(cell["text"]), out[i], rel_tol=5e-3, abs_tol=1e-6), i
        want = abs(session.points.y[i, 0] - out[i])
        assert math.isclose(float(err["text"]), want, rel_tol=5e-3, abs_tol=1e-6), i
