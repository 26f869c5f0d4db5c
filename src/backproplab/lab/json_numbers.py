"""The engine's float32 numbers as JSON numbers that keep their significant digits.

Rounding to a fixed number of decimals (``numpy.round(v, 6)``) kept only one significant digit
of 6.14e-6, so the page printed 6.00e-6 beside the table's (exact) 6.14e-6. Nine significant
digits are enough for every float32 to read back as itself, so whatever digits the page
prints are the engine's (float32(6.14e-6) travels as 6.1400001e-06). A 6×32 network's selected
row grows from 3.7 KB to 4.6 KB, in a frame of 326 KB.
"""

import numpy

DIGITS = 9
"""Significant digits kept: the fewest with which every float32 reads back exactly."""


def significant(values, digits: int = DIGITS) -> list:
    """``values`` (any shape) rounded to ``digits`` significant digits, as nested lists of
    Python floats; NaN and infinities pass through (the protocol turns them into null)."""
    v = numpy.asarray(values, dtype=numpy.float64)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        exponent = numpy.floor(numpy.log10(numpy.abs(v)))
    shift = digits - 1 - numpy.where(numpy.isfinite(exponent), exponent, 0)
    # scaling by an exact power of ten (up to 1e22) keeps the division correctly rounded,
    # so 0.000524 prints as 0.000524 and not 0.0005240000000000001
    scale = numpy.power(10.0, numpy.abs(shift))
    with numpy.errstate(over="ignore", invalid="ignore"):
        rounded = numpy.where(shift >= 0, numpy.round(v * scale) / scale,
                              numpy.round(v / scale) * scale)
    return numpy.where(numpy.isfinite(v), rounded, v).tolist()
