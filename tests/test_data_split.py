import numpy
import pytest

import backproplab as bp
from backproplab.data import TensorDataset, random_split


def _rows(subset):
    return sorted(int(subset[i][0].array) for i in range(len(subset)))


def test_split_by_counts_is_disjoint_and_covers_everything():
    parts = random_split(TensorDataset(numpy.arange(20)), [12, 5, 3], generator=bp.Generator(0))
    assert [len(p) for p in parts] == [12, 5, 3]
    rows = [r for p in parts for r in _rows(p)]
    assert sorted(rows) == list(range(20))


def test_split_by_fractions_gives_remainder_to_first_parts():
    parts = random_split(TensorDataset(numpy.arange(11)), [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [6, 3, 2]


def test_split_is_random_and_reproducible_with_seed():
    ds = TensorDataset(numpy.arange(30))
    a = random_split(ds, [15, 15], generator=bp.Generator(4))[0]
    b = random_split(ds, [15, 15], generator=bp.Generator(4))[0]
    numpy.testing.assert_array_equal(a.indices, b.indices)
    assert _rows(a) != list(range(15))


@pytest.mark.parametrize("lengths", [[5, 4], [0.5, 0.4], [11, -1]])
def test_split_rejects_lengths_not_summing_to_dataset(lengths):
    with pytest.raises(ValueError):
        random_split(TensorDataset(numpy.arange(10)), lengths)
