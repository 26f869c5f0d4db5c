"""Devices with PyTorch's names on the NumPy backend: "cpu" always works, "cuda" is a clear
error until an accelerator module is set (tests/test_strict_array_module.py covers that side).
"""

import pytest

import backproplab as bp
from backproplab import nn


def test_device_objects_parse_compare_and_print_like_torch():
    assert str(bp.device("cuda:0")) == "cuda:0" and bp.device("cuda", 0) == bp.device("cuda:0")
    assert repr(bp.device("cpu")) == "device(type='cpu')"
    assert repr(bp.device("cuda", 0)) == "device(type='cuda', index=0)"
    assert bp.device("cpu") == "cpu" and bp.device("cpu").type == "cpu"
    assert bp.device(bp.device("cpu")) == bp.device("cpu")
    assert len({bp.device("cpu"), bp.device("cpu")}) == 1
    with pytest.raises(RuntimeError, match="device type"):
        bp.device("tpu")


def test_cuda_is_not_available_on_numpy_and_asking_for_it_says_how_to_get_it():
    assert bp.cuda.is_available() is False and bp.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match=r"set_array_module\(cupy\)"):
        bp.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="not available"):
        bp.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="not available"):
        nn.Linear(2, 2).to(bp.device("cuda"))


def test_the_usual_device_line_picks_cpu_and_everything_runs_there():
    device = bp.device("cuda" if bp.cuda.is_available() else "cpu")
    model = nn.Linear(3, 2).to(device)
    x = bp.randn(4, 3, device=device)
    out = model(x)
    assert out.device == device and out.device == "cpu"
    out.sum().backward()
    assert out.cpu() is out and out.to("cpu") is out


@pytest.mark.parametrize("make", [
    lambda d: bp.tensor([1.0], device=d), lambda d: bp.as_tensor([1.0], device=d),
    lambda d: bp.zeros(2, device=d), lambda d: bp.ones(2, device=d),
    lambda d: bp.empty(2, device=d), lambda d: bp.full((2,), 3.0, device=d),
    lambda d: bp.arange(3, device=d), lambda d: bp.linspace(0, 1, 3, device=d),
    lambda d: bp.eye(2, device=d), lambda d: bp.rand(2, device=d),
    lambda d: bp.randn(2, device=d), lambda d: bp.randint(0, 3, (2,), device=d),
    lambda d: bp.randperm(3, device=d), lambda d: bp.zeros_like(bp.ones(2), device=d),
    lambda d: bp.ones_like(bp.ones(2), device=d), lambda d: bp.full_like(bp.ones(2), 2, device=d),
    lambda d: bp.rand_like(bp.ones(2), device=d), lambda d: bp.randn_like(bp.ones(2), device=d),
    lambda d: bp.empty_like(bp.ones(2), device=d),
])
def test_every_creation_function_takes_device(make):
    assert make("cpu").device == "cpu"
    assert make(bp.device("cpu")).device == bp.device("cpu")
    with pytest.raises(RuntimeError, match="not available"):
        make("cuda")


def test_to_accepts_every_torch_form():
    x = bp.tensor([1.5, 2.5])
    assert x.to("cpu") is x and x.to(bp.device("cpu")) is x and x.to(x) is x
    assert x.to(bp.float64).dtype == bp.float64
    assert x.to("cpu", bp.float64).dtype == bp.float64
    assert x.to(device="cpu", dtype=bp.int64).tolist() == [1, 2]
    assert x.to(bp.zeros(1, dtype=bp.float64)).dtype == bp.float64
    assert x.to("cpu", copy=True) is not x
    assert x.to("cpu", non_blocking=True) is x
    with pytest.raises(TypeError, match="unexpected"):
        x.to(devices="cpu")


def test_module_to_takes_device_and_dtype_and_keeps_parameter_objects():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    params = list(model.parameters())
    opt = bp.optim.SGD(params, lr=0.1)
    assert model.to("cpu") is model
    model.to("cpu", bp.float64)
    assert list(model.parameters()) == params and all(p.dtype == bp.float64 for p in params)
    model(bp.ones(1, 2, dtype=bp.float64)).sum().backward()
    opt.step()
    model.to(bp.device("cpu"), dtype=bp.float32)
    assert all(p.dtype == bp.float32 and p.grad.dtype == bp.float32 for p in params)
    with pytest.raises(TypeError, match="floating-point"):
        model.to(bp.int64)
