"""fit with and without bp.compile: identical histories and weights, and the step really is
replayed; a step that cannot be captured trains eagerly (or raises with compile=True)."""

import numpy as np
import pytest

import backproplab as bp
from backproplab import nn, train
from backproplab.compile import CompileError
from backproplab.train.step import TrainStep


def _moons(n=50, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:] > 0).astype(np.float32)
    return x, y


def _fit(compile, spec, data, **kw):
    bp.manual_seed(3)
    model = spec() if callable(spec) else nn.from_spec(spec)
    history = train.fit(model, data, verbose=0, compile=compile, **kw)
    return model, history


def _same(a, b):
    (m1, h1), (m2, h2) = a, b
    d1, d2 = h1.to_dict(), h2.to_dict()
    d1.pop("wall_time")
    d2.pop("wall_time")
    assert d1 == d2
    for (k, v1), v2 in zip(m1.state_dict().items(), m2.state_dict().values(), strict=True):
        assert np.array_equal(v1.array, v2.array), k


def test_fit_history_is_identical_with_and_without_compile_including_a_smaller_last_batch():
    kwargs = {"loss": "bce_with_logits", "optimizer": "adam", "lr": 0.05, "epochs": 6,
              "batch_size": 16, "metrics": ["accuracy"], "validation_split": 0.2,
              "record_steps": True, "callbacks": [train.GradientFlowRecorder()]}
    spec = {"layers": [2, 8, 8, 1], "activation": "relu"}
    _same(_fit(False, spec, _moons(), **kwargs), _fit(True, spec, _moons(), **kwargs))


def test_fit_autoencoder_with_a_learning_rate_schedule_is_identical_compiled():
    x = np.random.default_rng(1).random((40, 8)).astype(np.float32)
    spec = {"layers": [8, 3, 8], "activation": "tanh", "output_activation": "sigmoid"}

    def run(compile):
        bp.manual_seed(0)
        model = nn.from_spec(spec)
        opt = bp.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
        sched = train.LearningRateScheduler(bp.optim.lr_scheduler.StepLR(opt, 2, 0.5))
        h = train.fit(model, x, loss="mse", optimizer=opt, epochs=6, batch_size=16,
                      callbacks=[sched], verbose=0, compile=compile)
        return model, h

    _same(run(False), run(True))


def test_train_step_is_replayed_in_fit_and_can_be_turned_off():
    model = nn.from_spec({"layers": [2, 4, 1], "activation": "tanh"})
    opt = bp.optim.SGD(model.parameters(), lr=0.1)
    step = TrainStep(model, nn.MSELoss(), opt)
    x, y = (bp.tensor(a) for a in _moons(8))
    for _ in range(5):
        step.backward(x, y)
        step.update()
    assert step.compiled
    assert step._backward.stats["replays"] == 2 and step._update.stats["replays"] >= 1
    off = TrainStep(model, nn.MSELoss(), opt, compile=False)
    assert not off.compiled and off.eager_reason is None
    with pytest.raises(ValueError, match="compile must be"):
        TrainStep(model, nn.MSELoss(), opt, compile="yes")


def test_a_model_with_dropout_trains_eagerly_by_default_and_raises_when_compile_is_required():
    def spec():
        return nn.Sequential(nn.Linear(2, 6), nn.ReLU(), nn.Dropout(0.3), nn.Linear(6, 1))

    kwargs = {"loss": "bce_with_logits", "lr": 0.05, "epochs": 2, "batch_size": 10}
    _same(_fit(False, spec, _moons(), **kwargs), _fit(None, spec, _moons(), **kwargs))
    with pytest.raises(CompileError, match="NumPy random draw"):
        _fit(True, spec, _moons(), **kwargs)


def test_divergence_stops_before_the_update_when_compiled():
    x, y = _moons(32)
    x[20:] = np.nan
    kwargs = {"loss": "mse", "optimizer": "sgd", "lr": 0.1, "epochs": 3, "batch_size": 4,
              "shuffle": False}
    spec = {"layers": [2, 4, 1], "activation": "tanh"}
    eager, compiled = _fit(False, spec, (x, y), **kwargs), _fit(True, spec, (x, y), **kwargs)
    _same(eager, compiled)
    assert compiled[1].diverged


def test_a_penalty_strength_change_is_a_new_trace_not_a_stale_constant():
    def run(compile):
        bp.manual_seed(5)
        model = nn.from_spec({"layers": [2, 5, 1], "activation": "tanh"})
        opt = bp.optim.SGD(model.parameters(), lr=0.1)

        def l1(strength):
            return strength * sum(p.abs().sum() for p in model.parameters())

        step = TrainStep(model, nn.MSELoss(), opt, compile, keep_outputs=True, penalty=l1)
        x, y = (bp.tensor(a) for a in _moons(8))
        values = []
        for i in range(12):
            value, out = step.backward(x, y, 0.0 if i < 4 else 0.01 * (1 + i // 8))
            step.update()
            values.append((value, out.array.tolist()))
        return model, values, step

    (m1, v1, _), (m2, v2, step) = run(False), run(True)
    assert v1 == v2
    assert all(np.array_equal(a.array, b.array)
               for a, b in zip(m1.parameters(), m2.parameters(), strict=True))
    assert step._backward.stats["replays"] >= 4
    with pytest.raises(ValueError, match="penalty function"):
        TrainStep(m1, nn.MSELoss(), bp.optim.SGD(m1.parameters(), lr=0.1)).backward(
            *(bp.tensor(a) for a in _moons(4)), 0.5)
