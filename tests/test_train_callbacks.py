"""Callbacks: EarlyStopping (patience, min_delta, best weights), ModelCheckpoint (writes on
improvement only), LearningRateScheduler (lr events), GradientFlowRecorder (per-layer norms)."""

import math

import numpy
import pytest

import backproplab as bp
from backproplab import nn, optim, train
from backproplab.optim import lr_scheduler
from backproplab.train import (
    EarlyStopping,
    GradientFlowRecorder,
    History,
    LearningRateScheduler,
    ModelCheckpoint,
    TrainingState,
)
from backproplab.train.gradient_flow import layer_name

X = numpy.random.default_rng(0).normal(size=(16, 2)).astype(numpy.float32)
Y = (X[:, :1] > 0).astype(numpy.float32)


def _state():
    model = nn.from_spec({"layers": [2, 3, 1], "activation": "tanh"})
    return TrainingState(model, optim.SGD(model.parameters(), lr=0.1), History())


def _drive(callback, values, key="val_loss", state=None, on_epoch=None):
    """Feed ``values`` as one epoch each; returns the state and the epoch training stopped at."""
    state = state or _state()
    callback.on_train_begin(state)
    for epoch, value in enumerate(values, 1):
        state.epoch = epoch
        if on_epoch:
            on_epoch(state)
        callback.on_epoch_end(state, {key: value})
        if state.stop:
            break
    callback.on_train_end(state)
    return state, state.epoch if state.stop else None


@pytest.mark.parametrize(("patience", "stop_epoch"), [(0, 3), (1, 4), (2, 5), (3, None)])
def test_early_stopping_tolerates_patience_epochs_without_improvement(patience, stop_epoch):
    _, stopped = _drive(EarlyStopping(patience=patience), [1.0, 0.8, 0.9, 0.85, 0.81])
    assert stopped == stop_epoch


def test_early_stopping_counts_only_improvements_larger_than_min_delta():
    _, stopped = _drive(EarlyStopping(patience=1, min_delta=0.1), [1.0, 0.95, 0.91, 0.5])
    assert stopped == 3
    _, stopped = _drive(EarlyStopping(patience=1, min_delta=0.01), [1.0, 0.95, 0.91, 0.5])
    assert stopped is None


def test_early_stopping_maximizes_accuracy_in_auto_mode():
    _, stopped = _drive(EarlyStopping(monitor="val_accuracy", patience=0), [0.5, 0.6, 0.7, 0.6],
                        key="val_accuracy")
    assert stopped == 4


def test_early_stopping_records_why_it_stopped():
    state, _ = _drive(EarlyStopping(patience=1), [1.0, 0.5, 0.7, 0.9])
    assert state.history.stop_reason == ("Early stopping at epoch 4: val_loss has not improved "
                                         "for 2 epochs (best 0.5 at epoch 2)")
    assert [(e.kind, e.epoch) for e in state.history.events] == [("early_stop", 4)]


def test_early_stopping_falls_back_to_loss_and_names_what_is_recorded():
    _, stopped = _drive(EarlyStopping(patience=0), [1.0, 2.0], key="loss")
    assert stopped == 2
    with pytest.raises(KeyError, match="'val_r2' is not recorded; available: loss"):
        _drive(EarlyStopping(monitor="val_r2"), [1.0], key="loss")


def _set_weights_to_epoch(state):
    for p in state.model.parameters():
        p.array[...] = state.epoch


def _weights_value(model):
    values = {float(v) for p in model.parameters() for v in p.array.ravel()}
    assert len(values) == 1
    return values.pop()


def test_restore_best_weights_puts_back_the_best_epoch_when_stopping():
    state, stopped = _drive(EarlyStopping(patience=1, restore_best_weights=True),
                            [1.0, 0.4, 0.6, 0.7, 0.1], on_epoch=_set_weights_to_epoch)
    assert stopped == 4
    assert _weights_value(state.model) == 2.0
    assert state.history.stop_reason.endswith("; restored the best weights")


def test_restore_best_weights_also_applies_when_epochs_run_out():
    state, stopped = _drive(EarlyStopping(patience=10, restore_best_weights=True),
                            [1.0, 0.4, 0.6, 0.7], on_epoch=_set_weights_to_epoch)
    assert stopped is None
    assert _weights_value(state.model) == 2.0


def test_without_restore_best_weights_the_last_weights_stay():
    state, _ = _drive(EarlyStopping(patience=1), [1.0, 0.4, 0.6, 0.7],
                      on_epoch=_set_weights_to_epoch)
    assert _weights_value(state.model) == 4.0


def test_early_stopping_in_fit_ends_with_the_best_validation_weights():
    bp.manual_seed(0)
    model = nn.from_spec({"layers": [2, 8, 1], "activation": "tanh"})
    snapshots = {}

    class Snapshot(train.Callback):
        def on_epoch_end(self, state, logs):
            snapshots[state.epoch] = {k: v.array.copy() for k, v in model.state_dict().items()}

    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    history = train.fit(model, (X, Y), loss="bce_with_logits", lr=0.05, epochs=40,
                        batch_size=4, validation=(X[:6], 1 - Y[:6]),
                        callbacks=[Snapshot(), stopper], verbose=0)
    assert history.stop_reason.startswith("Early stopping")
    best = int(numpy.argmin(history.val_loss)) + 1
    assert best < history.epochs[-1]
    assert stopper.best_epoch == best
    for k, v in model.state_dict().items():
        numpy.testing.assert_array_equal(v.array, snapshots[best][k])


