"""L1 regularisation and early stopping in a lab session: the L1 step against a hand
computation, the best epoch marked and restored, the protocol's restore message."""

import numpy
import pytest

from backproplab.lab import protocol
from backproplab.lab.config import DATASET_PRESETS, LabConfig
from backproplab.lab.frames import status
from backproplab.lab.session import Session


def _session(dataset="xor", **changes) -> Session:
    return Session(LabConfig(dataset=dataset, **{**DATASET_PRESETS[dataset], **changes}))


def test_l1_step_adds_l1_times_the_sign_of_each_parameter_to_its_gradient():
    plain, l1 = _session(lr=0.1), _session(lr=0.1, l1=0.05)
    before = [p.array.astype(numpy.float64) for p in plain.network.parameters()]
    plain.step("batch")  # xor: one batch of all 4 rows, the same rows in both sessions
    l1.step("batch")
    for w0, p, q in zip(before, plain.network.parameters(), l1.network.parameters(),
                        strict=True):
        # SGD: w ← w - lr·(∂L/∂w + l1·sign(w)), so the two runs differ by lr·l1·sign(w0)
        # (float32 weights near 1: two rounding steps of ~6e-8 each)
        numpy.testing.assert_allclose(p.array - q.array, 0.1 * 0.05 * numpy.sign(w0),
                                      atol=2.5e-7)
    assert plain.step_count == l1.step_count == 1


def test_l1_leaves_the_logged_loss_the_data_loss():
    plain, l1 = _session(lr=0.1), _session(lr=0.1, l1=0.5)
    plain.step("epoch")
    l1.step("epoch")  # the first epoch's single step starts from the same weights
    assert l1.log.last("train_loss") == plain.log.last("train_loss")


def test_l1_change_keeps_the_weights_and_is_an_event():
    s = _session()
    s.step("batch")
    weights = [p.array.copy() for p in s.network.parameters()]
    assert s.configure(s.config.updated({"l1": 0.01})) == "training"
    assert all(numpy.array_equal(a, p.array) for a, p in zip(weights, s.network.parameters(),
                                                            strict=True))
    assert s.history.events[-1].message == "L1 0 → 0.01"


def _overfitting_session() -> Session:
    """Few noisy moons and a wide network at a high rate: the test loss turns up early."""
    return _session("moons", hidden=(32, 32), activation="relu", points=60, noise=0.3,
                    early_stopping=True)


def test_early_stopping_pauses_marks_the_best_epoch_and_restores_its_weights():
    s = _overfitting_session()
    s.playing = True
    best_weights, best_loss = None, float("inf")
    while s.playing and s.epoch < 500:
        s.step("epoch")
        if s.log.last("test_loss") < best_loss:
            best_loss = s.log.last("test_loss")
            best_weights = [p.array.copy() for p in s.network.parameters()]
    assert not s.playing and s.epoch < 500
    best = s.best_epoch()
    assert status(s)["best_epoch"] == best
    assert s.epoch - best == 21  # patience 20: the 21st epoch without improvement stops
    assert s.log.columns["test_loss"][best - 1] == pytest.approx(min(s.log.columns["test_loss"]))
    assert "paused; Restore best" in s.history.events[-1].message
    assert s.restore_best() == best
    assert all(numpy.array_equal(a, p.array) for a, p in zip(best_weights,
                                                            s.network.parameters(),
                                                            strict=True))


def test_best_epoch_is_none_while_early_stopping_is_off_and_restore_says_why():
    s = _session()
    s.step("epoch")
    assert status(s)["best_epoch"] is None
    with pytest.raises(ValueError, match="switch early stopping on"):
        s.restore_best()


def test_switching_early_stopping_on_mid_run_watches_from_then_on():
    s = _session("moons", points=60)
    for _ in range(3):
        s.step("epoch")
    s.configure(s.config.updated({"early_stopping": True}))
    assert s.best_epoch() is None
    s.step("epoch")
    assert s.best_epoch() == 4


def test_restore_message_and_config_fields_are_validated():
    assert protocol.parse_message('{"type": "restore_best", "id": 3}').type == "restore_best"
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_message('{"type": "restore_best", "epoch": 3}')
    with pytest.raises(ValueError, match="l1"):
        LabConfig(l1=-0.1)
    with pytest.raises(ValueError, match="l1"):
        LabConfig(l1=2.0)
