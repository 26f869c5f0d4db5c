"""Editing the dataset table in a real browser: its cells are text and the cell being edited
gets the table's one editor (a page of 300 <input>s cost the page's compositor most of a
frame); mouse and keyboard open, commit, cancel and move it; an edit is the data the engine
trains on, and text that is no number, or a value the server refuses, changes nothing and says
so once. Reuses the browser fixtures of test_lab_browser.
"""

import csv
import io

from tests import test_lab_browser as base
from tests.test_lab_browser import drawn, lab

browser, lab_url, page = base.browser, base.lab_url, base.page

EDITORS = "document.querySelectorAll('[data-panel=dataset] tbody input').length"


def cell(page, row: int, col) -> str:
    return f'[data-panel="dataset"] td[data-row="{row}"][data-col="{col}"]'


def count_sent(page, kind: str) -> None:
    """From now on, window.__sent counts the messages of type ``kind`` the page sends."""
    page.evaluate("""(kind) => {
        window.__sent = 0;
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (text) {
            if (JSON.parse(text).type === kind) window.__sent += 1;
            return send.call(this, text);
        };
    }""", kind)


def editor_in(page, selector: str) -> bool:
    """Whether the one editor is open in that cell and has the focus."""
    return page.eval_on_selector(selector, "td => document.activeElement === "
                                           "td.querySelector('input.cell-editor')")


def banner(page) -> str:
    page.wait_for_function("document.querySelector('[data-role=banner]').textContent !== ''")
    return page.locator('[data-role="banner"]').inner_text()


def exported_rows(page) -> list[list[str]]:
    with page.expect_download() as download:
        page.click('[data-action="export-csv"]')
    return list(csv.reader(io.StringIO(download.value.path().read_text())))


def test_a_page_of_cells_is_text_with_one_editor_while_a_cell_is_edited(browser, lab_url):
    context, page, errors = base.open_lab(browser, lab_url, 1280, 720)
    page.goto(lab_url + "?dataset=moons&points=200")
    page.wait_for_function("document.querySelectorAll('[data-panel=dataset] td.cell').length"
                           " === 300")
    assert page.evaluate(EDITORS) == 0
    height = page.locator(cell(page, 5, 1)).bounding_box()["height"]
    page.click(cell(page, 5, 1))
    assert page.evaluate(EDITORS) == 1 and editor_in(page, cell(page, 5, 1))
    assert page.locator(cell(page, 5, 1)).bounding_box()["height"] == height  # the row's size
    page.keyboard.press("Escape")
    assert page.evaluate(EDITORS) == 0
    context.close()
    assert errors == []


def test_a_typed_value_is_the_data_the_engine_trains_on(page):
    page.click(cell(page, 2, 0))
    page.keyboard.type("0.75")  # replaces the value shown (it is selected)
    page.keyboard.press("Enter")
    page.wait_for_function("window.__lab.state.data.x[2][0] === 0.75")
    assert lab(page, "s.data.x[2]") == [0.75, 0.0]
    header, *rows = exported_rows(page)  # the server's points
    assert [float(v) for v in rows[2][:2]] == [0.75, 0.0], header
    drawn(page)
    assert page.locator(cell(page, 2, 0)).inner_text() == "0.75"
    assert page.evaluate(EDITORS) == 0


def test_keyboard_opens_commits_cancels_and_moves_the_editor(page):
    count_sent(page, "set_row")
    page.focus(cell(page, 1, 0))
    page.keyboard.press("Enter")
    assert editor_in(page, cell(page, 1, 0))
    page.keyboard.type("0.5")
    page.keyboard.press("Tab")  # commits, and the next cell's editor opens
    page.wait_for_function("window.__lab.state.data.x[1][0] === 0.5")
    drawn(page)  # the rows were rewritten with the new data: the editor is kept where it was
    assert editor_in(page, cell(page, 1, 1))
    page.keyboard.type("0.25")
    page.keyboard.press("Escape")  # cancelled: the cell keeps its value and the focus
    assert page.evaluate("document.activeElement.dataset.col") == "1"
    assert page.locator(cell(page, 1, 1)).inner_text() == "1"
    page.keyboard.press("7")  # typing on a focused cell opens its editor with what was typed
    assert page.eval_on_selector(f"{cell(page, 1, 1)} input", "e => e.value") == "7"
    page.keyboard.press("Shift+Tab")
    page.wait_for_function("window.__lab.state.data.x[1][1] === 7")
    assert editor_in(page, cell(page, 1, 0))
    page.keyboard.press("Enter")  # unchanged: nothing is sent
    page.keyboard.press("F2")
    assert editor_in(page, cell(page, 1, 0))
    page.keyboard.press("Escape")
    assert lab(page, "s.data.x[1]") == [0.5, 7.0]
    assert page.evaluate("window.__sent") == 2


def test_text_that_is_no_number_is_refused_once_and_changes_nothing(page):
    count_sent(page, "set_row")
    before = lab(page, "s.data")
    page.click(cell(page, 3, 1))
    page.keyboard.type("1.5x")
    page.keyboard.press("Enter")
    assert banner(page) == '"1.5x" is not a number: row 3 keeps 1'
    assert page.locator(cell(page, 3, 1)).inner_text() == "1"
    drawn(page)
    assert page.evaluate("window.__sent") == 0
    assert lab(page, "s.data") == before


def test_a_value_the_server_refuses_is_shown_as_the_data_still_is(page):
    page.click(cell(page, 0, "y"))
    page.keyboard.type("0.5")
    page.keyboard.press("Enter")
    assert "expected output is 0 or 1, got 0.5" in banner(page)
    page.wait_for_function(f"document.querySelector('{cell(page, 0, 'y')}').textContent === '0'")
    assert page.get_attribute(cell(page, 0, "y"), "data-value") == "0"
    assert lab(page, "s.data.y[0]") == 0
