"""json_numbers.significant: the float32s the lab sends as JSON numbers read back as
themselves, whatever their size, and stay short."""

import json
import math

import numpy

from backproplab.lab.json_numbers import significant


def test_every_float32_reads_back_as_itself_from_its_nine_significant_digits():
    rng = numpy.random.default_rng(0)
    magnitudes = 10.0 ** rng.uniform(-44, 38, 20000)
    values = (rng.choice([-1, 1], 20000) * magnitudes).astype(numpy.float32)
    values = numpy.concatenate([values, numpy.float32([0, 1, -1, 0.5, 1e-45, 3.4e38])])
    back = numpy.asarray(significant(values), dtype=numpy.float32)
    assert numpy.array_equal(back, values)


def test_a_small_number_keeps_its_digits_and_an_exact_one_stays_short():
    assert json.dumps(significant(numpy.float32([6.14e-6, 0.5, -0.000524, 1234.5, 0]))) == (
        "[6.1400001e-06, 0.5, -0.000523999974, 1234.5, 0.0]")
    assert significant(numpy.float64(0.12345678901234)) == 0.123456789


def test_non_finite_values_and_shapes_pass_through():
    out = significant(numpy.array([[numpy.nan, numpy.inf], [-numpy.inf, 2.0]]))
    assert math.isnan(out[0][0]) and out[0][1] == math.inf and out[1] == [-math.inf, 2.0]
