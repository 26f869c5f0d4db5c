"""Lesson instructions followed in a real browser, as a teacher would at the default (maximum)
speed: "Press Play: it trains for 100 epochs, then pauses" stops at epoch 100 and the panel
says where the run is; the error history's axes fit the run on show (an early-stopped run is
not squeezed by an earlier 300-epoch one, a log axis has a labelled decade below every point)
and its legend names the earlier runs without being cut off at 1280×720. Screenshots land in
test-artifacts/ (lab-followable-*.png)."""

import math

import pytest

from backproplab.lab.descent import SCALE_LIMIT
from tests.test_lab_browser import ARTIFACTS, browser, lab, lab_url, playwright_api  # noqa: F401
from tests.test_lab_lessons_browser import go_to_stage, lesson_page, readout  # noqa: F401

expect = playwright_api.expect  # assertions that wait for the next drawn frame
SIZES = [(1280, 720), (1920, 1080)]
IDS = ["1280x720", "1920x1080"]
CHART = '[data-panel="error-history"] canvas'


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lab-followable-{name}.png"))


def play_to_the_pause(page, epoch: int, timeout: float = 30000) -> None:
    page.click('[data-action="lesson-play"]')
    page.wait_for_function(f"!window.__lab.state.status.playing && "
                           f"window.__lab.state.status.epoch === {epoch}", timeout=timeout)


def chart_range(page, key: str, **expected) -> list[float]:
    """The chart's drawn range ``data-<key>`` ("lo hi"), once the frame that draws it came."""
    page.wait_for_function(f"document.querySelector('{CHART}').dataset.{key} !== undefined")
    return [float(v) for v in page.get_attribute(CHART, f"data-{key}").split()]


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_play_stops_at_the_stages_epoch_and_the_readout_answers_its_question(lesson_page,  # noqa: F811
                                                                              size):
    page = lesson_page("learning-rate", size=size)  # lr 0.03, "100 epochs"
    progress = page.locator('[data-panel="lesson"] [data-role="lesson-epochs"]')
    assert progress.inner_text() == "epoch 0 of 100: Play pauses at epoch 100"
    play_to_the_pause(page, 100)
    page.wait_for_function("document.querySelector('[data-panel=lesson] "
                           "[data-readout=loss_fall]').dataset.value.includes('\"epoch\":100')")
    fall = readout(page, "loss_fall")
    history = lab(page, "s.history")
    assert history["epoch"][-1] == 100
    assert fall["loss"] == pytest.approx(history["train_loss"][-1], rel=1e-6)
    assert fall["first"] == pytest.approx(history["train_loss"][0], rel=1e-6)
    assert progress.inner_text().startswith("epoch 100 of 100")
    assert chart_range(page, "epochs") == [1, 100]
    shot(page, f"learning-rate-paused-{size[0]}x{size[1]}")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_an_early_stopped_run_fills_the_axis_and_earlier_runs_are_named_in_full(lesson_page,  # noqa: F811
                                                                                size):
    page = lesson_page("overfitting", size=size)
    play_to_the_pause(page, 300)
    go_to_stage(page, 2)
    play_to_the_pause(page, 300)
    go_to_stage(page, 3)  # early stopping: pauses by itself, long before 300
    page.click('[data-action="lesson-play"]')
    page.wait_for_function("!window.__lab.state.status.playing && "
                           "window.__lab.state.status.epoch > 0", timeout=30000)
    epoch, best = lab(page, "s.status.epoch"), lab(page, "s.status.best_epoch")
    assert 10 <= best < epoch < 300
    page.wait_for_function(f"document.querySelector('{CHART}').dataset.epochs === '1 {epoch}'")
    shot(page, f"overfitting-early-stop-{size[0]}x{size[1]}")
    legend = page.locator('[data-panel="error-history"] .legend')
    assert "earlier runs" in legend.inner_text()
    heights = legend.evaluate("e => [e.scrollHeight, e.clientHeight]")
    assert heights[0] <= heights[1], f"the legend is cut off: {heights}"


def _is_tick(v: float, mantissas=(1, 2, 5)) -> bool:
    power = 10 ** math.floor(math.log10(v) + 1e-9)
    return any(math.isclose(v, m * power, rel_tol=1e-6) for m in mantissas)


@pytest.mark.parametrize(("lesson", "epochs", "mantissas"), [
    ("overfitting", 300, (1,)),  # 1.5e-4 to 1.6: whole decades, the only ticks labelled
    ("vanishing-gradients", 150, (1, 2, 5))])  # 0.69 to 0.75: between 0.5 and 1
