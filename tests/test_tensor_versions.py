"""A tensor, its views and its ``detach()``es share one version counter, as in PyTorch.

So a change made in place through any of them, after backward saved the values, is refused at
backward instead of giving a wrong gradient; ``.data`` keeps a counter of its own (changes
through it are not seen, see test_tensor_data). Each test is one small program run on
backproplab and, when it is installed, on PyTorch (the ``lib`` fixture), with the same
assertions: passing on torch is what shows the asserted behaviour is PyTorch's.
"""

import pytest

import backproplab as bp

STALE = "modified by an inplace operation"


@pytest.fixture(params=["backproplab", "torch"])
def lib(request):
    if request.param == "torch":
        return pytest.importorskip("torch")
    return bp


def leaf(lib):
    return lib.ones(2, 3, dtype=lib.float64, requires_grad=True)


VIEWS = {
    "detach": lambda t: t.detach(),
    "view": lambda t: t.view(6),
    "reshape": lambda t: t.reshape(3, 2),
    "transpose": lambda t: t.transpose(0, 1),
    "permute": lambda t: t.permute(1, 0),
    "T": lambda t: t.T,
    "int index": lambda t: t[0],
    "slice": lambda t: t[:, 1:],
    "unsqueeze": lambda t: t.unsqueeze(0),
    "squeeze": lambda t: t.unsqueeze(0).squeeze(0),
    "view of detach": lambda t: t.detach()[1],
}


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
def test_change_through_a_view_of_a_saved_leaf_is_refused_at_backward(lib, make):
    w = leaf(lib)
    loss = (w * w).sum()
    with lib.no_grad():
        make(w).mul_(2)
    with pytest.raises(RuntimeError, match=STALE):
        loss.backward()


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
def test_change_through_a_view_of_a_saved_non_leaf_is_refused_at_backward(lib, make):
    x = leaf(lib)
    y = x * 2
    loss = (y * y).sum()
    with lib.no_grad():
        make(y).mul_(2)
    with pytest.raises(RuntimeError, match=STALE):
        loss.backward()


def test_detach_then_inplace_on_a_saved_leaf_is_refused_outside_no_grad(lib):
    w = lib.ones(3, requires_grad=True)
    loss = (w * w).sum()
    w.detach().mul_(2)
    with pytest.raises(RuntimeError, match=STALE):
        loss.backward()


@pytest.mark.parametrize("make", [
    lambda t: t.view(6), lambda t: t[0], lambda t: t.T, lambda t: t.expand(4, 2, 3),
], ids=["view", "index", "T", "expand"])
def test_change_to_the_base_of_a_saved_view_is_refused_at_backward(lib, make):
    w = leaf(lib)
    v = make(w)
    loss = (v * v).sum()
    with lib.no_grad():
        w.mul_(2)
    with pytest.raises(RuntimeError, match=STALE):
        loss.backward()


def test_change_through_a_sibling_view_is_refused_at_backward(lib):
    w = leaf(lib)
    a = w[0]
    loss = (a * a).sum()
    with lib.no_grad():
        w[:, 1:].mul_(2)
    with pytest.raises(RuntimeError, match=STALE):
        loss.backward()


def test_change_through_detach_to_a_saved_output_is_refused_at_backward(lib):
    x = leaf(lib)
    y = x.exp()  # exp's backward reads its output
    loss = y.sum()
    y.detach().mul_(2)
    with pytest.raises(RuntimeError, match=STALE):
        loss.backward()


def test_views_and_detach_read_the_same_version_as_their_base(lib):
    w = leaf(lib)
    d, v = w.detach(), w.view(6)
    d.add_(1)
    with lib.no_grad():
        v.mul_(2)
    assert w._version == d._version == v._version == 2
    assert w.detach()._version == 2 and w[0]._version == 2


def test_data_keeps_a_counter_of_its_own(lib):
    w = leaf(lib)
    loss = (w * w).sum()
    w.data.mul_(2)
    assert w._version == 0
    loss.backward()
    assert w.grad.detach().numpy().tolist() == [[4.0] * 3] * 2  # 2 * w with w's new values


def test_views_without_changes_backward_with_the_right_gradient(lib):
    w = leaf(lib)
    loss = sum((make(w) * make(w)).sum() for make in VIEWS.values() if make is not VIEWS["detach"])
    loss.backward()
    counts = w.grad.detach().numpy().tolist()
    assert all(c > 0 for row in counts for c in row)
    expected = lib.zeros(2, 3, dtype=lib.float64)
    for make in VIEWS.values():
        if make is VIEWS["detach"] or make is VIEWS["view of detach"]:
            continue
        x = w.detach().clone().requires_grad_(True)
        (make(x) * make(x)).sum().backward()
        expected = expected + x.grad
    assert w.grad.detach().numpy().tolist() == expected.numpy().tolist()
