"""The nine lessons in a real browser: each opens by URL and by the Lessons menu, and playing
it shows the phenomenon it teaches in numbers read from the page (the lesson panel's readouts,
the status line, the error history's ghosts). Every lesson fits 1280×720 and 1920×1080 without
scrolling, nothing moves while it trains, the classroom link shows only the lesson's panels,
and there are no console errors. Screenshots land in test-artifacts/ (lab-lesson-*.png)."""

import re

import pytest

from backproplab.lab.lessons.engine import LESSONS
from tests.layout_checks import clipping_problems
from tests.lesson_pages import (  # noqa: F401
    assert_descent_view_draws_the_readouts_path,
    assert_fits,
    go_to_stage,
    lesson_shot,
    play_until,
    readout,
    stage_query,
    visible_boxes,
    wait_for_stage_config,
    wait_for_stage_frame,
    wait_readout,
    wait_readouts,
)
from tests.page_numbers import page_float
from tests.test_lab_browser import (  # noqa: F401
    ARTIFACTS,
    browser,
    descent_settled,
    drawn,
    lab,
    lab_url,
    open_lab,
    playwright_api,
)

expect = playwright_api.expect  # assertions that wait for the next drawn frame


@pytest.fixture
def lesson_page(browser, lab_url):  # noqa: F811
    """Open ``lesson_page(id, stage=1, size=(1280, 720), classroom=False)`` by URL; the
    context closes after the test, which then checks the console stayed clean."""
    opened = []

    def open_lesson(lesson_id, stage=1, size=(1280, 720), classroom=False):
        query = f"?lesson={lesson_id}&stage={stage}" + ("&classroom=1" if classroom else "")
        context, page, errors = open_lab(browser, lab_url + query, *size)
        opened.append((context, errors))
        page.wait_for_function(f"window.__lab.state.lesson?.id === {lesson_id!r} && "
                               f"window.__lab.state.lesson.stage === {stage - 1}")
        page.wait_for_selector('[data-panel="lesson"] [data-readout]')
        wait_for_stage_frame(page, lesson_id, stage)
        return page

    yield open_lesson
    for context, errors in opened:
        context.close()
        assert errors == [], f"console errors: {errors}"


# ----- one test per lesson: the phenomenon, in the page's numbers ------------------------------
def test_learning_cycle_opens_from_the_menu_and_a_step_moves_a_weight_by_minus_lr_grad(
        browser, lab_url):  # noqa: F811
    context, page, errors = open_lab(browser, lab_url, 1280, 720)
    page.click('[data-action="lessons-menu"]')
    entries = page.locator("[data-lesson]")
    assert [e.get_attribute("data-lesson") for e in entries.all()] == list(LESSONS)
    run = lab(page, "s.historyRun")  # the default XOR's: the lesson's has its config, not its run
    page.click('[data-lesson="learning-cycle"]')
    page.wait_for_function("window.__lab.state.lesson?.id === 'learning-cycle'")
    page.wait_for_function("location.search.includes('lesson=learning-cycle&stage=1')")
    wait_for_stage_frame(page, "learning-cycle", 1, run)
    assert page.locator('[data-panel="lesson"]').is_visible()
    assert page.locator('[data-role="lesson-menu"]').is_hidden()
    wait_readout(page, "sample_loss", "v > 0")
    go_to_stage(page, 2)
    assert readout(page, "last_update") is None
    page.click('[data-action="lesson-step"]')  # one step on the selected row
    wait_readout(page, "last_update", "v !== null")
    update = readout(page, "last_update")
    assert lab(page, "s.status.step") == 1
    assert update["grad"] != 0
    assert update["delta"] == pytest.approx(-update["lr"] * update["grad"], rel=1e-4)
    go_to_stage(page, 3)
    play_until(page, "s.status.accuracy === 1 && s.status.train_loss < 0.2")
    wait_readout(page, "all_rows_right", "v !== null && v >= 1")
    first = readout(page, "all_rows_right")
    history = lab(page, "s.history")
    assert history["accuracy"][history["epoch"].index(first)] == 1
    assert all(a < 1 for a in history["accuracy"][:history["epoch"].index(first)])
    legend = page.locator('[data-panel="error-history"] .legend').inner_text()
    assert "train loss" in legend and "dashed" not in legend and "accuracy" in legend
    context.close()
    assert errors == []


