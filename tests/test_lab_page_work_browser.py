"""What the page does per frame while training plays, in a real browser: the views write only
what changed (the address bar is not rewritten, the table's cells are not retyped with the
same text) and every view still shows the latest frame's numbers. Reuses the browser fixtures
of test_lab_browser.
"""

import itertools

from tests import test_lab_browser as base
from tests.test_lab_browser import drawn, lab, link_point

browser, lab_url, page = base.browser, base.lab_url, base.page

MOONS = "?dataset=moons&points=200&hidden=16,16"


def open_moons(page, lab_url):
    page.goto(lab_url + MOONS)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("window.__lab.state.structure?.sizes.join() === '2,16,16,1'")
    # and drawn: the address and the table are written on the animation frame after the state
    page.wait_for_function("location.search === '?' + window.__lab.state.config.query && "
                           "document.querySelectorAll('[data-panel=dataset] tbody tr').length"
                           " === 100")


def play_for(page, ms: int) -> None:
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.step > 50", timeout=20000)
    page.wait_for_timeout(ms)
    page.click('[data-action="pause"]')
    page.wait_for_function("!window.__lab.state.status.playing")


def test_playing_never_rewrites_an_unchanged_address(page, lab_url):
    open_moons(page, lab_url)
    page.evaluate("""() => {
        window.__rewrites = 0;
        const replace = history.replaceState.bind(history);
        history.replaceState = (...args) => { window.__rewrites += 1; return replace(...args); };
    }""")
    play_for(page, 1000)
    assert lab(page, "window.__lab.counters.renders") > 10
    assert page.evaluate("window.__rewrites") == 0
    assert page.evaluate("location.search") == "?" + lab(page, "s.config.query")


TABLE = """() => [...document.querySelectorAll('[data-panel="dataset"] tbody tr')].map((tr) =>
    [tr.querySelector('[data-role=pred]').textContent,
     tr.querySelector('[data-role=err] span').textContent])"""
# The predictions and errors of the frame last received, as the table prints them.
EXPECTED_TABLE = """() => {
    const p = window.__lab.state.predictions;
    const fmt = (x, d = 4) => (x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3
      ? x.toExponential(2) : Number(x.toPrecision(d)).toString()).replace(/-/g, '−');
    return [...document.querySelectorAll('[data-panel="dataset"] tbody tr')].map((tr) => {
      const i = Number(tr.dataset.index);
      return [fmt(p.prediction[i]), fmt(p.error[i], 3)];
    });
}"""


def table(page) -> list[tuple[str, str]]:
    return page.evaluate(TABLE)


def wait_table_shows_the_last_frame(page) -> None:
    """Wait until every row shows the predictions last received: they are written on the
    animation frame after they came, and a new weights' predictions can come frames after the
    status (with the slow part), so also after a pause."""
    page.wait_for_function(f"window.__lab.state.predictions !== null && "
                           f"JSON.stringify(({TABLE})()) === JSON.stringify(({EXPECTED_TABLE})())")


def test_table_rows_show_the_latest_predictions_in_view_while_playing_and_all_when_paused(
        page, lab_url):
    open_moons(page, lab_url)
    wait_table_shows_the_last_frame(page)  # the first frame's numbers, drawn
    before = table(page)
    page.click('[data-action="play"]')
    page.wait_for_function("window.__lab.state.status.step > 200", timeout=20000)
    # Scrolled to the foot while playing: the rows there come into view with the numbers of
    # the predictions on show, not those of the first frame.
    page.eval_on_selector('[data-panel="dataset"] .table-wrap',
                          "w => { w.scrollTop = w.scrollHeight; }")
    page.wait_for_function(f"(([last, third]) => {{ const rows = ({TABLE})(); return "
                           "JSON.stringify(rows.at(-1)) !== JSON.stringify(last) && "
                           "JSON.stringify(rows.at(-3)) !== JSON.stringify(third); })",
                           arg=[before[-1], before[-3]])
    shown = table(page)
    assert shown[-1] != before[-1] and shown[-3] != before[-3]
    page.click('[data-action="pause"]')
    page.wait_for_function("!window.__lab.state.status.playing")
    wait_table_shows_the_last_frame(page)
    shown, expected = page.evaluate(f"[({TABLE})(), ({EXPECTED_TABLE})()]")  # read together
    assert shown == expected  # every row, the last frame's numbers


def test_table_rows_keep_one_height_and_stay_under_the_header(browser, lab_url):
    for width, height in ((1280, 720), (1920, 1080)):
        context, page, errors = base.open_lab(browser, lab_url, width, height)
        open_moons(page, lab_url)
        tops = page.eval_on_selector_all('[data-panel="dataset"] tbody tr',
                                         "trs => trs.map((tr) => tr.getBoundingClientRect().top)")
        pitches = {b - a for a, b in itertools.pairwise(tops)}
        assert len(tops) == 100 and len(pitches) == 1, (width, sorted(pitches))
        page.eval_on_selector('[data-panel="dataset"] .table-wrap', "w => { w.scrollTop = 700; }")
        page.click('[data-panel="dataset"] tbody tr:nth-child(40) td.cell')  # an open editor too
        base.drawn(page)
        on_top = page.eval_on_selector('[data-panel="dataset"] thead th:nth-child(2)', """th => {
            const r = th.getBoundingClientRect();
            return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2).tagName; }""")
        assert on_top == "TH", width  # not a row's cell scrolled under it
        context.close()
        assert errors == []


def links_canvas(page) -> str:
    return page.evaluate("document.querySelector('[data-panel=network] [data-role=links]')"
                         ".toDataURL()")


def test_connections_are_redrawn_only_when_one_moves_to_another_bucket(page):
    """The connections canvas shows each connection's sign and thickness bucket: a weight edit
    that moves one redraws it; a new network whose connections all keep theirs (a bias edit)
    leaves it untouched."""
    drawn(page)  # the first network's connections, drawn before strokes are counted
    page.evaluate("""() => {
        window.__linkStrokes = 0;
        const g = document.querySelector('[data-panel=network] [data-role=links]').getContext('2d');
        const stroke = g.stroke.bind(g);
        g.stroke = (...args) => { window.__linkStrokes += 1; return stroke(...args); };
    }""")
    before = links_canvas(page)
    page.mouse.click(*link_point(page, "0:0", "1:0"))
    editor = page.locator('[data-role="weight-editor"]')
    editor.fill("-9")
    editor.press("Enter")
    page.wait_for_function("window.__lab.state.network.weights[0].w[0][0] === -9")
    drawn(page)  # the view draws the new network on the animation frame after it came
    assert page.evaluate("window.__linkStrokes") > 0
    edited = links_canvas(page)
    assert edited != before
    page.evaluate("window.__linkStrokes = 0")
    network = page.evaluate_handle("window.__lab.state.network")
    page.click('[data-neuron="1:2"]')
    editor = page.locator('[data-role="bias-editor"]')
    editor.fill("1.75")
    editor.press("Enter")
    page.wait_for_function("window.__lab.state.network.weights[0].b[2] === 1.75")
    drawn(page)
    assert page.evaluate("(n) => n !== window.__lab.state.network", network)
    assert page.evaluate("window.__linkStrokes") == 0
    assert links_canvas(page) == edited
