"""Creation functions: shapes, dtypes, gradients flags, seeded randomness."""

import numpy
import pytest

import backproplab as bp


def test_tensor_infers_torch_dtypes():
    assert bp.tensor([1, 2]).dtype == bp.int64
    assert bp.tensor([1.0, 2]).dtype == bp.float32
    assert bp.tensor(True).dtype == bp.bool_
    assert bp.tensor([1, 2], dtype=bp.float64).dtype == bp.float64
    assert bp.tensor(numpy.array([1.0])).dtype == bp.float64  # arrays keep float precision


def test_tensor_copies_its_data():
    a = numpy.array([1.0, 2.0])
    t = bp.tensor(a)
    a[0] = 100.0
    assert t.tolist() == [1.0, 2.0]


def test_from_numpy_keeps_dtype_and_shares_memory():
    a = numpy.array([1.0, 2.0])
    t = bp.from_numpy(a)
    assert t.dtype == bp.float64
    a[0] = 100.0
    assert t.tolist() == [100.0, 2.0]
    assert bp.from_numpy(numpy.array([1, 2], dtype=numpy.int32)).dtype == bp.int32
    with pytest.raises(TypeError, match=r"numpy\.ndarray"):
        bp.from_numpy([1.0])


def test_zeros_ones_full_shapes_and_dtypes():
    assert bp.zeros(2, 3).shape == (2, 3) and bp.zeros(2, 3).dtype == bp.float32
    assert bp.zeros((2, 3)).tolist() == [[0.0] * 3] * 2
    assert bp.ones(4, dtype=bp.float64).dtype == bp.float64 and bp.ones(4).tolist() == [1.0] * 4
    assert bp.full((2,), 7).dtype == bp.int64 and bp.full((2,), 7).tolist() == [7, 7]
    assert bp.full((2,), 0.5).dtype == bp.float32
    z = bp.zeros(2, requires_grad=True)
    assert z.requires_grad and z.is_leaf


def test_like_functions_take_shape_and_dtype_of_their_argument():
    ref = bp.tensor([[1, 2, 3]])
    assert bp.zeros_like(ref).shape == (1, 3) and bp.zeros_like(ref).dtype == bp.int64
    assert bp.ones_like(ref, dtype=bp.float64).dtype == bp.float64
    assert bp.ones_like(ref).tolist() == [[1, 1, 1]]


def test_arange_and_linspace():
    assert bp.arange(4).tolist() == [0, 1, 2, 3] and bp.arange(4).dtype == bp.int64
    assert bp.arange(1, 7, 2).tolist() == [1, 3, 5]
    assert bp.arange(0.0, 1.0, 0.25).dtype == bp.float32
    assert bp.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert bp.linspace(0, 1, 5).dtype == bp.float32
    with pytest.raises(ValueError, match="step"):
        bp.arange(0, 3, 0)


def test_eye():
    assert bp.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]] and bp.eye(2).dtype == bp.float32
    assert bp.eye(2, 3).shape == (2, 3)


def test_rand_randn_randint_shapes_ranges_and_dtypes():
    r = bp.rand(100, 3)
    assert r.shape == (100, 3) and r.dtype == bp.float32
    assert 0.0 <= r.numpy().min() and r.numpy().max() < 1.0
    n = bp.randn(2000, dtype=bp.float64)
    assert n.dtype == bp.float64 and abs(n.numpy().mean()) < 0.1 and abs(n.numpy().std() - 1) < 0.1
    i = bp.randint(3, 6, (50,))
    assert i.dtype == bp.int64 and set(i.tolist()) <= {3, 4, 5}
    assert bp.randint(4, size=(2, 2)).shape == (2, 2)


def test_manual_seed_makes_random_tensors_reproducible():
    bp.manual_seed(123)
    first = (bp.rand(3).tolist(), bp.randn(2, 2).tolist(), bp.randint(0, 10, (4,)).tolist())
    bp.manual_seed(123)
    second = (bp.rand(3).tolist(), bp.randn(2, 2).tolist(), bp.randint(0, 10, (4,)).tolist())
    assert first == second
    bp.manual_seed(124)
    assert bp.rand(3).tolist() != first[0]


def test_explicit_generator_leaves_global_sequence_alone():
    bp.manual_seed(5)
    expected = bp.rand(3).tolist()
    bp.manual_seed(5)
    bp.rand(3, generator=bp.Generator(99))
    assert bp.rand(3).tolist() == expected


def test_set_default_dtype_changes_new_float_tensors():
    bp.set_default_dtype(bp.float64)
    assert bp.tensor([1.0]).dtype == bp.float64 and bp.zeros(1).dtype == bp.float64
    bp.set_default_dtype(bp.float32)
    assert bp.tensor([1.0]).dtype == bp.float32
    with pytest.raises(TypeError, match="float32 or float64"):
        bp.set_default_dtype(bp.int64)