def test_chain_rule_backprop_equals_finite_differences_on_the_page(lesson_page):
    page = lesson_page("chain-rule")
    page.locator("tbody tr").nth(2).click()
    page.wait_for_function("window.__lab.state.selected?.index === 2")
    wait_readout(page, "gradient_check", "v !== null && v < 1e-6")
    text = page.locator('[data-readout="gradient_check"]').inner_text()
    analytic, numeric = re.search(r"chain rule\): (−?[\d.e−]+); by nudging it ±[\d.e+−]+: "
                                  r"(−?[\d.e−]+)\.", text).groups()
    assert analytic == numeric and page_float(analytic) != 0  # the same six digits, as shown
    go_to_stage(page, 2)
    assert lab(page, "s.structure.sizes") == [2, 3, 3, 1]
    wait_readout(page, "gradient_check", "v !== null && v < 1e-6")
    # The network view names a neuron as the step panel's trace does, counting from 1.
    page.wait_for_function("window.__lab.state.trace?.layers?.length === 3")
    label = lab(page, "s.trace.layers[1].output_labels[1]")
    assert label == "h2_2"
    page.hover('[data-neuron="2:1"]')
    expect(page.locator('[data-role="tooltip"]')).to_contain_text(f"neuron {label} of layer 2")
    assert 0 < readout(page, "gradient_ratio") < 10


def test_gradient_descent_small_rates_creep_good_ones_converge_large_ones_diverge(lesson_page):
    page = lesson_page("gradient-descent")
    assert page.locator('[data-panel="descent"]').is_visible()
    regimes = [readout(page, "descent_end")["regime"]]
    assert_descent_view_draws_the_readouts_path(page)
    for stage in (2, 3, 4):
        go_to_stage(page, stage)
        wait_readout(page, "descent_end", f"v.steps >= 0 && "
                     f"window.__lab.state.lesson.stage === {stage - 1}")
        regimes.append(readout(page, "descent_end")["regime"])
        assert_descent_view_draws_the_readouts_path(page)
    assert regimes == ["converging", "slow", "converging", "diverging"]
    assert abs(readout(page, "descent_end")["end"]) > 100  # lr 1.1 from 2.5: |x| grows
    # ← and → are Back and Next while no field has the focus (Next, just clicked, may have it)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("window.__lab.state.lesson.stage === 2")
    page.locator("body").click(position={"x": 5, "y": 5})  # nothing focused
    page.keyboard.press("ArrowRight")
    page.wait_for_function("window.__lab.state.lesson.stage === 3")
    page.locator('[data-action="descent-steps"]').focus()  # a field keeps its arrow keys
    page.keyboard.press("ArrowLeft")
    page.evaluate("() => import('/static/js/socket.js').then((m) => m.request('descend', "
                  "{function: 'square', start: [1], lr: 0.1, steps: 1}))")  # a reply came after
    assert lab(page, "s.lesson.stage") == 3


def test_learning_rate_too_large_is_diagnosed_and_runs_leave_labelled_ghosts(lesson_page):
    page = lesson_page("learning-rate", stage=2)  # lr 0.3
    play_until(page, "s.status.epoch >= 40")
    wait_readout(page, "loss_trend", "v === 'falling' || v === 'flat'")
    go_to_stage(page, 3)  # lr 6
    assert [g["label"] for g in lab(page, "s.ghosts")] == ["lr 0.3"]
    play_until(page, "s.status.epoch >= 40 || s.status.diverged")
    wait_readout(page, "loss_trend", "v === 'oscillating' || v === 'diverging'")
    go_to_stage(page, 4)  # lr 10
    page.click('[data-action="lesson-play"]')
    page.wait_for_function("window.__lab.state.status.diverged !== null")
    wait_readout(page, "loss_trend", "v === 'diverging'")
    assert [g["label"] for g in lab(page, "s.ghosts")] == ["lr 0.3", "lr 6"]
    legend = page.locator('[data-panel="error-history"] [data-role="legend"]').inner_text()
    assert "earlier runs" in legend and "━ lr 0.3 · ━ lr 6" in legend
    page.click('[data-action="clear-ghosts"]')
    page.wait_for_function("window.__lab.state.ghosts.length === 0")


