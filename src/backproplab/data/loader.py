"""``DataLoader``: iterate a dataset in (optionally shuffled) mini-batches, as in PyTorch.

Every argument of ``torch.utils.data.DataLoader`` is accepted with its meaning. Two are
honest no-ops here: ``num_workers`` loads in this process (there are no worker processes;
``worker_init_fn`` is still called once per worker id at the start of each pass, so seeding
code runs), and ``pin_memory`` has nothing to pin on the CPU.

Shuffling draws a fresh permutation each epoch from a ``numpy.random.Generator`` (the
library's seeded one unless ``generator`` is given), so a run repeats exactly after
``bp.manual_seed`` (not in PyTorch's order, which comes from PyTorch's generator). With the
default collation, datasets with ``get_batch`` (``TensorDataset`` and subsets of it) are
batched by indexing their arrays once per batch instead of stacking single rows.
"""

import math

import numpy

from backproplab.data.collate import default_collate, default_convert
from backproplab.data.sampler import BatchSampler, RandomSampler, SequentialSampler
from backproplab.data.sampling import generator_for


def _count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


class DataLoader:
    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0, collate_fn=None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = ""):
        if batch_size is not None:
            _count(batch_size, "batch_size", 1)
        self.num_workers = _count(num_workers, "num_workers", 0)
        if timeout < 0:
            raise ValueError(f"timeout option should be non-negative, got {timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing. let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                             "shuffle, sampler, and drop_last")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {type(collate_fn).__name__}")
        self.dataset = dataset
        self.batch_size = None if batch_sampler is not None else batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.pin_memory = bool(pin_memory)
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = bool(persistent_workers)
        self.multiprocessing_context = multiprocessing_context
        self.pin_memory_device = pin_memory_device
        self._default_path = sampler is None and batch_sampler is None and collate_fn is None \
            and batch_size is not None
        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if self.shuffle
                       else SequentialSampler(dataset))
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, self.drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if batch_size is not None or batch_sampler is not None \
                else default_convert
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        if self._default_path:
            n = len(self.dataset)
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self):
        if self.worker_init_fn is not None:
            for worker_id in range(self.num_workers):
                self.worker_init_fn(worker_id)
        if self._default_path:
            return self._array_batches()
        return self._sampled()

    def _array_batches(self):
        """The hot path: one permutation array, sliced into batches."""
        n = len(self.dataset)
        order = generator_for(self.generator).permutation(n) if self.shuffle else numpy.arange(n)
        stop = len(self) * self.batch_size if self.drop_last else n
        fetch = getattr(self.dataset, "get_batch", None)
        for start in range(0, stop, self.batch_size):
            batch = order[start:start + self.batch_size]
            if fetch is not None:
                yield list(fetch(batch))
            else:
                yield default_collate([self.dataset[int(i)] for i in batch])

    def _sampled(self):
        fetch = getattr(self.dataset, "get_batch", None)
        if self.batch_sampler is None:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        for batch in self.batch_sampler:
            if fetch is not None and self.collate_fn is default_collate:
                yield list(fetch(numpy.asarray(batch, dtype=numpy.int64)))
            else:
                yield self.collate_fn([self.dataset[i] for i in batch])
