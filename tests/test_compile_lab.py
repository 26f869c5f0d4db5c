"""The lab's training replays its steps with bp.compile and gets the numbers eager mode gets:
the same epoch log and weights through batches, epochs, single-sample steps and changes of
learning rate, L1 and L2 mid-run; ``compile_steps = False`` turns it off."""

import numpy as np

from backproplab.lab.config import LabConfig
from backproplab.lab.session import Session


def _run(compile_steps: bool, changes: dict, **config):
    session = Session(LabConfig().updated(config))
    session.compile_steps = compile_steps
    for _ in range(3):
        session.step("epoch")
    session.configure(session.config.updated(changes))
    for _ in range(2):
        session.step("epoch")
    session.step("sample")
    for _ in range(5):
        session.step("batch")
    weights = [p.array.copy() for p in session.network.parameters()]
    return session, weights


def _assert_same(config: dict, changes: dict):
    eager, w1 = _run(False, changes, **config)
    compiled, w2 = _run(True, changes, **config)
    assert eager.log.columns == compiled.log.columns
    assert eager.step_count == compiled.step_count
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2, strict=True))
    step = compiled._train_step()
    assert step.compiled and step._backward.stats["replays"] > 10
    assert not eager._train_step().compiled
    return compiled


def test_lab_moons_with_adam_l1_and_a_learning_rate_change_is_identical_compiled():
    _assert_same({"dataset": "moons", "points": 60, "optimizer": "adam", "lr": 0.05,
                  "batch_size": 8, "hidden": [6, 6], "activation": "relu", "test_fraction": 0.2},
                 {"lr": 0.01, "l1": 0.001})


def test_lab_multiclass_cross_entropy_with_l2_switched_on_is_identical_compiled():
    _assert_same({"dataset": "gaussians", "points": 60, "loss": "cross_entropy", "optimizer": "sgd",
                  "lr": 0.2, "batch_size": 10},
                 {"l2": 0.01})


def test_lab_batches_of_one_row_log_the_same_losses_compiled():
    """The 'Batches and epochs' lesson trains on one row at a time: its loss curve stayed flat
    when the compiled step returned the first replay's loss for ever."""
    session = _assert_same({"dataset": "moons", "points": 40, "hidden": [6], "lr": 0.1,
                            "batch_size": 1, "test_fraction": 0.3}, {"lr": 0.05})
    assert len(set(session.log.columns["train_loss"])) == len(session.log.columns["train_loss"])


def test_lab_player_trains_through_the_compiled_step():
    session = Session(LabConfig().updated({"dataset": "xor", "batch_size": 4}))
    session.playing = True
    while session.step_count < 12:  # by steps, not seconds: traces are slow on a busy machine
        session.train_for(0.05)
    step = session._train_step()
    assert step.compiled and step._backward.stats["replays"] > 0
