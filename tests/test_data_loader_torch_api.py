"""``backproplab.utils.data`` is ``torch.utils.data`` by changing the import: the same names,
DataLoader's arguments with PyTorch's meaning (a real collate_fn, samplers, batch_size=None,
num_workers/pin_memory accepted), PyTorch's collation rules and PyTorch's errors."""

from collections import namedtuple

import numpy
import pytest

import backproplab as bp
from backproplab.utils import data as bpdata

torch = pytest.importorskip("torch")
tdata = torch.utils.data

Point = namedtuple("Point", ["x", "label"])


def test_torch_import_path_names_the_library_classes():
    from backproplab.utils.data import DataLoader, TensorDataset, random_split

    assert DataLoader is bp.data.DataLoader and TensorDataset is bp.data.TensorDataset
    assert random_split is bp.data.random_split
    assert bp.utils.data.Subset is bp.data.Subset
    for name in ["Dataset", "Sampler", "SequentialSampler", "RandomSampler", "BatchSampler",
                 "SubsetRandomSampler", "default_collate", "default_convert"]:
        assert hasattr(bpdata, name) and hasattr(tdata, name), name


def _as_numpy(batch):
    """A batch's structure with tensors as (dtype name, values), comparable across libraries."""
    if isinstance(batch, bp.Tensor | torch.Tensor):
        return str(batch.dtype).removeprefix("torch."), batch.numpy().tolist()
    if isinstance(batch, dict):
        return {k: _as_numpy(v) for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch).__name__, [_as_numpy(v) for v in batch]
    if isinstance(batch, list | tuple):
        return type(batch).__name__, [_as_numpy(v) for v in batch]
    return batch


ITEMS = {
    "floats": [0.5, 1.5, -2.0],
    "ints": [1, 2, 3],
    "bools": [True, False, True],
    "strings": ["a", "bb", "c"],
    "float32 arrays": [numpy.full(2, i, numpy.float32) for i in range(3)],
    "int arrays": [numpy.arange(i, i + 2) for i in range(3)],
    "numpy scalars": [numpy.float64(i) for i in range(3)],
    "tuples": [(float(i), i) for i in range(3)],
    "lists": [[i, float(i)] for i in range(3)],
    "dicts": [{"x": float(i), "y": [i, i + 1]} for i in range(3)],
    "namedtuples": [Point(float(i), i) for i in range(3)],
}


@pytest.mark.parametrize("kind", ITEMS)
def test_default_collate_builds_the_batch_torch_builds(kind):
    items = ITEMS[kind]
    theirs = tdata.default_collate(items)
    ours = bpdata.default_collate(items)
    assert _as_numpy(ours) == _as_numpy(theirs)


def test_default_collate_stacks_tensors_as_torch():
    rows = numpy.random.default_rng(0).normal(size=(4, 3))
    ours = bpdata.default_collate([(bp.tensor(r), bp.tensor(i)) for i, r in enumerate(rows)])
    theirs = tdata.default_collate([(torch.tensor(r), torch.tensor(i))
                                    for i, r in enumerate(rows)])
    assert _as_numpy(ours) == _as_numpy(theirs)


def test_ragged_items_are_refused_like_torch():
    with pytest.raises(RuntimeError, match="equal size"):
        tdata.default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="equal size"):
        bpdata.default_collate([[1, 2], [3]])


class Squares:
    """A map-style dataset written as torch users write one (no base class needed)."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {"x": [float(i), float(i) / 2], "y": i * i}


def _both(**kwargs):
    x = numpy.arange(22, dtype=numpy.float64).reshape(11, 2)
    y = numpy.arange(11) % 3
    ours = bpdata.DataLoader(bpdata.TensorDataset(bp.tensor(x), bp.tensor(y)), **kwargs)
    theirs = tdata.DataLoader(tdata.TensorDataset(torch.tensor(x), torch.tensor(y)), **kwargs)
    return ours, theirs


@pytest.mark.filterwarnings("ignore:'pin_memory' argument is set as true")
@pytest.mark.parametrize("kwargs", [
    {"batch_size": 4},
    {"batch_size": 4, "drop_last": True},
    {"batch_size": 3, "num_workers": 0, "pin_memory": True},
    {"batch_size": None},
    {"sampler": [3, 1, 4, 1, 5], "batch_size": 2},
    {"batch_sampler": [[0, 1, 2], [10], [5, 6]]},
    {"batch_size": 5, "collate_fn": lambda items: len(items)},
])
def test_unshuffled_batches_equal_torch(kwargs):
    ours, theirs = _both(**kwargs)
    assert len(ours) == len(theirs)
    assert [_as_numpy(b) for b in ours] == [_as_numpy(b) for b in theirs]


def test_plain_dataset_with_dict_items_batches_like_torch():
    ours = list(bpdata.DataLoader(Squares(), batch_size=3))
    theirs = list(tdata.DataLoader(Squares(), batch_size=3))
    assert [_as_numpy(b) for b in ours] == [_as_numpy(b) for b in theirs]


def test_collate_fn_receives_the_list_of_items():
    seen = []

    def pad_collate(items):
        seen.append(items)
        width = max(len(s) for s in items)
        return bp.tensor([s + [0] * (width - len(s)) for s in items])

    words = [[1], [2, 3], [4, 5, 6]]
    batches = list(bpdata.DataLoader(words, batch_size=2, collate_fn=pad_collate))
    assert seen == [[[1], [2, 3]], [[4, 5, 6]]]
    assert batches[0].tolist() == [[1, 0], [2, 3]]


def test_num_workers_loads_in_process_with_the_same_batches_and_calls_worker_init_fn():
    calls = []
    plain, _ = _both(batch_size=4)
    workers, _ = _both(batch_size=4, num_workers=2, worker_init_fn=calls.append,
                       prefetch_factor=2, persistent_workers=True)
    assert [_as_numpy(b) for b in workers] == [_as_numpy(b) for b in plain]
    assert calls == [0, 1]


@pytest.mark.parametrize("kwargs", [
    {"num_workers": -1},
    {"shuffle": True, "sampler": [0, 1]},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "drop_last": True},
    {"prefetch_factor": 2},
    {"persistent_workers": True},
    {"timeout": -1},
])
def test_invalid_combinations_are_refused_as_torch_refuses_them(kwargs):
    with pytest.raises(ValueError):
        tdata.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError):
        bpdata.DataLoader(list(range(4)), **kwargs)


def test_shuffle_with_a_generator_covers_each_row_once_and_repeats_with_the_seed():
    def order(seed):
        loader = bpdata.DataLoader(list(range(20)), batch_size=6, shuffle=True,
                                   generator=bp.Generator(seed))
        return [int(v) for batch in loader for v in batch.tolist()]

    assert sorted(order(1)) == list(range(20))
    assert order(1) == order(1) and order(1) != order(2)


def test_samplers_behave_as_torch_documents():
    assert list(bpdata.SequentialSampler(range(4))) == [0, 1, 2, 3]
    drawn = list(bpdata.RandomSampler(range(5), generator=bp.Generator(0)))
    assert sorted(drawn) == [0, 1, 2, 3, 4]
    assert len(list(bpdata.RandomSampler(range(3), replacement=True, num_samples=10))) == 10
    assert sorted(bpdata.SubsetRandomSampler([7, 8, 9])) == [7, 8, 9]
    ours = list(bpdata.BatchSampler(range(7), 3, drop_last=False))
    assert ours == list(tdata.BatchSampler(range(7), 3, drop_last=False))
    assert len(bpdata.BatchSampler(range(7), 3, drop_last=True)) == 2