def test_a_log_axis_ends_on_labelled_ticks_below_and_above_every_loss(lesson_page,  # noqa: F811
                                                                      lesson, epochs, mantissas):
    page = lesson_page(lesson)
    play_to_the_pause(page, epochs)
    page.wait_for_function(f"document.querySelector('{CHART}').dataset.epochs === '1 {epochs}'")
    lo, hi = chart_range(page, "loss")
    assert _is_tick(lo, mantissas) and _is_tick(hi, mantissas)
    history = lab(page, "s.history")
    losses = [v for v in history["train_loss"] + history["test_loss"] if v]
    assert lo <= min(losses) and max(losses) <= hi
    if lesson == "vanishing-gradients":
        assert hi / lo <= 2.5, "a flat loss squeezed into a whole decade"


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_the_diverging_descent_stays_on_the_plot_alone_and_compared(lesson_page, size):  # noqa: F811
    page = lesson_page("gradient-descent", stage=4, size=size)  # lr 1.1 from 2.5
    page.wait_for_function("window.__lab.state.descent?.[0].path.points.length === 41 && "
                           "document.querySelector('[data-role=descent-plot]').dataset.frame "
                           "&& JSON.parse(document.querySelector('[data-role=descent-plot]')"
                           ".dataset.frame).x1 > 3000")
    # The stage waits at its start: the student runs it, with the lesson's own Play and Step.
    root = page.locator('[data-panel="descent"]')
    expect(root).to_have_attribute("data-step", "0")
    end = page.locator('[data-panel="lesson"] [data-readout="descent_end"]')
    expect(end).to_have_attribute("data-waiting", "true")
    expect(end).to_contain_text("press Play")
    assert "diverging" not in page.locator('[data-role="descent-summary"]').inner_text()
    shot(page, f"descent-waiting-{size[0]}x{size[1]}")
    page.click('[data-action="lesson-step"]')
    expect(root).to_have_attribute("data-step", "1")
    path = lab(page, "s.descent[0].path")  # bp.explain.descend's: 2.5 - 1.1·2·2.5 = -3
    expect(page.locator('[data-role="descent-summary"]')).to_contain_text(  # '−': the page's
        f"after 1 step: x = {path['points'][1]:g}, f = {path['values'][1]:g}".replace("-", "−"))
    page.click('[data-action="lesson-play"]')
    expect(root).to_have_attribute("data-step", "40")
    expect(root).to_have_attribute("data-animating", "false")
    expect(end).not_to_have_attribute("data-waiting", "true")
    expect(end).to_contain_text("diverging")
    shot(page, f"descent-diverging-{size[0]}x{size[1]}")
    page.click('[data-role="lesson-stages"] [data-stage="0"]')  # lr 0.1: compare 0.01 to 1.2
    page.wait_for_function("window.__lab.state.lesson.stage === 0 && "
                           "window.__lab.state.descent?.[0].path.regime === 'converging'")
    page.click('[data-action="compare"]')
    page.wait_for_function("window.__lab.state.descent?.length === 4")
    results = lab(page, "s.descent")
    assert results[-1]["path"]["regime"] == "diverging"
    reach = max(abs(p) for r in results for p in r["path"]["points"] if p is not None)
    reach = min(reach, 3 * SCALE_LIMIT)  # x² is drawn on [-3, 3], widened at most this much
    page.wait_for_function(f"JSON.parse(document.querySelector('[data-role=descent-plot]')"
                           f".dataset.frame).x1 >= {reach}")
    page.wait_for_function("document.querySelector('[data-panel=descent]').dataset.animating "
                           "=== 'false'")
    summary = page.locator('[data-role="descent-summary"]')
    expect(summary).to_contain_text("diverging")
    fits = summary.evaluate("e => [e.scrollHeight, e.clientHeight, e.scrollWidth, e.clientWidth]")
    assert fits[0] <= fits[1] and fits[2] <= fits[3], fits  # every run's line, whole
    shot(page, f"descent-compare-{size[0]}x{size[1]}")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_the_sigmoid_plateau_names_its_cause_on_the_page(lesson_page, size):  # noqa: F811
    page = lesson_page("vanishing-gradients", size=size)
    play_to_the_pause(page, 150)
    page.click('[data-action="lesson-play"]')  # on past the pause, until the lab says stuck
    page.wait_for_function("window.__lab.state.status.plateau !== null", timeout=60000)
    page.click('[data-action="lesson-pause"]')
    note = page.locator('[data-panel="error-history"] [data-role="plateau"]')
    note.wait_for(state="visible")
    assert "the cause is the sigmoid" in note.inner_text()
    assert "Re-initialise" not in note.inner_text()
    assert "played on past epoch 150" in page.locator(
        '[data-panel="lesson"] [data-role="lesson-epochs"]').inner_text()
    shot(page, f"vanishing-plateau-{size[0]}x{size[1]}")
