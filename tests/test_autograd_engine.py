"""The backward walk itself: accumulation, graph freeing, deep graphs, hooks, grad(), Functions."""

import gc
import weakref

import numpy
import pytest

import backproplab as bp


def leaf(values, dtype=bp.float64):
    return bp.tensor(values, dtype=dtype, requires_grad=True)


# ----- accumulation and graph lifetime ------------------------------------------------------------

def test_grad_accumulates_when_tensor_reused():
    x = leaf([2.0, -3.0])
    (x * x + x).sum().backward()  # d(x² + x)/dx = 2x + 1
    numpy.testing.assert_array_equal(x.grad.numpy(), [5.0, -5.0])


def test_grad_accumulates_through_diamond_shaped_graph():
    x = leaf(1.5)
    a = x.exp()
    b = a * 2.0
    c = a * 3.0
    (b + c).backward()  # 5 e^x
    assert x.grad.item() == pytest.approx(5 * numpy.exp(1.5), rel=1e-15)


def test_backward_twice_with_retain_graph_adds_gradients():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    numpy.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_second_backward_without_retain_graph_raises_clear_error():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"backward through the graph a second time.*"
                                           r"retain_graph=True"):
        y.backward()


def test_backward_of_separate_graphs_accumulates_into_leaf_grad():
    x = leaf(3.0)
    (x * 2.0).backward()
    (x * 5.0).backward()
    assert x.grad.item() == 7.0


def test_leaf_grad_is_not_aliased_with_an_upstream_gradient():
    x = leaf([1.0, 2.0])
    y = leaf([1.0, 2.0])
    (x + y).sum().backward()  # Add hands the same array to both inputs
    x.grad.array[0] = 100.0
    assert y.grad.tolist() == [1.0, 1.0]


def test_chain_of_100000_ops_backward_works():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y + 1e-6
    y = y * 2.0
    y.backward()
    assert x.grad.item() == 2.0
    assert y.item() == pytest.approx(2 * (1 + 0.1), rel=1e-9)


def test_chain_of_100000_ops_is_garbage_collected_without_recursion_error():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    first_node = weakref.ref(y.grad_fn)
    del y  # freeing 100,000 nested nodes must not recurse into a RecursionError or segfault
    gc.collect()
    assert first_node() is None


def test_chain_of_100000_ops_is_garbage_collected_after_backward():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y - 0.0
    y.backward()
    last_node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert last_node() is None
    assert x.grad.item() == 1.0


def test_broadcast_gradient_is_summed_back_to_each_input_shape():
    a = leaf(numpy.ones((3, 1)))
    b = leaf(numpy.arange(4.0))
    c = leaf(2.0)
    (a * b * c).sum().backward()  # (3,1) * (4,) * () -> (3,4)
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,) and c.grad.shape == ()
    numpy.testing.assert_array_equal(a.grad.numpy(), numpy.full((3, 1), 2.0 * 6.0))
    numpy.testing.assert_array_equal(b.grad.numpy(), numpy.full(4, 2.0 * 3.0))
    assert c.grad.item() == 3 * 6.0


def test_non_scalar_backward_needs_a_gradient_argument():
    y = leaf([1.0, 2.0]) * 2.0
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*shape \(2,\)"):
        y.backward()


def test_non_scalar_backward_with_gradient_argument_is_a_vector_jacobian_product():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).backward(bp.tensor([1.0, 0.0, -1.0], dtype=bp.float64))
    assert x.grad.tolist() == [2.0, 0.0, -6.0]


def test_backward_gradient_of_wrong_shape_is_rejected():
    y = leaf([1.0, 2.0]) * 2.0
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\).*output has shape \(2,\)"):
        y.backward(bp.ones(3))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        bp.tensor([1.0]).sum().backward()


def test_backward_inputs_argument_limits_which_leaves_get_grad():
    a, b = leaf(1.0), leaf(2.0)
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 2.0
    assert b.grad is None


# ----- higher order -------------------------------------------------------------------------------

def test_second_derivative_of_x_cubed_at_2_is_12():
    x = leaf(2.0)
    (dy,) = bp.autograd.grad(x**3, x, create_graph=True)
    assert dy.item() == 12.0  # 3x²
    (d2y,) = bp.autograd.grad(dy, x)
    assert d2y.item() == 12.0  # 6x


