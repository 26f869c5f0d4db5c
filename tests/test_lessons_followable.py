"""Lesson instructions a class can follow: a stage that says "train for N epochs" makes Play
pause exactly at epoch N at any speed (its file's ``epochs``), and the readouts answer the
stage's question from the engine's own log ("how far has the loss fallen after 100 epochs",
"when were all four XOR rows first right", "is this row's loss lower after the step")."""

import re

import numpy
import pytest

from backproplab.lab.lessons import engine
from backproplab.lab.lessons.readouts import sample_loss
from backproplab.lab.session import Session

STAGES_WITH_EPOCHS = [(lesson.id, i) for lesson in engine.LESSONS.values()
                      for i, stage in enumerate(lesson.stages) if stage.epochs]


def _open(lesson: str, stage: int) -> Session:
    session = Session()
    engine.open_stage(session, lesson, stage)
    return session


def _readout(session, name: str) -> dict:
    return {r["name"]: r for r in session.lesson.frame(session)["readouts"]}[name]


def _play_at_full_speed(session, most: int = 100_000) -> None:
    """Play as the worker plays a full-speed session: slices of ``train_for``."""
    session.playing = True
    while session.playing and session.epoch < most:
        session.train_for(0.05)


def test_every_number_of_epochs_a_stage_names_is_where_its_play_pauses():
    named = 0
    for lesson in engine.LESSONS.values():
        for stage in lesson.stages:
            for text in (stage.do, stage.question):
                for n in re.findall(r"(\d[\d,]*) epochs", text):
                    named += 1
                    assert int(n.replace(",", "")) == stage.epochs, (lesson.id, stage.title)
    assert named >= 10


def test_play_at_full_speed_pauses_exactly_at_the_stages_epoch_and_play_goes_on_after():
    session = _open("learning-rate", 0)
    assert session.pause_at_epoch == 100
    _play_at_full_speed(session, most=400)
    assert session.epoch == 100 and not session.playing
    assert session.history.events[-1].kind == "pause"
    _play_at_full_speed(session, most=130)
    assert session.epoch >= 130 and session.playing  # no second pause: the student went on


def test_play_at_a_set_speed_pauses_there_too_with_one_row_per_step():
    session = _open("batches-and-epochs", 0)  # batch size 1: 140 steps an epoch
    session.playing = True
    while session.playing and session.epoch < 60:
        session.step("batch")  # the worker's loop at a set speed
    assert (session.epoch, session.playing) == (50, False)


def test_closing_the_lesson_or_a_stage_without_epochs_plays_on():
    session = _open("learning-rate", 0)
    engine.open_stage(session, "learning-rate", 3)
    assert session.pause_at_epoch is None
    engine.open_stage(session, "learning-rate", 0)
    engine.close(session)
    assert session.pause_at_epoch is None
    _play_at_full_speed(session, most=105)
    assert session.epoch >= 105 and session.playing


@pytest.mark.parametrize(("lesson", "stage"), [("learning-rate", 0), ("learning-rate", 2)])
def test_loss_fall_is_the_logs_loss_at_the_stages_epoch_against_the_first(lesson, stage):
    session = _open(lesson, stage)
    n = session.lesson.lesson.stages[stage].epochs
    assert _readout(session, "loss_fall")["value"] is None
    _play_at_full_speed(session)
    losses = session.log.columns["train_loss"]
    value = _readout(session, "loss_fall")["value"]
    assert value["epoch"] == n and value["first"] == pytest.approx(losses[0], rel=1e-6)
    assert value["loss"] == pytest.approx(losses[n - 1], rel=1e-6)
    assert value["fall"] == pytest.approx((losses[0] - losses[n - 1]) / losses[0], rel=1e-6)
    _play_at_full_speed(session, most=n + 20)  # played on: still the loss at epoch n
    assert _readout(session, "loss_fall")["value"]["loss"] == pytest.approx(losses[n - 1],
                                                                            rel=1e-6)


def _all_right(session) -> bool:
    out = session.network.outputs(session.points.x)[:, 0]
    return bool(((out > 0.5) == (session.points.y[:, 0] > 0.5)).all())


def test_all_rows_right_is_the_first_epoch_that_starts_with_every_xor_row_right():
    """The oracle classifies the four rows itself before each full-batch epoch (the log's
    accuracy of an epoch is the network's at that epoch's step)."""
    session = _open("learning-cycle", 2)
    assert len(session.points.x) == 4 and session.config.batch_size >= 4
    first = None
    while first is None and session.epoch < 300:
        right = _all_right(session)
        session.step("epoch")
        if right:
            first = session.epoch
        elif first is None:
            assert _readout(session, "all_rows_right")["value"] is None
    assert first is not None and first > 1
    assert _readout(session, "all_rows_right")["value"] == first
    assert f"first time in epoch {first}" in _readout(session, "all_rows_right")["text"]


def test_step_loss_change_is_the_rows_loss_before_and_after_the_step():
    session = _open("learning-cycle", 1)
    session.select(3)
    before = sample_loss(session, None)[0]
    assert _readout(session, "step_loss_change")["value"] is None
    session.step("sample")
    value = _readout(session, "step_loss_change")["value"]
    assert value["before"] == pytest.approx(before, rel=1e-6)
    assert value["after"] == pytest.approx(sample_loss(session, None)[0], rel=1e-6)
    assert value["after"] < value["before"]
    session.select(1)  # another row: the step's "before" was not its loss
    assert _readout(session, "step_loss_change")["value"] is None


def test_code_values_are_the_autoencoders_codes_of_its_rows():
    session = _open("autoencoder", 0)
    codes = session.network.encode(session.points.x)
    value = _readout(session, "code_values")["value"]
    assert value["min"] == pytest.approx(float(codes.min()), rel=1e-6)
    assert value["max"] == pytest.approx(float(codes.max()), rel=1e-6)
    gaps = [numpy.linalg.norm(a - b) for i, a in enumerate(codes) for b in codes[i + 1:]]
    assert value["closest"] == pytest.approx(float(min(gaps)), rel=1e-5)


def test_the_vanishing_gradients_plateau_names_the_sigmoid_not_re_initialising():
    session = _open("vanishing-gradients", 0)
    while session.plateau.message is None and session.epoch < 400:
        session.step("epoch")
    message = session.plateau.message
    assert message is not None and "sigmoid" in message and "Re-initialise" not in message
    session.reset()  # the stage's advice survives the Reset button
    assert session.plateau.remedy == engine.LESSONS["vanishing-gradients"].stages[0] \
        .plateau_remedy
    engine.close(session)
    assert "Re-initialise" in session.plateau.remedy
