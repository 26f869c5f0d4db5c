"""``Dataset`` (the indexable-collection protocol), ``TensorDataset`` and ``Subset``.

Items are tuples of tensors. Datasets that can fetch many rows at once offer
``get_batch(indices)``, which the ``DataLoader`` prefers over fetching and stacking rows one
by one: that is the training hot path.
"""

import numpy

from backproplab.data.collate import default_collate
from backproplab.tensor import Tensor


class Dataset:
    """Anything with ``__len__`` and ``__getitem__(i)``, as in ``torch.utils.data.Dataset``."""

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")


def _as_array(t) -> numpy.ndarray:
    return t.array if isinstance(t, Tensor) else numpy.asarray(t)


class TensorDataset(Dataset):
    """Rows of tensors that share their first dimension: ``TensorDataset(x, y)[i] == (x[i], y[i])``.

    Items and batches are plain (detached) tensors: a dataset holds data, not graph nodes.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        arrays = [_as_array(t) for t in tensors]
        if any(a.ndim == 0 for a in arrays) or len({a.shape[0] for a in arrays}) != 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"TensorDataset needs tensors with the same first dimension, "
                             f"got shapes {shapes}")
        self.tensors = tuple(Tensor._make(a, False, None) for a in arrays)

    @property
    def arrays(self) -> tuple[numpy.ndarray, ...]:
        return tuple(t.array for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].array.shape[0]

    def __getitem__(self, index) -> tuple[Tensor, ...]:
        return tuple(Tensor._make(numpy.asarray(t.array[index]), False, None)
                     for t in self.tensors)

    def get_batch(self, indices: numpy.ndarray) -> tuple[Tensor, ...]:
        """Rows ``indices`` of every tensor, gathered with one fancy index per tensor."""
        return tuple(Tensor._make(t.array[indices], False, None) for t in self.tensors)


class Subset(Dataset):
    """The rows ``indices`` of ``dataset``, in that order (what ``random_split`` returns)."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = numpy.asarray(indices, dtype=numpy.int64)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]

    def get_batch(self, indices: numpy.ndarray):
        rows = self.indices[indices]
        fetch = getattr(self.dataset, "get_batch", None)
        if fetch is not None:
            return fetch(rows)
        return default_collate([self.dataset[int(i)] for i in rows])
