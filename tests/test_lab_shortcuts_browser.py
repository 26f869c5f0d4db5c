"""The controls' keys and readouts in a real browser: Space plays and pauses, S steps, while
nothing has the focus (a field keeps its keys); the speed slider says what each setting means."""

import pytest

from tests import test_lab_browser as base  # skips this module too without Chromium
from tests.test_lab_browser import lab, open_lab, shot

# The browser, the server and the page of test_lab_browser, shared rather than copied.
browser, lab_url, page = base.browser, base.lab_url, base.page
expect = base.playwright_api.expect  # assertions that wait for the next drawn frame


def test_space_plays_and_pauses_and_s_steps_while_nothing_has_the_focus(page):
    page.locator("body").click(position={"x": 5, "y": 700})  # nothing focused
    step = lab(page, "s.status.step")
    page.keyboard.press("s")
    page.wait_for_function(f"window.__lab.state.status.step === {step + 1}")
    page.keyboard.press(" ")
    page.wait_for_function("window.__lab.state.status.playing === true")
    page.wait_for_function(f"window.__lab.state.status.step > {step + 5}")
    page.keyboard.press(" ")
    page.wait_for_function("window.__lab.state.status.playing === false")
    assert page.evaluate("window.scrollY") == 0  # Space did not scroll the page
    # typed into a field, the keys are the field's: no step, no play
    stopped = lab(page, "s.status.step")
    page.locator('[data-field="points"]').click()
    page.keyboard.press("s")
    page.keyboard.press(" ")
    page.wait_for_timeout(300)  # what the keys would have started would show by now
    assert lab(page, "s.status.step") == stopped and not lab(page, "s.status.playing")


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_speed_slider_says_its_steps_per_second(browser, lab_url, size):
    context, page, errors = open_lab(browser, lab_url, *size)
    readout = page.locator('[data-panel="controls"] [data-role="speed"]')
    speeds = lab(page, "s.welcome.choices.speeds")
    assert speeds[-1] is None and lab(page, "s.config.speed") == 10
    expect(readout).to_have_text("max")
    for speed in (9, 4):  # the widest text, then one of the slow ones
        page.locator('[data-field="speed"]').fill(str(speed))  # fires input and change
        page.wait_for_function(f"window.__lab.state.config.speed === {speed}")
        expect(readout).to_have_text(f"{speeds[speed - 1]} steps/s")
        slider = page.locator('[data-field="speed"]').bounding_box()
        text = readout.bounding_box()
        assert slider["x"] + slider["width"] <= text["x"]  # side by side, not on top
        assert readout.evaluate("e => e.scrollWidth <= e.clientWidth")  # never cut
    shot(page, f"controls-speed-{size[0]}x{size[1]}")
    context.close()
    assert errors == []
