"""Numbers as the explanations hand them out: plain Python floats, ``None`` for NaN or ±inf.

Every ``to_dict()`` goes through here, so its result is JSON (``json.dumps`` with
``allow_nan=False`` accepts it) and the web lab never meets a NumPy scalar or a NaN.
"""

import math

import numpy


def number(x) -> float | None:
    """One finite float, or None where the value is NaN or infinite."""
    x = float(x)
    return x if math.isfinite(x) else None


def numbers(a) -> list:
    """An array (any shape) as nested lists of :func:`number`."""
    a = numpy.asarray(a, dtype=numpy.float64)
    if a.ndim == 0:
        return number(a)
    return [numbers(row) for row in a] if a.ndim > 1 else [number(v) for v in a]


def fmt(x, digits: int = 9) -> str:
    """A number with ``digits`` significant digits, as people write it (no trailing zeros)."""
    if x is None:
        return "nan"
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"
