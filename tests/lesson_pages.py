"""Reading a lesson in the browser, for the lesson tests: its readouts as the panel shows
them, moving between its stages and waiting for each stage's own frames, and whether its
panels fit the window."""

import json

import pytest

from backproplab.lab.config import to_query
from backproplab.lab.lessons.engine import LESSONS
from tests.lab_drawn import drawn
from tests.layout_checks import clipping_problems
from tests.test_lab_browser import ARTIFACTS, lab

PANEL_NAMES = ("controls", "network", "data-space", "error-history", "dataset", "steps",
               "gradients", "descent", "lesson")


def readout(page, name: str):
    """The value the lesson panel shows for readout ``name`` (its data-value)."""
    raw = page.get_attribute(f'[data-panel="lesson"] [data-readout="{name}"]', "data-value")
    return json.loads(raw)


def wait_readouts(page, condition: str, timeout: float = 20000) -> dict:
    """Every readout's shown value at the first moment the JS ``condition`` on them (``r``)
    holds: one frame's numbers together, read in one go."""
    handle = page.wait_for_function(
        "() => { const r = Object.fromEntries([...document.querySelectorAll("
        "'[data-panel=lesson] [data-readout]')].map(e => [e.dataset.readout, "
        f"JSON.parse(e.dataset.value)])); return ({condition})(r) ? r : null; }}",
        timeout=timeout)
    return handle.json_value()


def wait_readout(page, name: str, condition: str, timeout: float = 20000) -> None:
    """Wait until the shown value ``v`` of readout ``name`` satisfies the JS ``condition``."""
    page.wait_for_function(
        f"(() => {{ const e = document.querySelector('[data-panel=lesson] "
        f"[data-readout={name}]'); if (!e) return false; const v = JSON.parse(e.dataset.value);"
        f" return {condition}; }})()", timeout=timeout)


def stage_query(lesson_id: str, stage: int) -> str:
    """The config query of the frames of ``stage`` (from 1) of lesson ``lesson_id``."""
    return to_query(LESSONS[lesson_id].stage_config(stage - 1))


def wait_for_stage_frame(page, lesson_id: str, stage: int, run=None) -> None:
    """Wait until the views have drawn a frame of the stage's own run (``run`` is the one
    before it opened): the lesson's reply, which the page shows at once, comes before the
    frames of the stage's network, and until those come the page holds the last ones."""
    page.wait_for_function(
        "([query, run]) => { const s = window.__lab.state; return s.config?.query === query &&"
        " s.historyRun !== null && s.historyRun !== run; }",
        arg=[stage_query(lesson_id, stage), run])
    drawn(page)


def go_to_stage(page, stage: int, button: str = "lesson-next") -> None:
    lesson_id, run = lab(page, "s.lesson.id"), lab(page, "s.historyRun")
    page.click(f'[data-action="{button}"]')
    # the stage's status, config and run: the reply's lesson comes before them, and the last
    # stage's step count is 0 too before it is played
    page.wait_for_function(f"window.__lab.state.lesson.stage === {stage - 1} && "
                           "window.__lab.state.status.step === 0")
    wait_for_stage_frame(page, lesson_id, stage, run)
    page.wait_for_function(f"location.search.includes('stage={stage}')")
    page.wait_for_function(f"document.querySelector('[data-panel=lesson]').dataset.stage "
                           f"=== '{stage - 1}'")


def assert_descent_view_draws_the_readouts_path(page) -> None:
    """The descent view ran the stage's preset: its path (bp.explain.descend, asked for by the
    page) ends where the lesson's readout says."""
    end = readout(page, "descent_end")
    page.wait_for_function(f"window.__lab.state.descent?.[0].path.points.length === "
                           f"{end['steps'] + 1}")
    page.wait_for_function("(p => p.lr === window.__lab.state.descentPreset.lr && "
                           "JSON.stringify(p.points[0]) === JSON.stringify("
                           "window.__lab.state.descentPreset.start[0]))"
                           "(window.__lab.state.descent[0].path)")
    shown = lab(page, "s.descent[0].path.points.at(-1)")
    assert shown == pytest.approx(end["end"], rel=1e-6, abs=1e-9)


def play_until(page, condition: str, timeout: float = 20000) -> None:
    """Play until the JS ``condition`` on the state ``s`` holds, then pause (forced: a stage
    with ``epochs`` may have paused itself meanwhile, its pause button disabled)."""
    page.click('[data-action="lesson-play"]')
    page.wait_for_function(f"(s => {condition})(window.__lab.state)", timeout=timeout)
    page.click('[data-action="lesson-pause"]', force=True)
    page.wait_for_function("!window.__lab.state.status.playing")


def lesson_shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lab-lesson-{name}.png"))


def visible_boxes(page) -> dict:
    boxes = {}
    for name in PANEL_NAMES:
        panel = page.locator(f'[data-panel="{name}"]')
        if panel.is_visible():
            boxes[name] = panel.bounding_box()
    return boxes


def wait_for_stage_config(page, lesson_id: str, stage: int) -> None:
    """Wait until the page shows the stage's network: the lesson's reply comes at once, the
    frames of the rebuilt network (slower under load) after it."""
    config = LESSONS[lesson_id].stage_config(stage - 1)
    page.wait_for_function(f"(c => c && c.mode === {config.mode!r} && c.hidden.join() === "
                           f"{','.join(map(str, config.hidden))!r})(window.__lab.state.config)")
    drawn(page)


def assert_fits(page, width: int, height: int, where: str) -> dict:
    """Every shown panel inside the window, no text clipped (tests/layout_checks.py); the
    panels' boxes, for comparing."""
    boxes = visible_boxes(page)
    assert "lesson" in boxes, where
    for name, b in boxes.items():
        assert b["x"] >= 0 and b["y"] >= 0, (where, name)
        assert b["x"] + b["width"] <= width and b["y"] + b["height"] <= height, (where, name, b)
    assert not (problems := clipping_problems(page)), f"{where}: {problems}"
    return boxes