def test_batches_and_epochs_one_epoch_is_rows_over_batch_size_steps(lesson_page):
    page = lesson_page("batches-and-epochs")
    for stage, per_epoch in ((1, 140), (2, 1), (3, 9)):
        if stage > 1:
            go_to_stage(page, stage)
        assert readout(page, "steps_per_epoch") == per_epoch
        page.click('[data-action="lesson-step"]')  # "Step 1 epoch"
        page.wait_for_function("window.__lab.state.status.epoch === 1")
        assert lab(page, "s.status.step") == per_epoch


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_vanishing_gradients_sigmoid_starves_the_first_layer_relu_learns(lesson_page, size):
    page = lesson_page("vanishing-gradients", size=size)
    # The lesson's reply comes at once, the rebuilt network's frames after it (under load the
    # page can still hold the default 2-4-1 then).
    wait_for_stage_config(page, "vanishing-gradients", 1)
    page.wait_for_function("window.__lab.state.structure?.sizes.length === 8")
    assert lab(page, "s.structure.sizes") == [2, 4, 4, 4, 4, 4, 4, 1]
    assert readout(page, "gradient_ratio") < 1e-3
    play_until(page, "s.status.epoch >= 20")
    wait_readout(page, "gradient_ratio", "window.__lab.state.status.epoch >= 20")
    assert readout(page, "gradient_ratio") < 1e-3
    assert readout(page, "accuracy") < 0.7  # the sigmoid net guesses
    go_to_stage(page, 2)
    assert [g["label"] for g in lab(page, "s.ghosts")] == ["sigmoid"]
    page.click('[data-action="lesson-play"]')
    shown = wait_readouts(page, "r => r.accuracy >= 0.95", timeout=30000)
    page.click('[data-action="lesson-pause"]', force=True)
    assert shown["accuracy"] >= 0.95 and shown["gradient_ratio"] > 1e-2
    assert "Kaiming (He) uniform, bias 0.1" in page.locator(
        '[data-panel="lesson"]').inner_text()
    lesson_shot(page, f"vanishing-gradients-relu-{size[0]}x{size[1]}")


def test_overfitting_test_loss_is_twice_the_training_loss_then_lower_with_l2_and_early_stopping(
        lesson_page):
    page = lesson_page("overfitting")
    play_until(page, "s.status.epoch >= 150")
    wait_readout(page, "loss_gap", "v >= 2")
    memorised = lab(page, "s.status.test_loss")
    legend = page.locator('[data-panel="error-history"] .legend').inner_text()
    assert "test loss" in legend
    assert memorised >= 2 * lab(page, "s.status.train_loss")
    go_to_stage(page, 2)  # L2
    play_until(page, "s.status.epoch >= 150")
    assert lab(page, "s.status.test_loss") < memorised
    go_to_stage(page, 3)  # early stopping
    page.click('[data-action="lesson-play"]')
    page.wait_for_function("!window.__lab.state.status.playing && "
                           "window.__lab.state.status.epoch > 0", timeout=20000)
    wait_readout(page, "best_epoch", "v !== null")
    best = readout(page, "best_epoch")
    assert lab(page, "s.status.best_epoch") == best["epoch"]
    assert best["test_loss"] < memorised


def test_local_minima_two_starts_end_in_different_minima_and_a_plateau_is_named(lesson_page):
    page = lesson_page("local-minima")
    left = readout(page, "descent_end")
    assert_descent_view_draws_the_readouts_path(page)
    go_to_stage(page, 2)
    wait_readout(page, "descent_end", "v.end > 0")
    right = readout(page, "descent_end")
    assert_descent_view_draws_the_readouts_path(page)
    assert left["end"] == pytest.approx(-1.0356, abs=1e-3)  # the global minimum
    assert right["end"] == pytest.approx(0.9601, abs=1e-3)  # the local one
    assert right["f"] > left["f"] + 0.5
    go_to_stage(page, 3)  # XOR 2-2-1 from seed 0
    play_until(page, "s.status.plateau !== null", timeout=30000)
    wait_readout(page, "plateau", "v === true")
    note = page.locator('[data-panel="error-history"] [data-role="plateau"]')
    assert note.is_visible() and "Re-initialise" in note.inner_text()
    stuck = lab(page, "s.status.train_loss")
    assert stuck > 0.3
    go_to_stage(page, 4)  # seed 5
    play_until(page, "s.status.train_loss !== null && s.status.train_loss < 0.05",
               timeout=30000)
    assert readout(page, "plateau") is False and note.is_hidden()
    assert [g["label"] for g in lab(page, "s.ghosts")][-1] == "seed 0"


