"""Replays read arguments in place, stretch broadcast operands once and call numpy.dot where it
is matmul's BLAS call: faster, and still the eager step bit for bit."""

import numpy as np
import pytest

import backproplab as bp
from backproplab import nn
from backproplab.compile.layout import dot_gives_matmul_bits
from tests.compile_steps import same_bits, training_step


def _pair(loss=nn.MSELoss, sizes=(3, 5, 2)):
    """(eager step, compiled step, eager model, compiled model) from the same weights."""
    runs = []
    for _ in range(2):
        bp.manual_seed(0)
        model = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(),
                              nn.Linear(sizes[1], sizes[2]))
        opt = bp.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
        runs.append((training_step(model, opt, loss()), model))
    (eager, m1), (step, m2) = runs
    return eager, bp.compile(step), m1, m2


def _assert_same(m1, m2):
    for (name, p1), p2 in zip(m1.named_parameters(), m2.parameters(), strict=True):
        assert same_bits(p1.array, p2.array), name
        assert same_bits(p1.grad.array, p2.grad.array), name


def test_an_argument_changed_in_place_between_calls_is_read_again():
    eager, compiled, m1, m2 = _pair()
    rng = np.random.default_rng(0)
    x, y = bp.tensor(np.zeros((6, 3), np.float32)), bp.tensor(np.zeros((6, 2), np.float32))
    for _ in range(8):
        x.array[...] = rng.standard_normal((6, 3))
        y.array[...] = rng.standard_normal((6, 2))
        assert eager(x, y).item() == compiled(x, y).item()
    assert compiled.stats["replays"] >= 4
    _assert_same(m1, m2)


def test_a_strided_argument_of_the_traced_shape_is_replayed_like_eager():
    eager, compiled, m1, m2 = _pair()
    rng = np.random.default_rng(1)
    wide = rng.standard_normal((6, 6)).astype(np.float32)
    y = bp.tensor(rng.standard_normal((6, 2)).astype(np.float32))
    for i in range(8):
        room = np.zeros((6, 6), np.float32)
        room[:, ::2] = wide[:, ::2] + i
        xs = room[:, ::2] if i >= 4 else np.ascontiguousarray(room[:, ::2])  # same shape
        x = bp.from_numpy(xs)
        assert x.array.flags.c_contiguous == (i < 4)
        assert eager(x, y).item() == compiled(x, y).item()
    assert compiled.stats["replays"] >= 4
    _assert_same(m1, m2)


def test_class_targets_used_as_an_index_are_not_read_in_place():
    eager, compiled, m1, m2 = _pair(loss=nn.CrossEntropyLoss, sizes=(3, 5, 4))
    rng = np.random.default_rng(2)
    x, y = bp.tensor(np.zeros((6, 3), np.float32)), bp.tensor(np.zeros(6, np.int64))
    for _ in range(8):
        x.array[...] = rng.standard_normal((6, 3))
        y.array[...] = rng.integers(0, 4, 6)
        assert eager(x, y).item() == compiled(x, y).item()
    assert compiled.stats["replays"] >= 4
    _assert_same(m1, m2)


def test_replay_calls_dot_and_stretched_bias_views():
    eager, compiled, m1, m2 = _pair()
    x, y = bp.tensor(np.ones((6, 3), np.float32)), bp.tensor(np.ones((6, 2), np.float32))
    for _ in range(4):
        assert eager(x, y).item() == compiled(x, y).item()
    source = compiled._last.source
    assert "dot(x0, " in source and "matmul(" not in source
    _assert_same(m1, m2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dot_check_agrees_for_layer_shapes_and_gives_back_the_values(dtype):
    rng = np.random.default_rng(3)
    w = rng.standard_normal((5, 3)).astype(dtype)
    x = rng.standard_normal((6, 3)).astype(dtype)
    before = w.copy(), x.copy()
    assert dot_gives_matmul_bits(x, w.T, np.empty((6, 5), dtype))
    assert dot_gives_matmul_bits(w, w.T, np.empty((5, 5), dtype))  # one memory, twice
    assert same_bits(w, before[0]) and same_bits(x, before[1])


def test_dot_is_not_used_where_it_is_not_the_same_call():
    a = np.ones((4, 3), np.float32)
    assert not dot_gives_matmul_bits(a, a.T.astype(np.float64), np.empty((4, 4)))  # mixed
    assert not dot_gives_matmul_bits(np.ones((4, 3), int), np.ones((3, 2), int),
                                     np.empty((4, 2), int))  # not BLAS
    assert not dot_gives_matmul_bits(a, np.ones((3, 4), np.float32), a[:, :1].T[:1])  # view
    out = np.empty((4, 4), np.float32)
    assert not dot_gives_matmul_bits(out, out, out)  # writes what it reads
    assert not dot_gives_matmul_bits(a, np.ones(3, np.float32), np.empty(4, np.float32))  # 1-d


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_maximum_and_minimum_with_a_number_spread_it_and_keep_eager_bits(dtype):
    """ReLU's ``maximum(z, 0)``, ELU's ``minimum(z, 0)`` and BCE's two ``maximum(log p, -100)``
    compare with an array of the number; edge values (NaN payloads, ±0, ±inf, subnormals)
    come out as eager mode's."""
    tiny = np.finfo(dtype).smallest_subnormal
    payload = np.array([np.nan], dtype)
    payload.view(np.uint32 if dtype == np.float32 else np.uint64)[0] |= 5
    edge = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.5, -2.5, tiny, -tiny,
                     payload[0], -payload[0]], dtype)
    rng = np.random.default_rng(2)
    xs = [bp.tensor(rng.choice(edge, (7, 6))) for _ in range(3)]
    p = bp.tensor(rng.choice(np.array([0.0, 1e-40, 0.5, 1.0, np.nan], dtype), (7, 6)))

    def fn(x, p):
        return x.relu(), nn.functional.elu(x), (
            nn.functional.binary_cross_entropy(p, (x > 0).to(dtype), reduction="none"))

    compiled = bp.compile(fn)
    with np.errstate(all="ignore"):
        for i in range(6):
            expected, got = fn(xs[i % 3], p), compiled(xs[i % 3], p)
            assert all(same_bits(e.array, g.array) for e, g in zip(expected, got, strict=True))
    assert compiled.stats["replays"] >= 3
    names = compiled._last.replay.__globals__
    calls = [line.strip() for line in compiled._last.source.splitlines()
             if line.strip().startswith(("maximum(", "minimum("))]
    operands = [names.get(a.strip()) for c in calls for a in c[8:].split(",")[:2]]
    spread = [a for a in operands if isinstance(a, np.ndarray) and a.shape[-2:] == (7, 6)
              and (a == a.flat[0]).all()]
    assert len(calls) == len(spread) == 3  # relu, elu, bce's two logs (one stacked call)
