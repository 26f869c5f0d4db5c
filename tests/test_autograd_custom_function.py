"""``bp.autograd.Function`` with PyTorch's contract: tutorial code runs unchanged.

The classes are written once against ``lib`` (backproplab or torch), like the tutorial
"Learning PyTorch with Examples" writes them, and the numbers of both runs must agree.
"""

import math

import numpy
import pytest

import backproplab as bp

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def functions(lib):
    class MyReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    class ScaleBy(lib.autograd.Function):
        """A non-tensor argument and needs_input_grad, read inside forward."""

        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            ctx.mark = ctx.needs_input_grad
            return x * factor

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.factor, None

    return MyReLU, LegendrePolynomial3, ScaleBy


def fit_sine(lib, steps: int = 200):
    """The tutorial's program: y = a + b·P3(c + d·x) fitted to sin(x) by hand-written SGD."""
    _, P3, _ = functions(lib)
    dtype = lib.float64
    x = lib.linspace(-math.pi, math.pi, 200, dtype=dtype)
    y = lib.sin(x)
    a = lib.full((), 0.0, dtype=dtype, requires_grad=True)
    b = lib.full((), -1.0, dtype=dtype, requires_grad=True)
    c = lib.full((), 0.0, dtype=dtype, requires_grad=True)
    d = lib.full((), 0.3, dtype=dtype, requires_grad=True)
    losses = []
    for _ in range(steps):
        y_pred = a + b * P3.apply(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with lib.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None
    return losses, [p.item() for p in (a, b, c, d)]


def test_the_tutorials_legendre_program_gives_torchs_numbers():
    ours, theirs = fit_sine(bp), fit_sine(torch)
    numpy.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    # a and c stay ~0 by symmetry; there only summation-order noise (1e-18) differs
    numpy.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-15)


def test_forward_and_backward_receive_tensors():
    seen = {}

    class Probe(bp.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            seen["forward"] = type(x)
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            seen["backward"] = type(g)
            seen["saved"] = type(ctx.saved_tensors[0])
            return g * 2

    x = bp.tensor([1.0, 2.0], requires_grad=True)
    Probe.apply(x).sum().backward()
    assert seen == {"forward": bp.Tensor, "backward": bp.Tensor, "saved": bp.Tensor}
    assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_custom_functions_match_torch_in_values_and_gradients(which):
    data = numpy.array([-1.5, -0.2, 0.4, 2.0])
    results = []
    for lib in (bp, torch):
        fn = functions(lib)[which]
        x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        out = fn.apply(x) if which < 2 else fn.apply(x, 2.5)
        (out * lib.tensor(data)).sum().backward()
        results.append((out.detach().numpy(), x.grad.numpy()))
    for ours, theirs in zip(*results, strict=True):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-15)


def test_custom_function_backward_is_differentiable_under_create_graph():
    def second(lib):
        _, P3, _ = functions(lib)
        x = lib.tensor([0.3, -0.7], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(P3.apply(x).sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return h.numpy()

    numpy.testing.assert_allclose(second(bp), second(torch), rtol=1e-15)


def test_custom_function_output_is_not_recorded_when_no_input_needs_grad():
    relu, _, _ = functions(bp)
    out = relu.apply(bp.tensor([-1.0, 1.0]))
    assert out.grad_fn is None and out.tolist() == [0.0, 1.0]
    with bp.no_grad():
        assert relu.apply(bp.tensor([1.0], requires_grad=True)).grad_fn is None
