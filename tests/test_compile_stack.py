"""Independent same-shaped operations replayed as one call on stacked buffers (stack.py) give
eager's bits: ReLU masks and bias gradients of two hidden layers of one width, edge values
included, and operands that cannot be stacked are left alone."""

import numpy as np
import pytest

import backproplab as bp
from backproplab import nn
from tests.compile_steps import same_bits, training_step


def _stacked(compiled) -> list[str]:
    """The ops of the tape that run on stacked views (a leading axis of two)."""
    return [row["op"] for row in compiled.tape.rows()
            if row["out"] is not None and "&" in row["out"]]


def _moons_like(optimizer, dtype):
    bp.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Linear(16, 1)).to(dtype)
    opt = optimizer(model.parameters())
    return model, training_step(model, opt, nn.BCEWithLogitsLoss())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", [lambda p: bp.optim.SGD(p, lr=0.1, momentum=0.9),
                                       lambda p: bp.optim.Adam(p, lr=0.01)],
                         ids=["sgd-momentum", "adam"])
def test_two_hidden_layers_of_one_width_replay_eager_bits_with_stacked_masks_and_sums(
        optimizer, dtype):
    (m1, eager), (m2, step) = _moons_like(optimizer, dtype), _moons_like(optimizer, dtype)
    compiled = bp.compile(step)
    rng = np.random.default_rng(0)
    batches = [(bp.tensor(rng.standard_normal((32, 2)).astype(dtype)),
                bp.tensor((rng.random((32, 1)) > 0.5).astype(dtype))) for _ in range(3)]
    for i in range(100):
        x, y = batches[i % 3]
        assert same_bits(eager(x, y).array, compiled(x, y).array), i
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert same_bits(p1.array, p2.array)
        assert same_bits(p1.grad.array, p2.grad.array)
    assert compiled.stats["replays"] >= 97
    assert sorted(_stacked(compiled)) == ["add.reduce", "greater"]


def _edge_inputs(dtype, rows=6):
    """NaN, ±0, ±inf and the smallest subnormal in columns of their own."""
    rng = np.random.default_rng(5)
    tiny = np.finfo(dtype).smallest_subnormal
    out = []
    for flip in (1.0, -1.0):
        x = rng.standard_normal((rows, 6)).astype(dtype) * flip
        x[:, 0] = np.nan
        x[::2, 0] = 1.5
        x[:, 1] = [-0.0, 0.0] * (rows // 2)
        x[:, 2] = [np.inf, -np.inf, 2.0] * (rows // 3)
        x[:, 3] = [tiny, -tiny, -0.0] * (rows // 3)
        x[:, 4] = -0.0  # a column summing -0.0s: the first one starts the sum
        out.append(bp.tensor(x))
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stacked_masks_and_sums_give_eager_bits_at_nan_zero_and_inf(dtype):
    def make():
        s1 = nn.Parameter(bp.tensor(np.ones(6, dtype)))
        s2 = nn.Parameter(bp.tensor(np.full(6, 0.5, dtype)))
        opt = bp.optim.SGD([s1, s2], lr=0.1)

        def step(x1, x2):
            opt.zero_grad()
            loss = ((x1 * s1).relu() * (x2 * s2).relu()).sum()
            loss.backward()
            opt.step()
            return loss

        return (s1, s2), step

    (p1, eager), (p2, step) = make(), make()
    compiled = bp.compile(step)
    a, b = _edge_inputs(dtype)
    with np.errstate(all="ignore"):
        for i in range(8):
            x1, x2 = (a, b) if i % 2 else (b, a)
            assert same_bits(eager(x1, x2).array, compiled(x1, x2).array), i
            for u, v in zip(p1, p2, strict=True):
                assert same_bits(u.array, v.array) and same_bits(u.grad.array, v.grad.array)
    assert compiled.stats["replays"] >= 5
    assert "greater" in _stacked(compiled) and "add.reduce" in _stacked(compiled)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_an_array_in_two_places_of_a_pair_is_not_stacked(dtype):
    def fn(a, t):
        u = t.tanh()
        return a * u, u * u  # u would have to lie in two stacks at once

    compiled = bp.compile(fn)
    a, t = _edge_inputs(dtype)
    with np.errstate(all="ignore"):
        for _ in range(5):
            expected, got = fn(a, t), compiled(a, t)
            assert all(same_bits(e.array, g.array) for e, g in zip(expected, got, strict=True))
    assert compiled.stats["replays"] >= 2
    assert "multiply" not in _stacked(compiled)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm", [None, nn.LayerNorm], ids=["plain", "layer-norm"])
def test_gradient_clipping_stacks_its_one_value_norms_and_replays_eager_bits(norm, dtype):
    """clip_grad_norm_ scales each gradient by one 0-d coefficient: LayerNorm's weight and
    bias gradients, two of one shape, must not be stacked with it (a (2,) stack of the
    coefficient does not broadcast against (2, 4); the trace raised)."""
    def run(compiled):
        bp.manual_seed(0)
        layers = [nn.Linear(3, 4), *([norm(4)] if norm else []), nn.Tanh(), nn.Linear(4, 2)]
        model = nn.Sequential(*layers).to(dtype)
        opt = bp.optim.SGD(model.parameters(), lr=0.1)
        loss_fn = nn.MSELoss()

        def step(x, y):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            opt.step()
            return loss, norm

        run_step = bp.compile(step) if compiled else step
        rng = np.random.default_rng(3)
        returned = []
        for _ in range(20):
            x = bp.tensor(rng.standard_normal((5, 3)).astype(dtype))
            y = bp.tensor(3 * rng.standard_normal((5, 2)).astype(dtype))
            returned.append([v.array.tobytes() for v in run_step(x, y)])
        return model, returned, run_step

    (m1, eager, _), (m2, replayed, compiled) = run(False), run(True)
    assert replayed == eager
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert same_bits(p1.array, p2.array)
        assert same_bits(p1.grad.array, p2.grad.array)
    assert compiled.stats["replays"] >= 17


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_two_one_value_means_stacked_stay_0d_views_and_replay_eager_bits(dtype):
    """Two losses' means are 0-d and independent: stacked, each slot must stay a 0-d view of
    the stacked buffer (``buf[0]`` is a NumPy scalar, a copy, and every replay raised
    "return arrays must be of ArrayType" writing into it; clip_grad_norm_ did this too)."""
    def run(compiled):
        bp.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).to(dtype)
        opt = bp.optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            out = model(x)
            loss = ((out[:, 0] - y[:, 0]) ** 2).mean() + (out[:, 1] - y[:, 1]).abs().mean()
            loss.backward()
            opt.step()
            return loss

        run_step = bp.compile(step) if compiled else step
        rng = np.random.default_rng(4)
        losses = [run_step(bp.tensor(rng.standard_normal((5, 3)).astype(dtype)),
                           bp.tensor(rng.standard_normal((5, 2)).astype(dtype))).array.tobytes()
                  for _ in range(20)]
        return model, losses, run_step

    (m1, eager, _), (m2, replayed, compiled) = run(False), run(True)
    assert replayed == eager and compiled.stats["replays"] >= 17
    assert same_params_and_grads(m1, m2)
    assert "divide" in _stacked(compiled)


def same_params_and_grads(m1, m2) -> bool:
    return all(same_bits(p1.array, p2.array) and same_bits(p1.grad.array, p2.grad.array)
               for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True))
