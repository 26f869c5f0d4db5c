import numpy
import pytest

import backproplab as bp
from backproplab.data import Dataset, Subset, TensorDataset, default_collate


def test_tensor_dataset_item_is_row_of_every_tensor():
    x = numpy.arange(12, dtype=numpy.float32).reshape(6, 2)
    y = numpy.arange(6, dtype=numpy.int64)
    ds = TensorDataset(bp.from_numpy(x), bp.from_numpy(y))
    xi, yi = ds[4]
    assert len(ds) == 6
    numpy.testing.assert_array_equal(xi.array, x[4])
    assert yi.array.shape == () and int(yi.array) == 4


def test_tensor_dataset_rejects_different_first_dimensions_naming_shapes():
    with pytest.raises(ValueError, match=r"\(4, 2\), \(3, 1\)"):
        TensorDataset(bp.zeros(4, 2), bp.zeros(3, 1))


def test_tensor_dataset_get_batch_gathers_rows_in_given_order():
    x = numpy.arange(10, dtype=numpy.float32).reshape(5, 2)
    ds = TensorDataset(x, numpy.arange(5))
    xb, yb = ds.get_batch(numpy.array([3, 0, 4]))
    numpy.testing.assert_array_equal(xb.array, x[[3, 0, 4]])
    numpy.testing.assert_array_equal(yb.array, [3, 0, 4])


def test_dataset_items_are_detached_from_graph():
    w = bp.ones(3, 2, requires_grad=True)
    ds = TensorDataset(w, bp.zeros(3))
    assert ds[0][0].requires_grad is False and ds[0][0].grad_fn is None


def test_subset_maps_indices_into_base_dataset():
    ds = TensorDataset(numpy.arange(10))
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3
    assert int(sub[1][0].array) == 2
    numpy.testing.assert_array_equal(sub.get_batch(numpy.array([2, 0]))[0].array, [5, 7])


class _Squares(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return bp.tensor([float(i)]), i * i


def test_subset_of_plain_dataset_collates_items():
    xb, yb = Subset(_Squares(), [3, 1]).get_batch(numpy.array([0, 1]))
    numpy.testing.assert_array_equal(xb.array, [[3.0], [1.0]])
    numpy.testing.assert_array_equal(yb.array, [9, 1])
    assert yb.dtype == numpy.int64


def test_default_collate_turns_python_floats_into_float64_as_torch():
    batch = default_collate([(0.5, 1), (1.5, 2)])
    assert isinstance(batch, list)
    assert batch[0].dtype == numpy.float64
    assert batch[1].dtype == numpy.int64


def test_base_dataset_requires_len_and_getitem():
    with pytest.raises(NotImplementedError):
        len(Dataset())
