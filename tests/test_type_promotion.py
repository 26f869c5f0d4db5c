"""Result dtypes follow PyTorch's promotion exactly, checked against torch op by op.

Every pair of dtypes, as dimensioned and 0-d tensors and as Python scalars, through every
binary op (and cat/stack/where), must give the dtype torch gives; where torch refuses, we
refuse too. This pins the two places NumPy's rules differ (float · int keeps the float's
type; 0-d tensors decide only across categories) and the end of silent float64.
"""

import itertools

import numpy
import pytest

import backproplab as bp

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, 2.5]

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a ** b,
    "floordiv": lambda a, b: a // b,
    "mod": lambda a, b: a % b,
    "maximum": lambda a, b: a.maximum(b) if hasattr(a, "maximum") else None,
}


def _make(lib, dtype: str, zero_dim: bool):
    values = [1, 2] if dtype != "bool" else [True, True]  # no division by zero
    data = values[0] if zero_dim else values
    return lib.tensor(data, dtype=getattr(lib, dtype) if dtype != "bool" else lib.bool)


def _outcome(fn, *args):
    """The dtype name of ``fn(*args)``, or 'error' when the op refuses."""
    try:
        out = fn(*args)
    except (TypeError, RuntimeError, ValueError, OverflowError):
        return "error"
    return str(out.dtype).replace("torch.", "")


def _operand_cases():
    tensors = [(d, z) for d in DTYPES for z in (False, True)]
    for (da, za), (db, zb) in itertools.product(tensors, tensors):
        yield f"{da}{'0d' if za else ''}-{db}{'0d' if zb else ''}", (da, za), (db, zb)
    for (d, z), s in itertools.product(tensors, SCALARS):
        yield f"{d}{'0d' if z else ''}-{s!r}", (d, z), s
        yield f"{s!r}-{d}{'0d' if z else ''}", s, (d, z)


def _build(lib, spec):
    return _make(lib, *spec) if isinstance(spec, tuple) else spec


CASES = list(_operand_cases())


@pytest.mark.parametrize("op", list(BINARY), ids=str)
def test_binary_op_result_dtypes_match_torch(op):
    fn = BINARY[op]
    mismatches = []
    for name, left, right in CASES:
        if op == "maximum" and not isinstance(left, tuple):
            continue
        theirs = _outcome(fn, _build(torch, left), _build(torch, right))
        if theirs == "error":
            continue  # torch refuses (bool - bool, int ** negative…): nothing to match
        ours = _outcome(fn, _build(bp, left), _build(bp, right))
        if ours != theirs:
            mismatches.append(f"{name}: ours {ours}, torch {theirs}")
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:40])


@pytest.mark.parametrize("op", ["cat", "stack", "where"])
def test_cat_stack_and_where_promote_like_torch(op):
    mismatches = []
    for da, db in itertools.product(DTYPES, DTYPES):
        def run(lib, da=da, db=db):
            a, b = _make(lib, da, False), _make(lib, db, False)
            if op == "where":
                return lib.where(lib.tensor([True, False]), a, b)
            return getattr(lib, op)([a, b])
        theirs = _outcome(run, torch)
        ours = _outcome(run, bp)
        if ours != theirs:
            mismatches.append(f"{da}, {db}: ours {ours}, torch {theirs}")
    assert not mismatches, "\n".join(mismatches)


def test_the_issues_examples_stay_float32():
    assert (bp.ones(2) * bp.tensor([2, 3])).dtype == bp.float32
    assert (bp.ones(2) ** bp.tensor([2, 3])).dtype == bp.float32
    assert bp.cat([bp.ones(2), bp.tensor([1, 2])]).dtype == bp.float32
    assert (bp.ones(2) + bp.tensor(1.0, dtype=bp.float64)).dtype == bp.float32
    assert (bp.tensor([1, 2]) / bp.tensor([2, 2])).dtype == bp.float32
    assert bp.tensor(numpy.float64(3.0)).dtype == bp.float64  # as torch.tensor(np.float64)
    assert bp.tensor(numpy.int32(3)).dtype == bp.int32


def test_int_division_follows_the_default_dtype():
    bp.set_default_dtype(bp.float64)
    try:
        assert (bp.tensor([1, 2]) / bp.tensor([2, 2])).dtype == bp.float64
        assert bp.tensor([1, 2]).exp().dtype == bp.float64
    finally:
        bp.set_default_dtype(bp.float32)


def test_gradients_flow_through_promotion_in_each_input_dtype():
    a = bp.tensor([1.0, 2.0], requires_grad=True)  # float32
    b = bp.tensor(3.0, dtype=bp.float64, requires_grad=True)  # 0-d float64
    (a * b).sum().backward()
    assert a.grad.dtype == bp.float32 and b.grad.dtype == bp.float64
    assert a.grad.tolist() == [3.0, 3.0] and b.grad.item() == 3.0
