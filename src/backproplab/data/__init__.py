"""Datasets and batching (``bp.data``): the data side of the learning stack.

``Dataset`` / ``TensorDataset`` / ``DataLoader`` / ``random_split`` / the samplers follow
``torch.utils.data`` (also importable as ``backproplab.utils.data``). Built-in problems
(truth tables, 2-D shapes, 1-D curves, the 8-3-8 encoder, scikit-learn's digits and iris)
are made from a seed by name with :func:`load_dataset`; :func:`load_csv` / :func:`save_csv`
bring in and export user data.
"""

from backproplab.data.blobs import make_gaussians
from backproplab.data.collate import default_collate, default_convert
from backproplab.data.csv_loader import CSVFormatError, load_csv
from backproplab.data.csv_writer import save_csv
from backproplab.data.curves import make_circles, make_moons, make_spirals
from backproplab.data.dataset import Dataset, Subset, TensorDataset
from backproplab.data.encoder import make_encoder
from backproplab.data.features import FEATURES, feature_columns
from backproplab.data.labeled import TASKS, DatasetInfo, LabeledDataset
from backproplab.data.loader import DataLoader
from backproplab.data.logic import make_and, make_or, make_xor
from backproplab.data.partitions import make_checkerboard, make_linear
from backproplab.data.registry import DATASETS, DatasetEntry, dataset_names, load_dataset
from backproplab.data.regression import make_polynomial, make_sine
from backproplab.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)
from backproplab.data.sklearn_datasets import load_digits, load_iris
from backproplab.data.split import random_split
from backproplab.data.surfaces import make_bump, make_plane

__all__ = [
    "DATASETS",
    "FEATURES",
    "TASKS",
    "BatchSampler",
    "CSVFormatError",
    "DataLoader",
    "Dataset",
    "DatasetEntry",
    "DatasetInfo",
    "LabeledDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "dataset_names",
    "default_collate",
    "default_convert",
    "feature_columns",
    "load_csv",
    "load_dataset",
    "load_digits",
    "load_iris",
    "make_and",
    "make_bump",
    "make_checkerboard",
    "make_circles",
    "make_encoder",
    "make_gaussians",
    "make_linear",
    "make_moons",
    "make_or",
    "make_plane",
    "make_polynomial",
    "make_sine",
    "make_spirals",
    "make_xor",
    "random_split",
    "save_csv",
]
