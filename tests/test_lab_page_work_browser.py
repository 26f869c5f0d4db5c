"""What the page does per frame while training plays, in a real browser: the views write only
what changed (the address bar is not rewritten, the table's cells are not retyped with the
same text) and every view still shows the latest frame's numbers. Reuses the browser fixtures
of test_lab_browser.
"""

from tests import test_lab_browser as base
from tests.test_lab_browser import lab

browser, lab_url, page = base.browser, base.lab_url, base.page

MOONS = "?dataset=moons&points=200&hidden=16,16"


def open_moons(page, lab_url):
    page.goto(lab_url + MOONS)
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("window.__lab.state.structure?.sizes.join() === '2,16,16,1'")


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
