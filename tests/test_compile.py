"""bp.compile replays are bit for bit the eager step: every optimizer, loss and activation
family, in float32 and float64, over 100 steps on batches whose data change every step."""

import numpy as np
import pytest

import backproplab as bp
from backproplab import nn
from tests.compile_steps import same_bits, training_step

STEPS = 100

OPTIMIZERS = {
    "sgd": lambda p: bp.optim.SGD(p, lr=0.1),
    "sgd-momentum-dampening": lambda p: bp.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1),
    "sgd-nesterov-decay": lambda p: bp.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True,
                                                 weight_decay=1e-3),
    "adam": lambda p: bp.optim.Adam(p, lr=0.01),
    "adam-amsgrad-l2": lambda p: bp.optim.Adam(p, lr=0.01, amsgrad=True, weight_decay=1e-2),
    "adamw": lambda p: bp.optim.AdamW(p, lr=0.01, betas=(0.8, 0.99)),
    "rmsprop": lambda p: bp.optim.RMSprop(p, lr=0.01),
    "rmsprop-centered-momentum": lambda p: bp.optim.RMSprop(p, lr=0.01, centered=True,
                                                            momentum=0.5, weight_decay=1e-3),
    "adagrad": lambda p: bp.optim.Adagrad(p, lr=0.1, lr_decay=1e-3, weight_decay=1e-3,
                                          initial_accumulator_value=0.1),
}

# name -> (loss module, output activation or None, kind of target)
LOSSES = {
    "mse": (nn.MSELoss, None, "real"),
    "l1": (nn.L1Loss, None, "real"),
    "huber": (lambda: nn.HuberLoss(delta=0.5), None, "real"),
    "bce": (nn.BCELoss, nn.Sigmoid, "binary"),
    "bce-logits": (nn.BCEWithLogitsLoss, None, "binary"),
    "bce-logits-sum": (lambda: nn.BCEWithLogitsLoss(reduction="sum"), None, "binary"),
    "cross-entropy": (nn.CrossEntropyLoss, None, "classes"),
    "cross-entropy-smoothing": (lambda: nn.CrossEntropyLoss(label_smoothing=0.1), None,
                                "classes"),
    "nll": (nn.NLLLoss, lambda: nn.LogSoftmax(dim=1), "classes"),
}

ACTIVATIONS = {
    "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU,
    "leaky-relu": lambda: nn.LeakyReLU(0.1), "elu": nn.ELU, "gelu": nn.GELU,
    "gelu-tanh": lambda: nn.GELU(approximate="tanh"), "softplus": nn.Softplus,
}


def _batches(kind, dtype, n_out=3, rows=6):
    rng = np.random.default_rng(1)
    batches = []
    for _ in range(3):
        x = rng.standard_normal((rows, 3)).astype(dtype)
        if kind == "classes":
            y = rng.integers(0, n_out, rows)
        elif kind == "binary":
            y = (rng.random((rows, n_out)) > 0.5).astype(dtype)
        else:
            y = rng.standard_normal((rows, n_out)).astype(dtype)
        batches.append((bp.tensor(x), bp.tensor(y)))
    return batches


