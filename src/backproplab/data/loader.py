"""``DataLoader``: iterate a dataset in (optionally shuffled) mini-batches.

Shuffling draws a fresh permutation each epoch from a ``numpy.random.Generator`` (the
library's seeded one unless ``generator`` is given), so a run repeats exactly after
``bp.manual_seed``. Datasets with ``get_batch`` (``TensorDataset`` and subsets of it) are
batched by indexing their arrays once per batch instead of stacking single rows.
"""

import math

import numpy

from backproplab.data.collate import default_collate
from backproplab.data.sampling import generator_for


class DataLoader:
    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, generator: numpy.random.Generator | None = None):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            order = generator_for(self.generator).permutation(n)
        else:
            order = numpy.arange(n)
        stop = len(self) * self.batch_size if self.drop_last else n
        fetch = getattr(self.dataset, "get_batch", None)
        for start in range(0, stop, self.batch_size):
            batch = order[start:start + self.batch_size]
            if fetch is not None:
                yield fetch(batch)
            else:
                yield default_collate([self.dataset[int(i)] for i in batch])
