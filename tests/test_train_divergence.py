"""Divergence: a too-high learning rate or NaN loss stops training with a diagnosis, and a
NaN loss is caught before the optimizer step so the weights stay finite."""

import re

import numpy
import pytest

import backproplab as bp
from backproplab import data, nn, optim, train
from backproplab.train import Callback, DivergenceDetector

MOONS = data.make_moons(n=120, noise=0.1, seed=0)


@pytest.mark.parametrize(("optimizer", "advice"), [("adam", "try 0.01 or lower"),
                                                   ("sgd", "try 10 or lower")])
def test_learning_rate_100_is_caught_with_a_diagnosis(optimizer, advice):
    bp.manual_seed(0)
    model = nn.from_spec({"layers": [2, 16, 1], "activation": "tanh"})
    history = train.fit(model, MOONS, loss="bce_with_logits", optimizer=optimizer, lr=100,
                        epochs=20, verbose=0)
    assert history.diverged
    assert len(history.epochs) < 20
    assert re.match(r"Training diverged at epoch \d+", history.stop_reason)
    assert re.search(r"learning rate 100 is probably too high", history.stop_reason)
    assert advice in history.stop_reason
    assert all(numpy.isfinite(p.array).all() for p in model.parameters())


def _nan_in_second_batch():
    x = numpy.random.default_rng(1).normal(size=(8, 2)).astype(numpy.float32)
    y = x[:, :1].copy()
    y[5, 0] = numpy.nan
    return x, y


def test_nan_loss_is_caught_before_the_optimizer_step():
    model = nn.from_spec({"layers": [2, 3, 1], "activation": "tanh"})
    after_first_step = {}

    class Keep(Callback):
        def on_step_end(self, state, loss):
            after_first_step.update({k: v.array.copy() for k, v in model.state_dict().items()})

    history = train.fit(model, _nan_in_second_batch(), optimizer="sgd", lr=0.01, epochs=3,
                        batch_size=4, shuffle=False, callbacks=[Keep()], verbose=0)
    assert history.diverged
    assert history.stop_reason.startswith("Training diverged at epoch 1, step 2: the training "
                                           "loss became NaN")
    for k, v in model.state_dict().items():
        assert numpy.isfinite(v.array).all()
        numpy.testing.assert_array_equal(v.array, after_first_step[k], err_msg=k)


def test_nan_with_a_moderate_learning_rate_points_at_the_data():
    history = train.fit(nn.from_spec({"layers": [2, 1]}), _nan_in_second_batch(),
                        optimizer="sgd", lr=0.01, batch_size=4, shuffle=False, verbose=0)
    assert "check the data for NaN/Inf" in history.stop_reason


def test_nan_on_the_first_step_leaves_the_initial_weights():
    model = nn.from_spec({"layers": [2, 1]})
    before = model[0].weight.array.copy()
    x = numpy.full((4, 2), numpy.nan, dtype=numpy.float32)
    history = train.fit(model, (x, x[:, :1]), epochs=2, verbose=0)
    assert history.diverged and history.epochs == []
    numpy.testing.assert_array_equal(model[0].weight.array, before)


def test_divergence_is_printed_when_verbose(capsys):
    train.fit(nn.from_spec({"layers": [2, 1]}), _nan_in_second_batch(), batch_size=4,
              shuffle=False, verbose=1)
    assert "Training diverged at epoch 1, step 2" in capsys.readouterr().out


def test_detection_can_be_turned_off():
    history = train.fit(nn.from_spec({"layers": [2, 1]}), _nan_in_second_batch(), epochs=2,
                        batch_size=4, shuffle=False, detect_divergence=False, verbose=0)
    assert not history.diverged and history.epochs == [1, 2]


def _state(lr, loss_values, opt_cls=optim.SGD):
    model = nn.from_spec({"layers": [2, 1]})
    state = train.TrainingState(model, opt_cls(model.parameters(), lr=lr), train.History())
    detector = DivergenceDetector(factor=10.0, step_factor=100.0)
    detector.on_train_begin(state)
    state.epoch = 1
    for value in loss_values:
        state.step += 1
        detector.on_after_backward(state, value)
        if state.stop:
            break
    return detector, state


def test_a_finite_step_loss_beyond_step_factor_times_the_first_stops():
    _, state = _state(5.0, [1.0, 50.0, 150.0, 1.0])
    assert state.step == 3
    assert "exploded to 150 (it started at 1)" in state.history.stop_reason
    assert "learning rate 5 is probably too high for SGD; try 0.5 or lower" in (
        state.history.stop_reason)


def test_an_epoch_mean_beyond_factor_times_the_first_loss_stops():
    detector, state = _state(0.001, [1.0, 2.0])
    assert not state.stop
    detector.on_epoch_end(state, {"loss": 11.0})
    assert state.history.stop_reason.startswith("Training diverged at epoch 1: the training "
                                                "loss exploded to 11")
    assert "the learning rate is moderate" in state.history.stop_reason


def test_infinite_loss_is_named_as_such():
    _, state = _state(0.1, [1.0, float("inf")], opt_cls=optim.Adam)
    assert "became infinite" in state.history.stop_reason
    assert "learning rate 0.1 is probably too high for Adam" in state.history.stop_reason


def test_a_user_detector_replaces_the_default_one():
    lenient = DivergenceDetector(factor=1e9, step_factor=1e9)
    bp.manual_seed(0)
    model = nn.from_spec({"layers": [2, 16, 1], "activation": "tanh"})
    history = train.fit(model, MOONS, loss="bce_with_logits", lr=100, epochs=2,
                        callbacks=[lenient], verbose=0)
    assert not history.diverged and history.epochs == [1, 2]