def test_third_derivative_through_backward_create_graph():
    x = leaf(2.0)
    y = x**4
    y.backward(create_graph=True)
    g1 = x.grad  # 4x³ = 32
    (g2,) = bp.autograd.grad(g1, x, create_graph=True)  # 12x² = 48
    (g3,) = bp.autograd.grad(g2, x)  # 24x = 48
    assert (g1.item(), g2.item(), g3.item()) == (32.0, 48.0, 48.0)


def test_hessian_vector_product_matches_torch():
    torch = pytest.importorskip("torch")
    rng = numpy.random.default_rng(3)
    data, w0, v = rng.standard_normal((5, 4)), rng.standard_normal(4), rng.standard_normal(4)

    def hvp(lib):
        w = lib.tensor(w0, requires_grad=True)
        x = lib.tensor(data)
        loss = (lib.tanh(x @ w) ** 2).sum() + (w * w * w).sum()
        (g,) = lib.autograd.grad(loss, w, create_graph=True)
        (hv,) = lib.autograd.grad((g * lib.tensor(v)).sum(), w)
        return hv.detach().numpy()

    numpy.testing.assert_allclose(hvp(bp), hvp(torch), rtol=1e-10)


# ----- autograd.grad ------------------------------------------------------------------------------

def test_grad_returns_gradients_without_touching_dot_grad():
    a, b = leaf(3.0), leaf(4.0)
    ga, gb = bp.autograd.grad(a * b, [a, b])
    assert (ga.item(), gb.item()) == (4.0, 3.0)
    assert a.grad is None and b.grad is None


def test_grad_of_unused_input_raises_unless_allow_unused():
    a, unused = leaf(3.0), leaf(4.0)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        bp.autograd.grad(a * 2.0, [a, unused])
    ga, gu = bp.autograd.grad(a * 2.0, [a, unused], allow_unused=True)
    assert ga.item() == 2.0 and gu is None


def test_grad_with_create_graph_returns_differentiable_gradient():
    x = leaf(0.5)
    (g,) = bp.autograd.grad(bp.sin(x), x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    (g2,) = bp.autograd.grad(g, x)
    assert g2.item() == pytest.approx(-numpy.sin(0.5), rel=1e-15)


def test_grad_without_create_graph_returns_plain_tensors():
    x = leaf(0.5)
    (g,) = bp.autograd.grad(bp.sin(x), x)
    assert not g.requires_grad and g.grad_fn is None


def test_grad_of_input_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        bp.autograd.grad(leaf(1.0) * 2.0, bp.tensor(1.0))


# ----- hooks and retain_grad ----------------------------------------------------------------------

def test_leaf_hook_sees_gradient_and_its_return_value_replaces_it():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()) or g * 10.0)
    (x * 3.0).sum().backward()
    assert seen == [[3.0, 3.0]]
    assert x.grad.tolist() == [30.0, 30.0]


def test_non_leaf_hook_modifies_gradient_flowing_further_back():
    x = leaf(2.0)
    y = x * 3.0
    y.register_hook(lambda g: g + 1.0)
    (y * 5.0).backward()  # dL/dy = 5, hook makes it 6, dL/dx = 6 * 3
    assert x.grad.item() == 18.0


def test_hook_returning_none_leaves_gradient_unchanged():
    x = leaf(2.0)
    calls = []
    x.register_hook(lambda g: calls.append(g.item()))
    (x * 4.0).backward()
    assert calls == [4.0] and x.grad.item() == 4.0


def test_removed_hook_is_not_called():
    x = leaf(2.0)
    y = x * 3.0
    handle_x = x.register_hook(lambda g: g * 100.0)
    handle_y = y.register_hook(lambda g: g * 100.0)
    handle_x.remove()
    handle_y.remove()
    y.backward()
    assert x.grad.item() == 3.0


def test_register_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        bp.tensor([1.0]).register_hook(lambda g: g)


def test_retain_grad_keeps_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    y = x * 3.0
    z = y * y
    y.retain_grad()
    z.sum().backward()
    assert y.grad.tolist() == [6.0, 12.0]  # dz/dy = 2y
    assert z.grad is None  # not retained


def test_non_leaf_grad_is_none_without_retain_grad():
    x = leaf(1.0)
    y = x * 2.0
    (y * y).backward()
    assert y.grad is None and x.grad.item() == 8.0


# ----- errors name the op and the shapes ---------------------------------------------------------

