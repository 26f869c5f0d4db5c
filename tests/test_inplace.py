"""In-place changes: right gradients when recorded, clear errors when they would corrupt one."""

import numpy
import pytest

import backproplab as bp


def test_iadd_on_non_leaf_gives_correct_gradients_like_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([0.5, 0.25, -1.0], dtype=lib.float64, requires_grad=True)
        y = x * x
        y += w  # y now depends on w too
        y *= x
        y -= 1.0
        loss = (y * y).sum()
        loss.backward()
        return loss.item(), x.grad.detach().numpy(), w.grad.detach().numpy()

    ours, theirs = run(bp), run(torch)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-12)
    numpy.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    numpy.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)


def test_setitem_on_non_leaf_gives_correct_gradients_like_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        v = lib.tensor(5.0, dtype=lib.float64, requires_grad=True)
        y = x * 2.0
        y[1] = v * v
        (y * y).sum().backward()
        return x.grad.detach().numpy(), v.grad.detach().numpy()

    for ours, theirs in zip(run(bp), run(torch), strict=True):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_inplace_on_leaf_requiring_grad_raises():
    w = bp.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w += 1.0
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w.mul_(2.0)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w[0] = 3.0
    assert w.tolist() == [1.0]


def test_inplace_on_leaf_under_no_grad_is_allowed():
    w = bp.tensor([1.0, 2.0], requires_grad=True)
    with bp.no_grad():
        w -= 0.5
        w.mul_(2.0)
    assert w.tolist() == [1.0, 3.0] and w.is_leaf and w.requires_grad


def test_modifying_a_saved_tensor_in_place_then_backward_raises():
    w = bp.tensor([1.0, 2.0], requires_grad=True)
    x = bp.tensor([3.0, 4.0])
    z = (w * x).sum()  # Mul saved x for w's gradient
    x += 1.0  # x needs no grad: written into the saved array itself
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Mul"):
        z.backward()


def test_recorded_inplace_change_leaves_saved_values_intact():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = (y * y).sum()  # Mul saved y = [1, 2]
    y.add_(1.0)  # recorded: y moves to a new node and array, the saved one is unchanged
    z.backward()
    assert x.grad.tolist() == [2.0, 4.0]
    assert y.tolist() == [2.0, 3.0]


def test_chained_inplace_ops_on_non_leaf_do_not_raise():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2.0
    h *= x  # saves h's current array
    h += 1.0  # must not invalidate what the multiplication saved
    h.sum().backward()
    assert x.grad.tolist() == [4.0, 8.0]  # d(2x²)/dx


def test_modifying_a_saved_output_in_place_then_backward_raises():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # Exp saves its output
    with bp.no_grad():
        y.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_optimizer_style_update_then_backward_through_old_graph_raises():
    w = bp.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * bp.tensor([3.0, 4.0])).sum()
    loss.backward(retain_graph=True)
    with bp.no_grad():
        w -= 0.1 * w.grad
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_inplace_change_before_use_is_fine():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y.add_(1.0)
    (y * y).sum().backward()
    assert x.grad.tolist() == [4.0, 6.0]


def test_zero_on_grad_resets_accumulation():
    x = bp.tensor([1.0], requires_grad=True)
    (x * 2.0).backward()
    x.grad.zero_()
    (x * 3.0).backward()
    assert x.grad.tolist() == [3.0]


def test_inplace_result_that_does_not_fit_the_shape_raises():
    y = bp.tensor([1.0, 2.0], requires_grad=True) * 1.0
    with pytest.raises(RuntimeError, match=r"shape \(2, 2\).*\(2,\)"):
        y += bp.ones(2, 2)
