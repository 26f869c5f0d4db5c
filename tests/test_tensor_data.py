"""``t.data`` is PyTorch's: a tensor outside the graph on the same memory, not the array.

Every test is one small program run on backproplab and, when it is installed, on PyTorch
(the ``lib`` fixture), with the same assertions: passing on torch is what shows the asserted
behaviour is PyTorch's. ``.array`` is the backing ndarray.
"""

import copy

import numpy
import pytest

import backproplab as bp


@pytest.fixture(params=["backproplab", "torch"])
def lib(request):
    if request.param == "torch":
        return pytest.importorskip("torch")
    return bp


def values(t) -> list:
    return t.detach().numpy().tolist()


def same_memory(a, b) -> bool:
    return numpy.shares_memory(a.detach().numpy(), b.detach().numpy())


def test_data_is_a_tensor_outside_the_graph_on_the_same_memory(lib):
    x = lib.ones(3, requires_grad=True)
    for t in (x, x * 2):
        d = t.data
        assert isinstance(d, lib.Tensor) and not isinstance(d, numpy.ndarray)
        assert d.requires_grad is False and d.grad_fn is None and d.is_leaf
        assert same_memory(d, t) and d is not t


def test_data_of_a_parameter_is_a_plain_tensor(lib):
    p = lib.nn.Parameter(lib.ones(2))
    assert type(p.data) is lib.Tensor and type(p) is lib.nn.Parameter


@pytest.mark.parametrize("change", [
    lambda d: d.add_(1),
    lambda d: d.mul_(0.5),
    lambda d: d.sub_(d, alpha=2),
    lambda d: d.zero_(),
    lambda d: d.fill_(7),
    lambda d: d.clamp_(max=0.5),
    lambda d: d.__setitem__(..., d * 2 + 1),
    lambda d: d.__setitem__(1, 9.0),
    lambda d: d.copy_(d * 3),
])
def test_inplace_change_through_data_reaches_a_leaf_and_is_not_recorded(lib, change):
    """Outside no_grad a leaf that requires grad refuses in-place ops; through ``.data`` it
    takes them, and its version (the staleness check of saved values) does not move."""
    p = lib.nn.Parameter(lib.tensor([1.0, 2.0, 3.0]))
    expected = p.detach().numpy().copy()
    d = lib.from_numpy(expected)
    change(d)
    change(p.data)
    assert values(p) == expected.tolist()
    assert p.requires_grad and p.grad_fn is None and p._version == 0


def test_augmented_assignment_on_data_updates_the_tensor(lib):
    """``p.data += -lr * grad`` (the makemore "backprop ninja" update): an in-place add on the
    detached tensor, then ``p.data = `` that same tensor."""
    p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
    array_before = p.detach().numpy()
    p.data += -0.5 * lib.tensor([2.0, 2.0])
    p.data *= 3
    assert values(p) == [0.0, 3.0]
    assert numpy.shares_memory(p.detach().numpy(), array_before)  # updated in place


def test_change_through_data_after_forward_is_not_caught_and_backward_sees_it(lib):
    """PyTorch's documented hazard of ``.data``: ops that saved the input read the changed
    values and no error is raised (``detach()`` or ``no_grad`` would be checked)."""
    w = lib.ones(3, requires_grad=True)
    loss = (w * w).sum()
    w.data.mul_(2)
    loss.backward()
    assert values(w.grad) == [4.0, 4.0, 4.0]  # d(w*w)/dw = 2w with the changed w = 2


def test_change_through_data_leaves_an_op_that_saved_its_output_alone(lib):
    w = lib.zeros(2, requires_grad=True)
    loss = w.exp().sum()
    w.data.add_(1)
    loss.backward()
    assert values(w.grad) == [1.0, 1.0]  # d exp(w)/dw = exp(w) saved at w = 0
    assert values(w) == [1.0, 1.0]


