"""EpochLog: the error history keeps the engine's digits, however small the loss gets."""

import numpy

from backproplab.lab.epoch_log import EpochLog


def test_a_small_loss_keeps_its_significant_digits():
    log = EpochLog()
    losses = numpy.float32([0.693147182, 3.14159e-6, 2.5e-9, 1e-30])
    for epoch, loss in enumerate(losses, 1):
        log.record(epoch, train_loss=float(loss), test_loss=None, accuracy=1.0)
    back = numpy.float32(log.columns["train_loss"])
    assert numpy.array_equal(back, losses)  # rounding to 7 decimals sent 3.1e-06, 0 and 0
    assert log.columns["test_loss"] == [None] * 4


def test_non_finite_values_become_null():
    log = EpochLog()
    log.record(1, train_loss=float("nan"), test_loss=float("inf"), accuracy=0.5)
    assert (log.last("train_loss"), log.last("test_loss"), log.last("accuracy")) == (
        None, None, 0.5)
