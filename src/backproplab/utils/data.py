"""``backproplab.utils.data``: ``torch.utils.data``'s names, served by :mod:`backproplab.data`.

``from backproplab.utils.data import DataLoader, TensorDataset`` is the ported form of
``from torch.utils.data import DataLoader, TensorDataset``; the classes are the same objects
as ``bp.data.DataLoader`` etc.
"""

from backproplab.data.collate import default_collate, default_convert
from backproplab.data.dataset import Dataset, Subset, TensorDataset
from backproplab.data.loader import DataLoader
from backproplab.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)
from backproplab.data.split import random_split

__all__ = [
    "BatchSampler",
    "DataLoader",
    "Dataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "default_collate",
    "default_convert",
    "random_split",
]