def test_data_of_a_non_leaf_changes_its_values_not_its_graph(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    fn = y.grad_fn
    y.data.mul_(3)
    assert values(y) == [6.0, 12.0] and y.grad_fn is fn and y._version == 0
    y.sum().backward()
    assert values(x.grad) == [2.0, 2.0]


def test_data_assignment_takes_the_tensor_with_any_shape_and_dtype(lib):
    p = lib.nn.Parameter(lib.zeros(2))
    t = lib.ones(3, 2, dtype=lib.float64)
    p.data = t
    assert tuple(p.shape) == (3, 2) and p.dtype == lib.float64
    assert p.requires_grad and p.is_leaf and type(p) is lib.nn.Parameter
    assert same_memory(p, t)
    (p * p).sum().backward()
    assert values(p.grad) == [[2.0, 2.0]] * 3


def test_data_assignment_to_a_non_leaf_keeps_its_node(lib):
    x = lib.ones(3, requires_grad=True)
    y = x * 2
    fn = y.grad_fn
    y.data = lib.zeros(3)
    assert values(y) == [0.0, 0.0, 0.0] and y.grad_fn is fn


def test_data_assignment_refuses_what_is_not_a_tensor_and_changes_nothing(lib):
    p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="tensor"):
        p.data = [5.0, 6.0]
    with pytest.raises(RuntimeError, match="floating point"):
        p.data = lib.tensor([5, 6])  # p requires grad
    assert values(p) == [1.0, 2.0] and p.dtype == lib.float32


def test_data_assignment_to_a_view_gives_it_memory_of_its_own(lib):
    base = lib.ones(2, 2)
    row = base[0]
    row.data = lib.zeros(3)
    row.add_(5)
    assert values(base) == [[1.0, 1.0], [1.0, 1.0]] and values(row) == [5.0, 5.0, 5.0]


def test_data_of_a_view_writes_into_the_base(lib):
    base = lib.zeros(2, 3, requires_grad=True)
    base.data[1].fill_(4)
    base.t().data.mul_(2)
    assert values(base) == [[0.0] * 3, [8.0] * 3]


def test_data_clone_is_a_copy_and_data_numpy_is_the_memory(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    c = x.data.clone()
    c.add_(1)
    assert values(x) == [1.0, 2.0] and not c.requires_grad
    arr = x.data.numpy()  # no "requires grad" error: .data does not
    arr[0] = 10.0
    assert values(x) == [10.0, 2.0]


def test_array_is_the_backing_ndarray():
    p = bp.nn.Parameter(bp.tensor([1.0, 2.0]))
    assert type(p.array) is numpy.ndarray and p.array is p.detach().array
    assert numpy.shares_memory(p.data.array, p.array)
    p.array = numpy.array([3.0, 4.0], dtype=numpy.float32)
    assert p.tolist() == [3.0, 4.0]
    p.data[...] = numpy.array([5.0, 6.0], dtype=numpy.float32)
    assert p.tolist() == [5.0, 6.0]
    p.data = numpy.array([7.0], dtype=numpy.float32)  # the array attribute's old name
    assert p.tolist() == [7.0]


def test_deepcopy_copies_the_values_and_keeps_the_type():
    p = bp.nn.Parameter(bp.tensor([1.0, 2.0]))
    q = copy.deepcopy(p)
    q.data.add_(1)
    assert type(q) is bp.nn.Parameter and q.requires_grad and p.tolist() == [1.0, 2.0]
    assert q.tolist() == [2.0, 3.0]


def _tutorial_sgd(lib, update: str) -> list:
    """"Learning PyTorch with Examples"-era training: the update written on ``.data``."""
    rng = numpy.random.default_rng(0)
    x = lib.from_numpy(rng.standard_normal((16, 3)))
    y = lib.from_numpy(rng.standard_normal((16, 1)))
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1)).double()
    for p, w in zip(model.parameters(), _weights(rng), strict=True):
        p.data = lib.from_numpy(w)
    lr = 0.1
    first = ((model(x) - y) ** 2).mean().item()
    for _ in range(20):
        loss = ((model(x) - y) ** 2).mean()
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            if update == "add_":
                p.data.add_(-lr * p.grad)
            elif update == "sub_":
                p.data.sub_(lr * p.grad.data)
            else:
                p.data -= lr * p.grad.data
    return [first, loss.item()] + [values(p) for p in model.parameters()]


def _weights(rng) -> list:
    return [rng.standard_normal(s) for s in [(4, 3), (4,), (1, 4), (1,)]]


@pytest.mark.parametrize("update", ["add_", "sub_", "-="])
def test_optimizer_loop_written_on_data_matches_torch(update):
    torch = pytest.importorskip("torch")
    ours, theirs = _tutorial_sgd(bp, update), _tutorial_sgd(torch, update)
    assert ours[1] < 0.9 * ours[0]  # the updates took effect: the loss went down
    for a, b in zip(ours, theirs, strict=True):
        numpy.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
