"""Buffer reuse: temporaries share the memory of dead ones, and the replay still gives eager's
bits — parameters, gradients, optimizer state and everything the step returns."""

import numpy as np
import pytest

import backproplab as bp
from backproplab import nn
from tests.compile_steps import same_bits, training_step
from tests.test_compile import OPTIMIZERS

STEPS = 40


def _model(dtype, activation=nn.ReLU):
    bp.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), activation(), nn.Linear(8, 8), activation(),
                         nn.Linear(8, 8), activation(), nn.Linear(8, 3)).to(dtype)


def _batches(dtype):
    rng = np.random.default_rng(2)
    return [(bp.tensor(rng.standard_normal((8, 4)).astype(dtype)),
             bp.tensor(rng.standard_normal((8, 3)).astype(dtype))) for _ in range(3)]


def _run(optimizer, dtype, compiled, make_step=training_step, activation=nn.ReLU):
    model = _model(dtype, activation)
    opt = OPTIMIZERS[optimizer](model.parameters())
    step = make_step(model, opt, nn.MSELoss())
    run = bp.compile(step) if compiled else step
    batches = _batches(dtype)
    outputs = [run(*batches[i % 3]) for i in range(STEPS)]
    return model, opt, outputs, run


def _assert_same(first, second):
    (m1, o1, out1, _), (m2, o2, out2, _) = first, second
    for a, b in zip(out1, out2, strict=True):
        for x, y in zip(a if type(a) is tuple else (a,), b if type(b) is tuple else (b,),
                        strict=True):
            assert same_bits(x.array, y.array)
    for (name, p1), p2 in zip(m1.named_parameters(), m2.parameters(), strict=True):
        assert same_bits(p1.array, p2.array), name
        assert same_bits(p1.grad.array, p2.grad.array), name
    s1, s2 = o1.state_dict()["state"], o2.state_dict()["state"]
    for i, state in s1.items():
        for key, value in state.items():
            assert same_bits(value, s2[i][key]), (i, key)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_temporaries_share_memory_and_the_replay_keeps_eager_bits(optimizer, dtype):
    eager = _run(optimizer, dtype, compiled=False)
    compiled = _run(optimizer, dtype, compiled=True)
    step = compiled[3]
    assert step.stats["replays"] >= STEPS - 5
    assert step.tape.reused > 0  # same-shaped activations of three hidden layers
    _assert_same(eager, compiled)


def test_a_returned_hidden_activation_keeps_its_own_memory():
    def returning_hidden(model, opt, loss_fn):
        def step(x, y):
            opt.zero_grad()
            hidden = model[1](model[0](x))
            loss = loss_fn(model[2:](hidden), y)
            loss.backward()
            opt.step()
            return loss, hidden
        return step

    eager = _run("adam", np.float32, False, returning_hidden, nn.Tanh)
    compiled = _run("adam", np.float32, True, returning_hidden, nn.Tanh)
    assert compiled[3].tape.reused > 0
    _assert_same(eager, compiled)
    hidden = [out[1].array for out in compiled[2][-3:]]
    assert not np.shares_memory(hidden[0], hidden[1])  # each call's value is its own copy
