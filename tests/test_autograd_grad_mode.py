"""no_grad, enable_grad and set_grad_enabled: whether ops record a graph."""

import threading

import backproplab as bp


def leaf():
    return bp.tensor([1.0, 2.0], requires_grad=True)


def test_no_grad_context_records_no_graph():
    x = leaf()
    with bp.no_grad():
        y = x * 2.0
        assert not bp.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert bp.is_grad_enabled()


def test_no_grad_decorator_records_no_graph_and_keeps_function_name():
    @bp.no_grad()
    def evaluate(t):
        return t * 2.0

    y = evaluate(leaf())
    assert not y.requires_grad
    assert evaluate.__name__ == "evaluate"
    assert bp.is_grad_enabled()


def test_enable_grad_records_inside_no_grad():
    x = leaf()
    with bp.no_grad():
        with bp.enable_grad():
            y = x * 2.0
        z = x * 2.0
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad


def test_set_grad_enabled_as_call_context_manager_and_decorator():
    x = leaf()
    with bp.set_grad_enabled(False):
        assert not (x * 1.0).requires_grad
    assert bp.is_grad_enabled()

    bp.set_grad_enabled(False)
    assert not (x * 1.0).requires_grad
    bp.set_grad_enabled(True)
    assert (x * 1.0).requires_grad

    @bp.set_grad_enabled(False)
    def f(t):
        return t * 1.0

    assert bp.is_grad_enabled()  # decorating does not switch the mode
    assert not f(x).requires_grad
    assert bp.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    try:
        with bp.no_grad():
            raise KeyError
    except KeyError:
        pass
    assert bp.is_grad_enabled()


def test_grad_mode_is_per_thread():
    seen = []
    with bp.no_grad():
        worker = threading.Thread(target=lambda: seen.append((leaf() * 1.0).requires_grad))
        worker.start()
        worker.join()
    assert seen == [True]


def test_backward_restores_grad_mode_of_the_caller():
    x = leaf()
    (x * x).sum().backward()
    assert bp.is_grad_enabled()
    with bp.no_grad():
        pass
    y = (x * x).sum()
    with bp.no_grad():
        y.backward()
        assert not bp.is_grad_enabled()
