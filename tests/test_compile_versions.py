"""A replayed step changes parameters in place as eager's optimizer does, so it leaves the
same trace of it: each parameter's version counter and the global in-place clock advance as
in eager mode, and a graph recorded before the step refuses backward through a parameter the
step changed, with eager's error."""

import numpy as np
import pytest

import backproplab as bp
from backproplab import nn
from backproplab.autograd import function
from tests.compile_steps import training_step


def _model_and_step():
    bp.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    opt = bp.optim.SGD(model.parameters(), lr=0.1)
    return model, training_step(model, opt, nn.BCEWithLogitsLoss())


def _batch():
    rng = np.random.default_rng(0)
    return (bp.tensor(rng.standard_normal((8, 2)).astype(np.float32)),
            bp.tensor((rng.random((8, 1)) > 0.5).astype(np.float32)))


def test_replayed_steps_advance_versions_and_the_inplace_clock_as_eager_steps_do():
    (m1, eager), (m2, step) = _model_and_step(), _model_and_step()
    compiled = bp.compile(step)
    x, y = _batch()
    advanced = []
    for run, model in ((eager, m1), (compiled, m2)):
        run(x, y)
        run(x, y)
        run(x, y)  # the compiled step's third call is its first replay
        versions = [p._version for p in model.parameters()]
        tick = function._InplaceClock.tick
        for _ in range(5):
            run(x, y)
        advanced.append(([p._version - v for p, v in zip(model.parameters(), versions,
                                                          strict=True)],
                         function._InplaceClock.tick - tick))
    assert compiled.stats["replays"] >= 5
    assert advanced[1] == advanced[0]
    assert advanced[0][1] > 0 and all(n > 0 for n in advanced[0][0])


def test_backward_through_a_graph_recorded_before_a_replay_is_refused_as_in_eager():
    messages = []
    for compile_it in (False, True):
        model, step = _model_and_step()
        run = bp.compile(step) if compile_it else step
        x, y = _batch()
        for _ in range(3):
            run(x, y)
        saved = (model(x) ** 2).sum()  # saves the weights for its backward
        run(x, y)
        with pytest.raises(RuntimeError, match="modified by an inplace operation") as err:
            saved.backward()
        messages.append(str(err.value))
    assert messages[0] == messages[1]