def test_autoencoder_three_numbers_hold_eight_rows_one_does_not(lesson_page):
    page = lesson_page("autoencoder")
    assert lab(page, "s.structure.sizes") == [8, 3, 8]
    assert "accuracy" not in page.locator('[data-panel="error-history"] .legend').inner_text()
    page.click('[data-action="lesson-play"]')
    wait_readout(page, "reconstruction", "v === 8", timeout=30000)
    page.click('[data-action="lesson-pause"]', force=True)
    go_to_stage(page, 2)
    go_to_stage(page, 1, button="lesson-back")
    go_to_stage(page, 2)
    go_to_stage(page, 3)
    assert lab(page, "s.structure.sizes") == [8, 1, 8]
    # One code number: a decoder unit (a sigmoid of a line) can single out only a row whose
    # code is at an end of the line, so at most 2 of the 8 rows can ever come back exactly.
    play_until(page, "s.status.epoch >= 150")
    wait_readout(page, "reconstruction", "window.__lab.state.status.epoch >= 150")
    assert readout(page, "reconstruction") <= 2


# ----- every lesson: layout, classroom, screenshots ---------------------------------------------
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_every_lesson_fits_the_window_and_nothing_moves_while_it_trains(lesson_page, lesson_id,
                                                                         size):
    """Each stage: no panel's text clipped or scrolled, the readouts never over the text, the
    controls in view, the dataset pager on one line, headings whole; and while the first
    stage trains no panel moves and nothing gets clipped."""
    width, height = size
    page = lesson_page(lesson_id, size=size)
    wait_for_stage_config(page, lesson_id, 1)
    before = assert_fits(page, width, height, "stage 1")
    if lab(page, "s.config.mode") == "descent":  # Play takes the path's steps
        page.click('[data-action="lesson-play"]')
        page.wait_for_function("+document.querySelector('[data-panel=descent]').dataset.step > 5")
        during = visible_boxes(page)
        descent_settled(page)
        assert during == before
        assert not (problems := clipping_problems(page)), f"stage 1, run: {problems}"
    elif page.locator('[data-action="lesson-play"]').is_visible():
        page.click('[data-action="lesson-play"]')
        page.wait_for_function("window.__lab.state.status.step > 5")
        during = visible_boxes(page)
        page.wait_for_timeout(1500)
        # forced: a stage with `epochs` may have paused itself already (its button disabled)
        page.click('[data-action="lesson-pause"]', force=True)
        page.wait_for_function("!window.__lab.state.status.playing")
        assert during == before
        assert not (problems := clipping_problems(page)), f"stage 1, trained: {problems}"
    assert visible_boxes(page) == before
    lesson_shot(page, f"{lesson_id}-{width}x{height}")
    for stage in range(2, len(LESSONS[lesson_id].stages) + 1):
        go_to_stage(page, stage)
        wait_for_stage_config(page, lesson_id, stage)
        assert_fits(page, width, height, f"stage {stage}")
        lesson_shot(page, f"{lesson_id}-stage{stage}-{width}x{height}")


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_a_lessons_divergence_banner_covers_no_other_panel(lesson_page, size):
    """The banner of a diverged run sits in the lesson column's free room: the error history,
    the dataset and the lesson's own text, readouts and buttons all stay readable."""
    page = lesson_page("learning-rate", stage=4, size=size)
    page.click('[data-action="lesson-play"]')
    page.wait_for_function("window.__lab.state.status.diverged")
    page.wait_for_selector('[data-role="banner"]:not([hidden])')
    drawn(page)
    assert not (problems := clipping_problems(page)), problems
    lesson_shot(page, f"learning-rate-diverged-{size[0]}x{size[1]}")


@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_classroom_link_shows_only_the_panels_the_lesson_needs(lesson_page, lesson_id):
    page = lesson_page(lesson_id, classroom=True)
    needed = set(LESSONS[lesson_id].panels) | {"lesson"}
    shown = set(visible_boxes(page))
    assert "lesson" in shown and shown <= needed
    mode = lab(page, "s.config.mode")
    expected = {p for p in needed if (p == "descent") == (mode == "descent") or p == "lesson"}
    assert shown == expected
    assert page.locator(".topbar .modes").is_hidden()
    assert "classroom=1" in page.evaluate("location.search")
    for b in visible_boxes(page).values():
        assert b["x"] + b["width"] <= 1280 and b["y"] + b["height"] <= 720
    assert not (problems := clipping_problems(page)), problems
    lesson_shot(page, f"{lesson_id}-classroom-1280x720")
    page.uncheck('[data-action="classroom"]')
    page.wait_for_function("!location.search.includes('classroom')")
    assert page.locator(".topbar .modes").is_visible()
