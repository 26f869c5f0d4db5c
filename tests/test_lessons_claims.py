"""What each lesson's text claims, shown by the engine: every stage is run as the lesson says
(its config, up to the epoch its Play pauses at) through the Session the page drives, and the
claim is checked on the run's own numbers, not on the words."""

import math

import numpy
import pytest

from backproplab.lab.lessons import engine
from backproplab.lab.lessons.readouts import code_values, loss_trend, reconstruction, sample_loss
from backproplab.lab.session import Session


def _run(lesson: str, stage: int, epochs: int | None = None) -> Session:
    """Stage ``stage`` trained to ``epochs`` (default: where its Play pauses)."""
    session = Session()
    engine.open_stage(session, lesson, stage)
    epochs = epochs or session.pause_at_epoch
    while session.epoch < epochs and session.diverged is None:
        session.step("epoch")
    return session


def _loss(session, epoch: int) -> float:
    return session.log.columns["train_loss"][session.log.columns["epoch"].index(epoch)]


def test_learning_rate_small_creeps_good_falls_much_faster_large_oscillates_huge_diverges():
    small, good = _run("learning-rate", 0), _run("learning-rate", 1)
    assert 0.5 < _loss(small, 100) / _loss(small, 1) < 0.95  # falls, but slowly
    assert _loss(good, 100) < 0.5 * _loss(small, 100)  # much faster
    large = _run("learning-rate", 2)  # lr 6, its 300 epochs
    losses = numpy.array(large.log.columns["train_loss"])
    jumps = numpy.diff(losses) / losses[:-1] > 0.1
    assert jumps[-100:].sum() >= 10, "lr 6 no longer jumps up and down to its last epochs"
    assert loss_trend(large, None)[0] == "oscillating"
    good = _run("learning-rate", 1, 800)
    assert _loss(large, 300) > 2 * _loss(good, 300)
    while large.epoch < 800:  # a class that plays on does not see lr 6 win (lr 3 did, at 450)
        large.step("epoch")
    assert min(large.log.columns["train_loss"][300:]) > 2 * _loss(good, 800)
    huge = _run("learning-rate", 3, 50)
    assert huge.diverged is not None and not huge.playing and huge.epoch < 10


def test_autoencoder_three_numbers_hold_all_rows_in_codes_that_are_not_bits():
    session = _run("autoencoder", 0)
    assert reconstruction(session, None)[0] == 8
    value = code_values(session, None)[0]
    assert value["min"] < -1 or value["max"] > 2  # far outside on/off


def test_autoencoder_two_numbers_get_every_row_right_only_slowly():
    session = Session()
    engine.open_stage(session, "autoencoder", 1)
    exact = []
    while session.epoch < 600:
        session.step("epoch")
        exact.append(reconstruction(session, None)[0])
    assert min(exact[99:300]) < 8, "no row came back wrong on the way"
    assert exact[-1] == 8
    assert _loss(session, 600) > 3 * _loss(_run("autoencoder", 0), 600)  # slower than 3


def test_autoencoder_one_number_cannot_hold_the_rows_and_its_loss_almost_stops_falling():
    session = _run("autoencoder", 2)
    assert reconstruction(session, None)[0] < 8
    assert _loss(session, 600) > 0.9 * _loss(session, 300) and _loss(session, 600) > 0.1


def test_learning_cycle_a_step_lowers_the_rows_loss_and_a_tenth_of_the_rate_lowers_it_less():
    falls = {}
    for lr in (0.5, 0.05):
        session = Session()
        engine.open_stage(session, "learning-cycle", 1)
        session.configure(session.config.updated({"lr": lr}))
        before = sample_loss(session, None)[0]
        assert before == pytest.approx(math.log(2), rel=1e-6)  # row (0, 0): p = 0.5
        session.step("sample")
        falls[lr] = before - sample_loss(session, None)[0]
    assert falls[0.5] > 0 and falls[0.05] > 0
    assert 3 < falls[0.5] / falls[0.05] < 10  # "several times less", not exactly ten


def test_learning_cycle_all_four_xor_rows_are_right_before_play_pauses():
    session = _run("learning-cycle", 2)
    assert 1.0 in session.log.columns["accuracy"]


def test_vanishing_gradients_sigmoid_net_still_guesses_after_its_150_epochs():
    session = _run("vanishing-gradients", 0)
    assert abs(_loss(session, 150) - math.log(2)) < 0.02  # "stays near 0.69"
    assert session.log.last("accuracy") < 0.7


def test_overfitting_memorises_then_l2_and_early_stopping_narrow_the_gap():
    memorised, l2 = _run("overfitting", 0), _run("overfitting", 1)
    train, test = memorised.log.last("train_loss"), memorised.log.last("test_loss")
    assert train < 0.01 and test > 1.5 * min(memorised.log.columns["test_loss"])  # climbs
    assert test > 20 * train
    assert l2.log.last("test_loss") < test and l2.log.last("train_loss") > train
    early = Session()
    engine.open_stage(early, "overfitting", 2)
    early.playing = True
    while early.playing and early.epoch < 300:
        early.step("epoch")
    assert not early.playing and early.epoch < 300  # it paused by itself
    best = early.best_epoch()
    assert 10 <= best < early.epoch - 10  # after a start, before the end: a real minimum
    assert early.early.best < test


def test_local_minima_xor_on_two_units_sticks_at_about_ln2_over_2_and_seed_5_does_not():
    stuck = _run("local-minima", 2)
    assert stuck.plateau.message is not None
    assert abs(stuck.log.last("train_loss") - math.log(2) / 2) < 0.02
    assert _run("local-minima", 3).log.last("train_loss") < 0.05


def test_batches_full_batch_falls_more_slowly_per_epoch_than_one_row_per_step():
    one_row, full = _run("batches-and-epochs", 0), _run("batches-and-epochs", 1)
    assert _loss(full, 50) > 1.5 * _loss(one_row, 50)
