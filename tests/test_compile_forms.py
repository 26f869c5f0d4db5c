"""Cheaper forms the replay uses (copysign for -|x|, float masks) give eager's bits, edge
values included."""

import numpy as np
import pytest

import backproplab as bp
from backproplab import nn
from tests.compile_steps import same_bits, training_step


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_copysign_minus_one_is_negative_absolute_bit_for_bit(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.5, -2.5, tiny, -tiny], dtype)
    assert same_bits(np.copysign(x, dtype(-1.0)), np.negative(np.absolute(x)))


def _pair(activation, out_activation=None):
    runs = []
    for _ in range(2):
        bp.manual_seed(0)
        layers = [nn.Linear(3, 6), activation(), nn.Linear(6, 2)]
        if out_activation is not None:
            layers.append(out_activation())
        model = nn.Sequential(*layers)
        opt = bp.optim.SGD(model.parameters(), lr=0.01)
        runs.append((model, training_step(model, opt, nn.MSELoss())))
    (m1, eager), (m2, step) = runs
    return m1, eager, m2, bp.compile(step)


def _edge_batches():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3)).astype(np.float32)
    x[::3] = 0.0  # zero pre-activations where the biases are zero: ReLU's kink
    x[1, 0] = -0.0
    y = rng.standard_normal((8, 2)).astype(np.float32)
    return [(bp.tensor(x * s), bp.tensor(y)) for s in (1.0, -1.0, 4.0)]


def _assert_same_run(m1, eager, m2, compiled):
    for i in range(12):
        x, y = _edge_batches()[i % 3]
        assert same_bits(eager(x, y).array, compiled(x, y).array)
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert same_bits(p1.array, p2.array)
        assert same_bits(p1.grad.array, p2.grad.array)
    assert compiled.stats["replays"] >= 6


def test_sigmoid_output_replays_through_copysign():
    m1, eager, m2, compiled = _pair(nn.Tanh, nn.Sigmoid)
    _assert_same_run(m1, eager, m2, compiled)
    ops = [row["op"] for row in compiled.tape.rows()]
    assert "copysign" in ops and "absolute" not in ops


def test_relu_mask_is_a_float_mask_and_replays_eager_bits():
    m1, eager, m2, compiled = _pair(nn.ReLU)
    _assert_same_run(m1, eager, m2, compiled)
    masks = [row for row in compiled.tape.rows() if row["op"] == "greater"]
    assert masks and all(row["dtype"] == "float32" for row in masks)


def _edge_logits(dtype):
    """(4, 8) inputs: NaN, ±0, ±inf and the smallest subnormal in columns of their own, so a
    NaN poisons only its own column's parameter."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 8)).astype(dtype)
    tiny = np.finfo(dtype).smallest_subnormal
    x[:, 0] = [np.nan, 1.0, -np.nan, 2.0]
    x[:, 1] = [-0.0, 0.0, -0.0, 1.0]
    x[:, 2] = [np.inf, -np.inf, 3.0, -3.0]
    x[:, 3] = [tiny, -tiny, 0.0, -0.0]
    y = (rng.random((4, 8)) > 0.5).astype(dtype)
    return bp.tensor(x), bp.tensor(y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("head", ["sigmoid-mse", "bce-logits"])
def test_sigmoid_step_from_heaviside_gives_eager_bits_at_nan_zero_and_inf(head, dtype):
    def make():
        scale = nn.Parameter(bp.tensor(np.ones(8, dtype)))
        opt = bp.optim.SGD([scale], lr=0.1)
        loss_fn = nn.BCEWithLogitsLoss() if head == "bce-logits" else nn.MSELoss()

        def step(x, y):
            opt.zero_grad()
            z = x * scale
            loss = loss_fn(z if head == "bce-logits" else z.sigmoid(), y)
            loss.backward()
            opt.step()
            return loss

        return scale, step

    (s1, eager), (s2, step) = make(), make()
    compiled = bp.compile(step)
    x, y = _edge_logits(dtype)
    with np.errstate(all="ignore"):
        for _ in range(8):
            assert same_bits(eager(x, y).array, compiled(x, y).array)
            assert same_bits(s1.array, s2.array) and same_bits(s1.grad.array, s2.grad.array)
    assert compiled.stats["replays"] >= 5
    ops = [row["op"] for row in compiled.tape.rows()]
    assert "heaviside" in ops and "greater_equal" not in ops
