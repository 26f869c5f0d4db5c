"""The lesson engine: lesson files are validated data, a stage is applied through the session's
configure and starts a fresh run, the readouts are the library's own numbers, and a refused
lesson message changes nothing."""

import json
import math

import numpy
import pytest

import backproplab as bp
from backproplab.lab.config import LabConfig
from backproplab.lab.frames import FrameTracker
from backproplab.lab.handlers import handle
from backproplab.lab.lessons import engine
from backproplab.lab.lessons.readouts import READOUTS, TRACED_ROWS
from backproplab.lab.player import Player
from backproplab.lab.session import Session

LESSON_IDS = ["learning-cycle", "chain-rule", "gradient-descent", "learning-rate",
              "batches-and-epochs", "vanishing-gradients", "overfitting", "local-minima",
              "autoencoder"]


def readout(session, name: str):
    """The value of readout ``name`` in the open lesson's frame."""
    values = {r["name"]: r for r in session.lesson.frame(session)["readouts"]}
    return values[name]["value"]


def test_the_nine_lessons_are_files_read_by_one_engine_in_menu_order():
    assert list(engine.LESSONS) == LESSON_IDS
    for lesson_id in LESSON_IDS:
        assert (engine.LESSON_DIR / f"{lesson_id}.toml").exists()
    catalogue = engine.catalogue()
    assert [c["id"] for c in catalogue] == LESSON_IDS
    assert all(c["stages"] and all(s["do"] and s["watch"] and s["question"]
                                   for s in c["stages"]) for c in catalogue)


def test_every_stage_config_is_a_valid_lab_config_and_every_readout_exists():
    for lesson in engine.LESSONS.values():
        for i, stage in enumerate(lesson.stages):
            assert isinstance(lesson.stage_config(i), LabConfig)
            assert set(stage.readouts) <= set(READOUTS)


@pytest.mark.parametrize(("text", "words"), [
    ('id = "bad"\ntitle = "t"\nsummary = "s"\npanels = ["network"]\n'
     '[[stages]]\ntitle = "a"\ndo = "d"\nwatch = "w"\nquestion = "q"\nconfig = { lr = 99 }',
     "lesson file bad.toml: lr: Input should be less than or equal to 10"),
    ('id = "bad"\ntitle = "t"\nsummary = "s"\npanels = ["network"]\n'
     '[[stages]]\ntitle = "a"\ndo = "d"\nwatch = "w"\nquestion = "q"\nreadouts = ["magic"]',
     "unknown readout"),
    ('id = "bad"\ntitle = "t"\nsummary = "s"\npanels = ["sidebar"]\n'
     '[[stages]]\ntitle = "a"\ndo = "d"\nwatch = "w"\nquestion = "q"', "unknown panel"),
    ('id = "other"\ntitle = "t"\nsummary = "s"\npanels = []\n'
     '[[stages]]\ntitle = "a"\ndo = "d"\nwatch = "w"\nquestion = "q"', "differs from the file"),
    ('id = "bad"\ntitle = ', "lesson file bad.toml"),
])
def test_a_broken_lesson_file_is_refused_naming_the_file_and_the_problem(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=words):
        engine.load_lesson(path)


def test_a_stage_is_the_lessons_config_and_starts_a_fresh_run():
    session = Session()
    run = engine.open_stage(session, "vanishing-gradients", 0)
    assert (session.config.activation, session.config.hidden) == ("sigmoid", (4,) * 6)
    assert session.config.dataset == "circles" and session.config.points == 200  # its preset
    first = [p.array.copy() for p in session.network.parameters()]
    session.step("epoch")
    engine.open_stage(session, "vanishing-gradients", 0)  # same stage again: a fresh run
    assert session.step_count == 0 and len(session.log) == 0
    assert all((a == p.array).all() for a, p in zip(first, session.network.parameters(),
                                                    strict=True))
    assert run.lesson.id == session.lesson.lesson.id and session.lesson.stage == 0
    engine.open_stage(session, "learning-rate", 1)
    engine.open_stage(session, "learning-rate", 2)  # only lr differs: still a fresh run
    assert session.config.lr == 6 and session.step_count == 0


@pytest.mark.parametrize(("message", "words"), [
    ({"lesson": "knitting", "stage": 0}, "unknown lesson 'knitting'; valid: learning-cycle"),
    ({"lesson": "overfitting", "stage": 5}, "has stages 0 to 2, not 5"),
    ({"lesson": "overfitting", "stage": -1}, "stage"),
    ({"lesson": "x" * 41}, "lesson"),
])
def test_a_refused_lesson_message_changes_nothing(message, words):
    session = Session()
    engine.open_stage(session, "chain-rule", 1)
    session.step("epoch")
    config, steps = session.config, session.step_count
    reply = handle(json.dumps({"type": "lesson", "id": 3, **message}), session, Player(session))
    assert not reply["ok"] and words in reply["error"] and reply["id"] == 3
    assert session.config == config and session.step_count == steps
    assert session.lesson.lesson.id == "chain-rule" and session.lesson.stage == 1


