"""Every differentiable op's gradient against central finite differences, in float64.

The cases (and their input domains, broadcasting included) come from ``tests/op_cases.py``,
the same list the PyTorch differential test runs.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backproplab as bp
from tests.op_cases import GRADGRAD_CASES, OP_CASES


def _leaves(inputs):
    return [bp.tensor(a, dtype=bp.float64, requires_grad=True) for a in inputs.arrays]


@pytest.mark.parametrize("case", OP_CASES, ids=repr)
@given(data=st.data())
def test_gradient_matches_finite_differences(case, data):
    inputs = data.draw(case.inputs)
    assert bp.autograd.gradcheck(lambda *ts: case.fn(bp, *ts, **inputs.consts), _leaves(inputs))


@pytest.mark.parametrize("case", GRADGRAD_CASES, ids=repr)
@settings(max_examples=6)
@given(data=st.data())
def test_second_derivative_matches_finite_differences(case, data):
    inputs = data.draw(case.inputs)
    assert bp.autograd.gradgradcheck(lambda *ts: case.fn(bp, *ts, **inputs.consts),
                                     _leaves(inputs))
