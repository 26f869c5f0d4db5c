"""Labels in the lab's plots stand apart in a real browser: the autoencoder's code plot does
not run near points' labels together, the descent plot's minimum label keeps off the path's
end marker. Screenshots land in test-artifacts/."""

import pytest

from tests.test_lab_browser import browser, descent_settled, drawn, lab_url, open_lab, overlap, shot  # noqa: F401
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
        drawn(page)  # the code plot draws on the animation frame after the state
        labels = shown_boxes(page, '[data-role="code-plot"] .code-label')
        assert len(labels) >= 2
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                assert not overlap(a, b), (epoch, a, b)
                if abs(a["y"] - b["y"]) < 1:  # on one line: a space apart, '7' '5' not '75'
                    left, right = sorted((a, b), key=lambda box: box["x"])
                    gap = right["x"] - left["x"] - left["width"]
                    assert gap >= 0.2 * a["height"], (epoch, a, b, gap)
    # the stage's Play pauses by itself at its epochs (600), which 8 rows reach in a second
    page.click('[data-action="lesson-pause"]', force=True)
    page.wait_for_function("!window.__lab.state.status.playing")
    drawn(page)
    shot(page, f"code-plot-one-unit-{size[0]}x{size[1]}")
    context.close()
    assert errors == []


@pytest.mark.parametrize("size", SIZES)
def test_the_minimum_label_keeps_off_a_paths_end_marker(browser, lab_url, size):  # noqa: F811
    """A path that ends on the minimum rings it (radius 7, stroke 2.5): the label's drawn box,
    as the canvas measures it, stays outside that ring, on a curve (also with the minimum at
    the plot's bottom edge) and on contours."""
    context, page, errors = open_lab(browser, lab_url + "?lesson=gradient-descent", *size)
    page.wait_for_function("window.__lab.state.descent?.[0]?.path")
    page.click('[data-action="lesson-play"]')  # the stage waits at its start for Play
    descent_settled(page)  # the screenshot shows the path drawn to its end
    boxes = page.evaluate("""async () => {
        const { minimumLabelAt } = await import('/static/js/views/descent_plot.js');
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = '12px system-ui';
        const m = ctx.measureText('minimum (0)');
        const cases = [[false, true, 400], [true, true, 400], [false, false, 400],
                       [true, false, 400], [false, true, 104], [true, true, 104]];
        return cases.map(([near, oneD, bottom]) => {
          const { x, y, align } = minimumLabelAt(100, 100, near, oneD, bottom);
          const left = align === 'right' ? x - m.width : x;
          return { x: left, y: y - m.actualBoundingBoxAscent, width: m.width,
                   height: m.actualBoundingBoxAscent + m.actualBoundingBoxDescent }; });
    }""")
    ring = {"x": 100 - 8.25, "y": 100 - 8.25, "width": 16.5, "height": 16.5}
    for b in boxes:
        assert not overlap(b, ring), b
    shot(page, f"descent-minimum-label-{size[0]}x{size[1]}")
    context.close()
    assert errors == []