def test_matmul_shape_error_names_both_shapes_and_inner_dimensions():
    with pytest.raises(RuntimeError, match=r"matmul: \(3, 4\) @ \(5, 2\): inner dimensions 4 "
                                           r"and 5 differ"):
        bp.zeros(3, 4) @ bp.zeros(5, 2)


def test_linear_shape_error_names_input_and_weight_shapes():
    with pytest.raises(RuntimeError, match=r"linear: input of shape \(2, 3\).*weight of shape "
                                           r"\(4, 5\)"):
        bp.nn.functional.linear(bp.zeros(2, 3), bp.zeros(4, 5))


def test_reshape_error_names_target_and_source_shapes():
    with pytest.raises(RuntimeError, match=r"reshape: shape \(4, 2\) is invalid for a tensor "
                                           r"of shape \(3, 2\)"):
        bp.zeros(3, 2).reshape(4, 2)


def test_cat_error_names_mismatched_shapes():
    with pytest.raises(RuntimeError, match=r"cat: shapes \(2, 3\) and \(2, 4\)"):
        bp.cat([bp.zeros(2, 3), bp.zeros(2, 4)], dim=0)


def test_elementwise_broadcast_error_names_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"Add: shapes \(2,\) and \(3,\) cannot be "
                                           r"broadcast"):
        bp.zeros(2) + bp.zeros(3)
    with pytest.raises(RuntimeError, match=r"Maximum: shapes \(2, 3\) and \(2,\)"):
        bp.maximum(bp.zeros(2, 3), bp.zeros(2))


# ----- user-defined Function ----------------------------------------------------------------------

class Cube(bp.autograd.Function):
    formula = "a³"
    derivative = ("∂a³/∂a = 3a²",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a**3

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * 3 * a * a  # d(a³)/da = 3a²


class ScaledSum(bp.autograd.Function):
    """Two tensor inputs and a non-tensor argument, to check gradient routing."""

    @staticmethod
    def forward(ctx, a, b, scale):
        ctx.scale = scale
        return (a + 2 * b) * scale

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scale, g * 2 * ctx.scale, None


def test_user_defined_function_gets_gradients():
    x = leaf([1.0, -2.0])
    y = Cube.apply(x)
    assert y.grad_fn is not None and type(y.grad_fn) is Cube
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_user_defined_function_passes_gradcheck_and_gradgradcheck():
    x = leaf([0.3, -1.2, 2.0])
    assert bp.autograd.gradcheck(Cube.apply, (x,))
    assert bp.autograd.gradgradcheck(Cube.apply, (x,))


def test_user_defined_function_with_several_inputs_routes_each_gradient():
    a, b = leaf([1.0, 2.0]), leaf(3.0)
    ScaledSum.apply(a, b, 0.5).sum().backward()
    assert a.grad.tolist() == [0.5, 0.5]
    assert b.grad.item() == 2.0  # broadcast (2,) summed back to ()


def test_gradcheck_rejects_a_wrong_backward_rule():
    class WrongSquare(bp.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * a  # should be 2a

    with pytest.raises(bp.autograd.GradcheckError, match="Jacobian mismatch"):
        bp.autograd.gradcheck(WrongSquare.apply, (leaf([1.0, 2.0]),))


def test_gradient_of_a_0d_leaf_used_twice_is_a_writeable_array():
    # x*x sends two 0-d gradients to x; NumPy adds 0-d arrays into a scalar, which optimizers
    # cannot update in place (SGD's momentum buffer stayed frozen).
    x = bp.tensor(3.0, dtype=bp.float64, requires_grad=True)
    (x * x).backward()
    assert type(x.grad.array) is numpy.ndarray and x.grad.array.flags.writeable
    assert x.grad.item() == 6.0


def test_sgd_momentum_moves_a_0d_parameter_every_step():
    x = bp.tensor(3.0, dtype=bp.float64, requires_grad=True)
    opt = bp.optim.SGD([x], lr=0.1, momentum=0.9)
    seen = []
    for _ in range(4):
        opt.zero_grad()
        (x * x).backward()
        opt.step()
        seen.append(x.item())
    v, expected, ref = 0.0, [], 3.0
    for _ in range(4):  # torch.optim.SGD's momentum rule written out by hand
        v = 0.9 * v + 2 * ref if expected else 2 * ref
        ref -= 0.1 * v
        expected.append(ref)
    numpy.testing.assert_allclose(seen, expected, rtol=1e-12)
