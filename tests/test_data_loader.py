import numpy
import pytest

import backproplab as bp
from backproplab.data import DataLoader, Dataset, TensorDataset


def _indexed(n):
    """A dataset whose second tensor is the row index, so batches reveal the order."""
    x = numpy.arange(2 * n, dtype=numpy.float32).reshape(n, 2)
    return TensorDataset(x, numpy.arange(n))


def _order(loader):
    return numpy.concatenate([batch[1].array for batch in loader])


def test_unshuffled_loader_yields_rows_in_order_with_short_last_batch():
    batches = list(DataLoader(_indexed(10), batch_size=4))
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(isinstance(b, list) and isinstance(b[0], bp.Tensor) for b in batches)  # torch's
    numpy.testing.assert_array_equal(_order(batches), numpy.arange(10))


def test_shuffled_epoch_covers_every_sample_exactly_once():
    loader = DataLoader(_indexed(103), batch_size=8, shuffle=True, generator=bp.Generator(1))
    order = _order(loader)
    assert sorted(order.tolist()) == list(range(103))
    assert not numpy.array_equal(order, numpy.arange(103))


def test_shuffled_batches_keep_features_aligned_with_targets():
    for x, idx in DataLoader(_indexed(20), batch_size=6, shuffle=True, generator=bp.Generator(0)):
        numpy.testing.assert_array_equal(x.array[:, 0], 2 * idx.array)


def test_same_seed_gives_same_order_and_epochs_differ():
    a = DataLoader(_indexed(50), batch_size=5, shuffle=True, generator=bp.Generator(7))
    b = DataLoader(_indexed(50), batch_size=5, shuffle=True, generator=bp.Generator(7))
    first = _order(a)
    numpy.testing.assert_array_equal(first, _order(b))
    assert not numpy.array_equal(first, _order(a))


def test_default_generator_is_reset_by_manual_seed():
    loader = DataLoader(_indexed(30), batch_size=30, shuffle=True)
    bp.manual_seed(3)
    first = _order(loader)
    bp.manual_seed(3)
    numpy.testing.assert_array_equal(first, _order(loader))


def test_drop_last_skips_incomplete_batch_and_len_counts_it():
    loader = DataLoader(_indexed(10), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [b[0].shape[0] for b in loader] == [4, 4]
    assert len(DataLoader(_indexed(10), batch_size=4)) == 3


@pytest.mark.parametrize("batch_size", [0, -1, 2.0, True])
def test_rejects_invalid_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(_indexed(3), batch_size=batch_size)


class _Pairs(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return bp.tensor([i, i + 0.5]), bp.tensor(i)


def test_plain_dataset_items_are_stacked_into_batches():
    batches = list(DataLoader(_Pairs(), batch_size=2))
    assert [b[0].shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
    numpy.testing.assert_array_equal(batches[1][1].array, [2, 3])
