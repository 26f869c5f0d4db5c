"""Whether operations record a graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

The switch is per thread, as in PyTorch, so the lab can evaluate a grid under ``no_grad`` in
one thread while another thread trains.
"""

import functools
import threading


class _GradState(threading.local):
    enabled = True  # the default every new thread starts with


_state = _GradState()


def is_grad_enabled() -> bool:
    return _state.enabled


def _set(enabled: bool) -> None:
    _state.enabled = enabled


class _GradMode:
    """Context manager and decorator that sets grad mode and restores the old one on exit."""

    enabled = True

    def __enter__(self):
        self._prev = is_grad_enabled()
        _set(self.enabled)
        return self

    def __exit__(self, *exc):
        _set(self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Run without recording the graph: for evaluation and for parameter updates."""

    enabled = False


class enable_grad(_GradMode):
    """Record the graph again inside a ``no_grad`` block."""

    enabled = True


class set_grad_enabled:
    """Switch grad mode on or off; works as a plain call, a context manager or a decorator."""

    def __init__(self, mode: bool):
        self._prev = is_grad_enabled()
        self.mode = bool(mode)
        _set(self.mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _set(self._prev)
        return False

    def __call__(self, fn):
        mode = self.mode
        _set(self._prev)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper
