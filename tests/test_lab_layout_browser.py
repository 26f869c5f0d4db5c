"""The page looks right at 1280×720 and 1920×1080 in the three network configurations of
issue 10 (the default XOR 2-4-1, 8 neurons per layer, 6 layers × 32): no clipped text, no
overlaps, no scrollbar where there should be none (tests/layout_checks.py says what that
means), and no panel moves while the network trains. Every lesson is checked the same way in
test_lab_lessons_browser.py. Screenshots land in test-artifacts/ (lab-layout-*.png).
"""

import pytest

from tests.layout_checks import clipping_problems
from tests.test_lab_browser import (  # noqa: F401
    ARTIFACTS,
    browser,
    descent_settled,
    drawn,
    lab_url,
    open_lab,
    panel_boxes,
)

CONFIGURATIONS = {
    "default": ("", [2, 4, 1]),
    "8-per-layer": ("?dataset=moons&points=200&hidden=8,8,8", [2, 8, 8, 8, 1]),
    "6x32": ("?dataset=spirals&points=2000&hidden=32,32,32,32,32,32&activation=relu"
             "&optimizer=adam&lr=0.003", [2, *[32] * 6, 1]),
}
# Checked as they open, without training: every fed feature of a row shown whole.
FEATURES = ("?dataset=circles&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2", [7, 4, 1])


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_three_networks_show_every_text_whole_and_nothing_moves_while_training(browser,  # noqa: F811
                                                                               lab_url, size):  # noqa: F811
    width, height = size
    context, page, errors = open_lab(browser, lab_url, width, height)
    for name, (query, sizes) in CONFIGURATIONS.items():
        page.goto(lab_url + query)
        page.wait_for_selector("body[data-ready=true]")
        page.wait_for_function(f"window.__lab.state.structure?.sizes.join() === "
                               f"'{','.join(map(str, sizes))}'")
        drawn(page)
        assert not (problems := clipping_problems(page)), f"{name}: {problems}"
        before = panel_boxes(page)
        page.click('[data-action="play"]')
        page.wait_for_function("window.__lab.state.status.step > 30")
        during = panel_boxes(page)
        page.click('[data-action="pause"]')
        page.wait_for_function("!window.__lab.state.status.playing")
        page.locator("tbody tr").nth(1).click()
        page.wait_for_function("window.__lab.state.trace !== null")
        drawn(page)
        assert during == before == panel_boxes(page), name
        assert not (problems := clipping_problems(page)), f"{name}: {problems}"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"lab-layout-{name}-{width}x{height}.png"))
    page.goto(lab_url + FEATURES[0])
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("window.__lab.state.structure?.sizes.join() === '7,4,1'")
    drawn(page)
    assert not (problems := clipping_problems(page)), f"features: {problems}"
    page.screenshot(path=str(ARTIFACTS / f"lab-layout-7-features-{width}x{height}.png"))
    # Gradient descent on two variables: the step's numbers (∇f near 0 at the end) whole.
    page.click('[data-action="mode"][data-mode="descent"]')
    page.wait_for_selector('[data-panel="descent"]:not([hidden])')
    page.select_option('[data-action="function"]', "himmelblau")
    page.wait_for_function("window.__lab.state.descent?.[0].function === 'himmelblau'")
    descent_settled(page)
    assert not (problems := clipping_problems(page)), f"descent: {problems}"
    page.screenshot(path=str(ARTIFACTS / f"lab-layout-descent-2d-{width}x{height}.png"))
    context.close()
    assert errors == []
