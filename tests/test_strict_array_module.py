"""The engine, nn and optim on an array module that refuses implicit conversion to NumPy.

``strict_array_module`` wraps NumPy the way CuPy wraps a GPU: its arrays raise on
``__array__`` and refuse raw NumPy operands. Everything here runs twice, on NumPy and on the
stand-in ("cuda"), and must give identical numbers: forward values, gradients and
Hessian-vector products of every op case, and training steps of every optimizer. A direct
NumPy call anywhere on the path fails the run.
"""

import numpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backproplab as bp
from backproplab import nn
from tests import strict_array_module
from tests.op_cases import OP_CASES


@pytest.fixture
def strict():
    bp.set_array_module(strict_array_module.module)
    try:
        yield strict_array_module.module
    finally:
        bp.set_array_module(numpy)


def _host(t):
    return None if t is None else t.detach().cpu().numpy()


def _run_case(case, inputs):
    """Outputs, gradients and Hessian-vector products of one op case, as host arrays."""
    leaves = [bp.tensor(a, dtype=bp.float64, requires_grad=True) for a in inputs.arrays]
    out = case.fn(bp, *leaves, **inputs.consts)
    outs = tuple(out) if isinstance(out, tuple) else (out,)
    seed = numpy.random.default_rng(0).standard_normal(outs[0].shape)
    grads = bp.autograd.grad(outs[0], leaves, bp.tensor(seed), create_graph=case.gradgrad,
                             allow_unused=True)
    hvps = []
    if case.gradgrad:
        terms = [(g * bp.tensor(numpy.full(g.shape, 0.5))).sum() for g in grads
                 if g is not None and g.requires_grad]
        if terms:
            hvps = bp.autograd.grad(sum(terms[1:], terms[0]), leaves, allow_unused=True)
    return [_host(t) for t in (*outs, *grads, *hvps)]


def _assert_same(a: list, b: list, what: str) -> None:
    assert len(a) == len(b), what
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x is None or y is None:
            assert x is None and y is None, f"{what}: result {i}"
        else:
            numpy.testing.assert_array_equal(x, y, err_msg=f"{what}: result {i}")


@pytest.mark.parametrize("case", OP_CASES, ids=repr)
@settings(max_examples=3, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_op_case_gives_numpys_numbers_on_the_strict_module(case, data, strict):
    inputs = data.draw(case.inputs)
    bp.set_array_module(numpy)
    expected = _run_case(case, inputs)
    bp.set_array_module(strict)
    got = _run_case(case, inputs)
    _assert_same(got, expected, case.name)


def _train(optimizer_cls, **options):
    bp.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4))
    x = bp.randn(16, 3)
    y = bp.randint(0, 4, (16,))
    opt = optimizer_cls(model.parameters(), **options)
    losses = []
    for _ in range(4):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y) + 0.1 * nn.functional.mse_loss(
            model(x).softmax(-1), bp.full((16, 4), 0.25))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [_host(p) for p in model.parameters()]


@pytest.mark.parametrize("optimizer_cls, options", [
    (bp.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    (bp.optim.Adam, {"lr": 0.01, "amsgrad": True}),
    (bp.optim.AdamW, {"lr": 0.01}),
    (bp.optim.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}),
    (bp.optim.Adagrad, {"lr": 0.1}),
], ids=lambda v: getattr(v, "__name__", ""))
def test_training_on_the_strict_module_matches_numpy_step_for_step(optimizer_cls, options,
                                                                   strict):
    bp.set_array_module(numpy)
    expected_losses, expected_params = _train(optimizer_cls, **options)
    bp.set_array_module(strict)
    losses, params = _train(optimizer_cls, **options)
    assert losses == expected_losses
    _assert_same(params, expected_params, optimizer_cls.__name__)


def test_strict_module_is_the_cuda_device_and_cpu_is_an_explicit_copy(strict):
    assert bp.cuda.is_available() and bp.cuda.device_count() == 1
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    assert x.device == bp.device("cuda", 0) and x.is_cuda
    assert isinstance(x.array, strict.ndarray)
    with pytest.raises(TypeError, match="cpu"):
        x.detach().numpy()
    assert "device='cuda:0'" in repr(x)
    y = (x * 3).cpu()
    assert y.device == "cpu" and isinstance(y.array, numpy.ndarray)
    y.sum().backward()  # the gradient goes back across the transfer
    assert x.grad.device == "cuda:0" and x.grad.tolist() == [3.0, 3.0]
    host = bp.ones(2, device="cpu")
    assert type(host.array) is numpy.ndarray
    assert host.to("cuda").device == "cuda:0"


def test_module_to_cpu_and_back_moves_every_parameter(strict):
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    assert all(p.device == "cuda:0" for p in model.parameters())
    model.to("cpu")
    assert all(type(p.array) is numpy.ndarray for p in model.parameters())
    out = model(bp.ones(4, 2, device="cpu"))
    assert out.device == "cpu"
    out.sum().backward()  # CPU ops and their backward run on NumPy while the module is active
    assert all(type(p.grad.array) is numpy.ndarray for p in model.parameters())
    model.to(bp.device("cuda"))
    assert all(isinstance(p.array, strict.ndarray) and isinstance(p.grad.array, strict.ndarray)
               for p in model.parameters())


def test_mixing_cpu_and_cuda_tensors_names_the_devices(strict):
    with pytest.raises(RuntimeError, match=r"same device.*cpu and cuda"):
        bp.ones(2, device="cpu") + bp.ones(2)