def _run(optimizer, loss, activation, dtype, compiled, rows=6, n_out=3, norm=None):
    make_loss, out_act, kind = LOSSES[loss]
    bp.manual_seed(0)
    layers = [nn.Linear(3, 5), *([norm(5)] if norm else []), ACTIVATIONS[activation](),
              nn.Linear(5, n_out)]
    if out_act is not None:
        layers.append(out_act())
    model = nn.Sequential(*layers).to(dtype)
    opt = OPTIMIZERS[optimizer](model.parameters())
    step = training_step(model, opt, make_loss())
    run = bp.compile(step) if compiled else step
    losses = []
    for i, (x, y) in enumerate(_batches(kind, dtype, n_out, rows) * (STEPS // 3 + 1)):
        if i == STEPS:
            break
        losses.append(run(x, y).item())
    return model, opt, losses, run


def _assert_identical(optimizer, loss, activation, dtype, **shape):
    m1, o1, l1, _ = _run(optimizer, loss, activation, dtype, compiled=False, **shape)
    m2, o2, l2, step = _run(optimizer, loss, activation, dtype, compiled=True, **shape)
    assert step.stats["replays"] >= STEPS - 5, step  # the tape really ran
    assert l1 == l2
    for (name, p1), p2 in zip(m1.named_parameters(), m2.parameters(), strict=True):
        assert p2.array.dtype == dtype
        assert same_bits(p1.array, p2.array), name
        assert same_bits(p1.grad.array, p2.grad.array), name
    for (name, b1), b2 in zip(m1.named_buffers(), m2.buffers(), strict=True):
        assert same_bits(b1.array, b2.array), name  # batch norm's running statistics
    s1, s2 = o1.state_dict(), o2.state_dict()
    assert s1["param_groups"] == s2["param_groups"]
    for i, state in s1["state"].items():
        for key, value in state.items():
            assert same_bits(value, s2["state"][i][key]), (i, key)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_replay_is_bit_identical_for_every_optimizer(optimizer, dtype):
    _assert_identical(optimizer, "mse", "tanh", dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_replay_is_bit_identical_for_every_loss(loss, dtype):
    _assert_identical("sgd-momentum-dampening", loss, "relu", dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_replay_of_a_one_row_batch_returns_each_steps_loss(loss, dtype):
    """A mean over one value multiplies by 1, which the tape drops as x·1 = x: the loss that
    product returned was then never computed again (batch size 1 in the lab showed the
    first replayed loss for ever)."""
    n_out = 3 if LOSSES[loss][2] == "classes" else 1
    _assert_identical("sgd-momentum-dampening", loss, "relu", dtype, rows=1, n_out=n_out)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_replay_is_bit_identical_for_every_activation(activation, dtype):
    _assert_identical("adam", "bce-logits", activation, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm", [nn.BatchNorm1d, nn.LayerNorm], ids=["batch", "layer"])
def test_replay_is_bit_identical_with_a_normalization_layer(norm, dtype):
    """Reshaping a parameter asks NumPy whether the view shares its memory (ops/views.py): a
    question about layout, fixed for a signature, that was recorded as a branch on computed
    data. After batch norm's running statistics had moved, that refused every step with
    batch norm ("a Python branch on computed data after it has changed ... state")."""
    _assert_identical("adam", "cross-entropy", "relu", dtype, norm=norm)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_data_branch_going_the_other_way_after_batch_norm_runs_eagerly_from_that_state(dtype):
    """Batch norm moves its running statistics before the loss checks its targets. When a
    replay's check goes the other way (every target ignored; a target out of range), the call
    runs eagerly: from the statistics the replay found, not from ones it moved already (they
    would move twice)."""
    def run(compiled):
        bp.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(),
                              nn.Linear(4, 3)).to(dtype)
        step = training_step(model, bp.optim.SGD(model.parameters(), lr=0.1),
                             nn.CrossEntropyLoss(ignore_index=-1))
        run_step = bp.compile(step) if compiled else step
        rng = np.random.default_rng(2)
        losses, errors = [], 0
        for i in range(12):
            x = bp.tensor(rng.standard_normal((5, 3)).astype(dtype))
            y = rng.integers(0, 3, 5)
            if i == 6:
                y[:] = -1  # every row ignored: the loss is nan, its gradient 0
            if i == 9:
                y[2] = 7  # out of range: an IndexError, after the statistics moved
            try:
                losses.append(run_step(x, bp.tensor(y)).array.tobytes())
            except IndexError:
                errors += 1
        return model, losses, errors, run_step

    (m1, l1, e1, _), (m2, l2, e2, compiled) = run(False), run(True)
    assert (l1, e1) == (l2, e2) and e1 == 1
    # the call after the error traces again: zero_grad had left every .grad None
    assert compiled.stats["replays"] >= 6 and compiled.stats["eager"] == 2
    for (name, t1), t2 in zip(m1.state_dict().items(), m2.state_dict().values(), strict=True):
        assert same_bits(t1.array, t2.array), name