@pytest.mark.parametrize("kwargs", [{"patience": -1}, {"mode": "up"}])
def test_early_stopping_refuses_bad_settings(kwargs):
    with pytest.raises(ValueError):
        EarlyStopping(**kwargs)


def test_checkpoint_writes_only_when_the_monitored_value_improves(tmp_path):
    path = tmp_path / "best.safetensors"
    checkpoint = ModelCheckpoint(path)
    state = _state()
    checkpoint.on_train_begin(state)
    written = []
    for epoch, value in enumerate([float("nan"), 1.0, 0.5, 0.7, 0.4], 1):
        state.epoch = epoch
        _set_weights_to_epoch(state)
        checkpoint.on_epoch_end(state, {"loss": 9.0, "val_loss": value})
        written.append(bp.load_metadata(path)["epoch"] if path.exists() else None)
    assert written == [None, "2", "3", "3", "5"]
    assert bp.load_metadata(path)["val_loss"] == "0.4"
    assert _weights_value(bp.load(path)) == 5.0


def test_checkpoint_in_max_mode_keeps_the_highest_value(tmp_path):
    path = tmp_path / "best.safetensors"
    _drive(ModelCheckpoint(path, monitor="val_accuracy", mode="max"), [0.5, 0.9, 0.7],
           key="val_accuracy", on_epoch=_set_weights_to_epoch)
    assert bp.load_metadata(path)["epoch"] == "2"


def test_checkpoint_without_save_best_only_writes_every_epoch(tmp_path):
    path = tmp_path / "last.safetensors"
    _drive(ModelCheckpoint(path, save_best_only=False), [0.5, 0.9, 0.7],
           on_epoch=_set_weights_to_epoch)
    assert bp.load_metadata(path)["epoch"] == "3"
    assert _weights_value(bp.load(path)) == 3.0


def test_checkpoint_refuses_an_unknown_mode(tmp_path):
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'"):
        ModelCheckpoint(tmp_path / "x", mode="best")


def test_scheduler_callback_steps_per_epoch_and_records_lr_events():
    model = nn.from_spec({"layers": [2, 1]})
    opt = optim.SGD(model.parameters(), lr=0.4)
    callback = LearningRateScheduler(lr_scheduler.StepLR(opt, step_size=2, gamma=0.5))
    history = train.fit(model, (X, Y), optimizer=opt, epochs=5, callbacks=[callback],
                        verbose=0)
    assert history.learning_rates == [0.4, 0.4, 0.2, 0.2, 0.1]
    assert [(e.kind, e.epoch, e.message) for e in history.events] == [
        ("lr", 2, "learning rate 0.4 -> 0.2"), ("lr", 4, "learning rate 0.2 -> 0.1")]


def test_scheduler_callback_feeds_the_monitored_value_to_reduce_on_plateau():
    state = _state()
    callback = LearningRateScheduler(lr_scheduler.ReduceLROnPlateau(state.optimizer, patience=0,
                                                                    factor=0.5))
    _drive(callback, [1.0, 2.0, 3.0], key="loss", state=state)
    assert state.lr == pytest.approx(0.025)
    assert [e.epoch for e in state.history.events] == [2, 3]


def test_layer_name_is_the_module_owning_the_parameter():
    assert layer_name("2.weight") == "2"
    assert layer_name("encoder.0.bias") == "encoder.0"
    assert layer_name("scale") == "scale"


def test_gradient_flow_records_each_layers_gradient_norm_per_epoch():
    torch = pytest.importorskip("torch")
    bp.manual_seed(0)
    model = nn.from_spec({"layers": [2, 5, 1], "activation": "tanh"})
    w1, b1, w2, b2 = (torch.tensor(p.array.astype(numpy.float64), requires_grad=True)
                      for p in model.parameters())
    tx, ty = torch.tensor(X, dtype=torch.float64), torch.tensor(Y, dtype=torch.float64)
    loss = ((torch.tanh(tx @ w1.T + b1) @ w2.T + b2 - ty) ** 2).mean()
    loss.backward()
    expected = {"0": float(torch.sqrt((w1.grad ** 2).sum() + (b1.grad ** 2).sum())),
                "2": float(torch.sqrt((w2.grad ** 2).sum() + (b2.grad ** 2).sum()))}

    recorder = GradientFlowRecorder()
    history = train.fit(model, (X, Y), optimizer="sgd", lr=1e-3, epochs=3, batch_size=16,
                        callbacks=[recorder], verbose=0)
    assert set(history.gradient_norms) == {"0", "2"}
    assert all(len(v) == 3 for v in history.gradient_norms.values())
    for layer, norm in expected.items():
        assert history.gradient_norms[layer][0] == pytest.approx(norm, rel=1e-5)


def test_gradient_flow_averages_the_norm_over_the_epochs_steps():
    seen = []

    class Norms(train.Callback):
        def on_after_backward(self, state, loss):
            g = state.model[0].weight.grad.array
            b = state.model[0].bias.grad.array
            seen.append(math.sqrt(float((g * g).sum() + (b * b).sum())))

    model = nn.from_spec({"layers": [2, 1]})
    history = train.fit(model, (X, Y), epochs=2, batch_size=5,
                        callbacks=[Norms(), GradientFlowRecorder()], verbose=0)
    assert history.gradient_norms["0"] == pytest.approx([numpy.mean(seen[:4]),
                                                         numpy.mean(seen[4:])])
