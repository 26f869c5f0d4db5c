"""BatchNorm1d and LayerNorm against PyTorch in float64: outputs, gradients of input, weight
and bias, running statistics over several steps, eval mode, and state_dict interchange."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn

torch = pytest.importorskip("torch")

TOL = {"rtol": 1e-12, "atol": 1e-12}


def _pair(shape, seed):
    x = numpy.random.default_rng(seed).normal(2.0, 3.0, size=shape)
    return bp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _weights(ours, theirs, seed):
    rng = numpy.random.default_rng(seed)
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        values = rng.normal(size=p.shape)
        p.array[...] = values
        with torch.no_grad():
            q.copy_(torch.tensor(values))


def _close(a, b, what):
    numpy.testing.assert_allclose(a.array, b.detach().numpy(), err_msg=what, **TOL)


@pytest.mark.parametrize("shape", [(8, 3), (5, 3, 4)])
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm1d_training_steps_match_torch(shape, momentum, affine):
    ours = nn.BatchNorm1d(3, momentum=momentum, affine=affine, dtype=bp.float64)
    theirs = torch.nn.BatchNorm1d(3, momentum=momentum, affine=affine, dtype=torch.float64)
    if affine:
        _weights(ours, theirs, 0)
    upstream = numpy.random.default_rng(9).normal(size=shape)
    for step in range(3):
        x, tx = _pair(shape, step)
        y, ty = ours(x), theirs(tx)
        _close(y, ty, f"output, step {step}")
        (y * bp.tensor(upstream)).sum().backward()
        (ty * torch.tensor(upstream)).sum().backward()
        _close(x.grad, tx.grad, f"input grad, step {step}")
    for name, b in theirs.state_dict().items():
        numpy.testing.assert_allclose(ours.state_dict()[name].array, b.numpy(), err_msg=name, **TOL)
    if affine:
        _close(ours.weight.grad, theirs.weight.grad, "weight grad")
        _close(ours.bias.grad, theirs.bias.grad, "bias grad")


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batchnorm1d_eval_uses_running_stats_and_matches_torch(shape):
    ours = nn.BatchNorm1d(3, dtype=bp.float64)
    theirs = torch.nn.BatchNorm1d(3, dtype=torch.float64)
    _weights(ours, theirs, 1)
    for step in range(2):
        x, tx = _pair(shape, 10 + step)
        ours(x), theirs(tx)
    ours.eval(), theirs.eval()
    before = ours.running_mean.array.copy()
    x, tx = _pair(shape, 20)
    y, ty = ours(x), theirs(tx)
    _close(y, ty, "eval output")
    y.sum().backward(), ty.sum().backward()
    _close(x.grad, tx.grad, "eval input grad")
    numpy.testing.assert_array_equal(ours.running_mean.array, before)
    assert int(ours.num_batches_tracked.array) == 2


def test_batchnorm1d_without_running_stats_always_uses_the_batch():
    ours = nn.BatchNorm1d(3, track_running_stats=False, dtype=bp.float64).eval()
    theirs = torch.nn.BatchNorm1d(3, track_running_stats=False, dtype=torch.float64).eval()
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    x, tx = _pair((7, 3), 3)
    _close(ours(x), theirs(tx), "output")


def test_batchnorm1d_state_dict_loads_into_torch_and_back():
    ours = nn.BatchNorm1d(4, dtype=bp.float64)
    ours(_pair((9, 4), 4)[0])
    theirs = torch.nn.BatchNorm1d(4, dtype=torch.float64)
    theirs.load_state_dict({k: torch.tensor(v.array) for k, v in ours.state_dict().items()})
    assert int(theirs.num_batches_tracked) == 1
    back = nn.BatchNorm1d(4, dtype=bp.float64)
    back.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    numpy.testing.assert_array_equal(back.running_var.array, ours.running_var.array)


def test_batchnorm1d_refuses_one_value_per_channel_and_wrong_channels():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(bp.ones(1, 3))
    with pytest.raises(ValueError, match=r"shape \(4, 2\) has 2 channels"):
        bn(bp.ones(4, 2))
    assert int(bn.num_batches_tracked.array) == 0
    assert bn.running_mean.array.tolist() == [0, 0, 0]


@pytest.mark.parametrize("shape,normalized", [((4, 5), 5), ((2, 3, 4), (3, 4)),
                                              ((3, 2, 6), [6])])
@pytest.mark.parametrize("affine", [True, False])
def test_layernorm_output_and_gradients_match_torch(shape, normalized, affine):
    ours = nn.LayerNorm(normalized, elementwise_affine=affine, dtype=bp.float64)
    theirs = torch.nn.LayerNorm(normalized, elementwise_affine=affine, dtype=torch.float64)
    if affine:
        _weights(ours, theirs, 2)
    x, tx = _pair(shape, 5)
    upstream = numpy.random.default_rng(6).normal(size=shape)
    y, ty = ours(x), theirs(tx)
    _close(y, ty, "output")
    (y * bp.tensor(upstream)).sum().backward()
    (ty * torch.tensor(upstream)).sum().backward()
    _close(x.grad, tx.grad, "input grad")
    if affine:
        _close(ours.weight.grad, theirs.weight.grad, "weight grad")
        _close(ours.bias.grad, theirs.bias.grad, "bias grad")


def test_layernorm_without_bias_has_only_a_weight():
    assert list(nn.LayerNorm(4, bias=False).state_dict()) == ["weight"]


def test_layernorm_refuses_a_shape_that_is_not_the_last_dims():
    with pytest.raises(ValueError, match=r"normalized_shape \[4\] must be the last dims.*\(2, 5\)"):
        nn.LayerNorm(4)(bp.ones(2, 5))
