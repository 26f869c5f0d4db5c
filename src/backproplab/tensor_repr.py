"""How a tensor prints: PyTorch's number formatting, so output reads the same as there.

PyTorch picks one format per tensor: integer-valued floats as ``1.``, otherwise four fixed
decimals (``0.5000``), or scientific (``1.0000e-05``) when the nonzero magnitudes span more
than a factor 1000 or leave [1e-4, 1e8]; every element is padded to the same width.
"""

import numpy


def _float_format(values: numpy.ndarray):
    finite = numpy.abs(values[numpy.isfinite(values)]).astype(numpy.float64)
    nonzero = finite[finite != 0]
    if finite.size and numpy.all(numpy.ceil(finite) == finite):
        if nonzero.size and nonzero.max() > 1e8:
            return "{:.4e}".format
        return lambda v: f"{v:.0f}." if numpy.isfinite(v) else f"{v}"
    if nonzero.size and (nonzero.max() / nonzero.min() > 1000.0 or nonzero.max() > 1e8
                         or nonzero.min() < 1e-4):
        return "{:.4e}".format
    return "{:.4f}".format


def format_data(data: numpy.ndarray) -> str:
    """The bracketed body of a tensor's repr, e.g. ``[0.0000, 0.5000]``."""
    if data.dtype.kind != "f" or data.size == 0:
        return numpy.array2string(data, separator=", ", prefix="tensor(")
    fmt = _float_format(data)
    width = max(len(fmt(float(v))) for v in data.ravel()[:1000])
    return numpy.array2string(
        data, separator=", ", prefix="tensor(",
        formatter={"float_kind": lambda v: fmt(float(v)).rjust(width)},
    )
