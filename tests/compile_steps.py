"""The training step the bp.compile tests capture: what a user writes, loss returned; and the
small net, data and comparisons the contract tests share."""

import numpy as np

import backproplab as bp
from backproplab import nn


def training_step(model, optimizer, loss_fn):
    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def same_bits(a, b) -> bool:
    """Equal bit for bit: same dtype and shape, and -0.0 is not 0.0 (array_equal says it is)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def raises_within(error, compiled, args, calls: int = 4):
    """Call ``compiled(*args)`` up to ``calls`` times; the error must come by then."""
    import pytest

    with pytest.raises(error) as info:
        for _ in range(calls):
            compiled(*args)
    return info


def small_step(opt="sgd", lr=0.1, dropout=None, **kw):
    """A 2-4-1 tanh net (seeded), its SGD or Adam optimizer and their training step."""
    bp.manual_seed(0)
    layers = [nn.Linear(2, 4), nn.Tanh()]
    if dropout is not None:
        layers.append(dropout)
    model = nn.Sequential(*layers, nn.Linear(4, 1))
    o = (bp.optim.SGD if opt == "sgd" else bp.optim.Adam)(model.parameters(), lr=lr, **kw)
    return model, o, training_step(model, o, nn.MSELoss())


def small_data(n, seed=0):
    """``n`` rows of 2 inputs and 1 target for small_step's net."""
    rng = np.random.default_rng(seed)
    return (bp.tensor(rng.standard_normal((n, 2)).astype(np.float32)),
            bp.tensor(rng.standard_normal((n, 1)).astype(np.float32)))


def same_params(m1, m2) -> bool:
    """Every parameter of the two models holds the same values."""
    return all(np.array_equal(a.array, b.array)
               for a, b in zip(m1.parameters(), m2.parameters(), strict=True))
