"""``detect_anomaly``: find the first op that produced NaN or Inf, forward or backward.

While it is on, every op records where in the user's code it was created and checks its
output; the engine checks every gradient. The error names the op and that place, which is what a
learner needs when a loss suddenly turns into ``nan``.
"""

import os
import traceback


class _AnomalyState:
    enabled = False


state = _AnomalyState()


class detect_anomaly:
    """Context manager (and decorator) that turns NaN/Inf into an error naming the op."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self.check_nan
        return self

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


def is_anomaly_enabled() -> bool:
    return state.enabled


# Frames inside the installed package are the engine's, not the user's.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def creation_site() -> str:
    """The innermost stack frame outside backproplab, as 'file:line in function: code'."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            code = f": {frame.line}" if frame.line else ""
            return f"{frame.filename}:{frame.lineno} in {frame.name}{code}"
    return "<unknown>"


class AnomalyError(RuntimeError):
    """Raised by anomaly mode when an op's value or gradient is not finite."""