def test_lesson_message_opens_and_closes_and_frames_carry_the_readouts():
    session = Session()
    tracker = FrameTracker()
    tracker.build(session)
    reply = handle(json.dumps({"type": "lesson", "lesson": "batches-and-epochs", "stage": 2}),
                   session, Player(session))
    assert reply["ok"] and reply["config"]["batch_size"] == 16 and "batch_size=16" in \
        reply["query"]
    frame = tracker.build(session)
    assert frame["lesson"]["id"] == "batches-and-epochs" and frame["lesson"]["stage"] == 2
    names = [r["name"] for r in frame["lesson"]["readouts"]]
    assert names == ["steps_per_epoch", "train_loss"]
    assert frame["lesson"]["readouts"][0]["value"] == math.ceil(140 / 16)
    session.step("epoch")
    assert session.step_count == 9
    reply = handle(json.dumps({"type": "lesson"}), session, Player(session))
    assert reply["ok"] and session.lesson is None
    assert tracker.build(session)["lesson"] is None


def test_gradient_ratio_is_bp_explain_gradient_health_on_the_first_training_rows():
    session = Session()
    engine.open_stage(session, "vanishing-gradients", 0)
    rows = numpy.flatnonzero(~session.points.is_test)[:TRACED_ROWS]
    health = bp.explain.gradient_health(session.network.model, session._x[rows],
                                        session._t[rows], session.network.loss_fn)
    assert readout(session, "gradient_ratio") == pytest.approx(health.first_to_last_ratio,
                                                               rel=1e-6)
    assert readout(session, "gradient_ratio") < 1e-3


def test_last_update_is_minus_lr_times_the_gradient_of_that_parameter():
    session = Session()
    engine.open_stage(session, "learning-cycle", 1)
    assert readout(session, "last_update") is None
    session.step("sample")
    value = readout(session, "last_update")
    param = getattr(session.network.layers[value["layer"] - 1][0], value["kind"])
    assert value["grad"] == pytest.approx(float(param.grad.array[tuple(value["index"])]),
                                          rel=1e-6)
    assert value["grad"] != 0
    assert value["delta"] == pytest.approx(-0.5 * value["grad"], rel=1e-5)


def test_gradient_check_readout_is_bp_explain_gradient_check_of_the_selected_row():
    session = Session()
    engine.open_stage(session, "chain-rule", 0)
    session.select(2)
    check = bp.explain.gradient_check(session.network.model, session._x[[2]],
                                      session._t[[2]], session.network.loss_fn)
    assert readout(session, "gradient_check") == pytest.approx(check.max_relative_error)
    assert readout(session, "gradient_check") < 1e-6


def test_descent_readout_is_the_path_of_bp_explain_descend():
    session = Session()
    engine.open_stage(session, "gradient-descent", 3)
    assert session.config.mode == "descent"
    path = bp.explain.descend(bp.explain.square, 2.5, 1.1, 40)
    value = readout(session, "descent_end")
    assert value["regime"] == path.regime == "diverging"
    assert value["end"] == pytest.approx(path.points[-1], rel=1e-6)


@pytest.mark.parametrize(("seed", "stuck"), [(0, True), (5, False)])
def test_status_says_when_xor_on_two_hidden_units_is_stuck(seed, stuck):
    session = Session(LabConfig(hidden=(2,), seed=seed))
    for _ in range(1500):
        session.step("epoch")
    tracker = FrameTracker()
    plateau = tracker.build(session)["status"]["plateau"]
    assert (plateau is not None) == stuck
    if stuck:
        assert "plateau" in plateau and "Re-initialise" in plateau
        assert "plateau" in [e.kind for e in session.history.events]


def test_the_readme_lists_every_lesson_with_its_link():
    readme = (engine.LESSON_DIR.parents[3] / "README.md").read_text(encoding="utf-8")
    lessons = readme.split("## Lessons", 1)[1].split("\n## ", 1)[0]
    for lesson in engine.LESSONS.values():
        assert f"| {lesson.title} | {lesson.summary} | [`?lesson={lesson.id}`]" in lessons


def test_loss_trend_tells_a_good_rate_from_an_overshooting_and_a_diverging_one():
    session = Session()
    trends = []
    for stage in (1, 2, 3):  # lr 0.3, 6, 10
        engine.open_stage(session, "learning-rate", stage)
        for _ in range(60):
            session.step("epoch")
        trends.append(readout(session, "loss_trend"))
    assert trends == ["falling", "oscillating", "diverging"]
