"""``save_csv``: export a dataset as CSV that ``load_csv`` reads back to the same arrays.

The file is written to a temporary file beside the destination and moved into place with
``os.replace``, so a crash or a full disk never leaves a half-written file under the real name.
"""

import csv

import numpy

from backproplab import atomic_file


def _target_names(y: numpy.ndarray, info) -> list[str]:
    name = info.target_name if info is not None else "y"
    if y.ndim == 1 or y.shape[1] == 1:
        return [name]
    return [f"{name}{i + 1}" for i in range(y.shape[1])]


def _target_cells(y: numpy.ndarray, info) -> list[list[str]]:
    """Class labels by name when the dataset knows them, numbers otherwise."""
    columns = y.reshape(len(y), -1)
    classes = info.class_names if info is not None and info.n_classes else None
    if classes is not None and columns.shape[1] == 1:
        return [[classes[int(v)]] for v in columns[:, 0]]
    return [[str(v) for v in row] for row in columns]


def save_csv(path, dataset) -> None:
    """Write a ``TensorDataset`` of ``(features, targets)`` (e.g. any built-in) to ``path``.

    Floats are written in the shortest form that reads back to the same value of their dtype.
    Column names come from ``dataset.info`` when there is one.
    """
    arrays = getattr(dataset, "arrays", None)
    if arrays is None or len(arrays) != 2:
        raise TypeError("save_csv expects a TensorDataset of (features, targets)")
    x, y = arrays
    x = x.reshape(len(x), -1)
    info = getattr(dataset, "info", None)
    feature_names = list(info.feature_names) if info is not None else []
    if len(feature_names) != x.shape[1]:
        feature_names = [f"x{i + 1}" for i in range(x.shape[1])]
    with atomic_file.atomic_open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(feature_names + _target_names(y, info))
        for features, targets in zip(x, _target_cells(y, info), strict=True):
            writer.writerow([str(v) for v in features] + targets)
