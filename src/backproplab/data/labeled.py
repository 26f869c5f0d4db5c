"""``LabeledDataset``: features and targets plus the metadata a trainer needs to pick a model.

Every built-in dataset and every loaded CSV file is one of these. It is a ``TensorDataset``
of ``(x, y)``, exposes the raw arrays as ``.x`` / ``.y``, and carries a ``DatasetInfo`` whose
``task`` decides the output layer and loss:

* ``"binary"``: ``y`` is float32 0/1 of shape (N, 1); one sigmoid output, BCE loss.
* ``"multiclass"``: ``y`` is int64 class indices of shape (N,); ``n_classes`` logits,
  cross-entropy loss.
* ``"regression"``: ``y`` is float32 (N, 1); one linear output, MSE loss.
* ``"autoencoder"``: ``y`` equals the clean inputs, float32 (N, n_features); MSE loss.
"""

from dataclasses import dataclass

import numpy

from backproplab.data.dataset import TensorDataset

TASKS = ("binary", "multiclass", "regression", "autoencoder")


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    task: str
    n_features: int
    n_outputs: int
    """Width of the output layer the task needs (1, ``n_classes`` or ``n_features``)."""
    n_classes: int | None = None
    """Number of classes for binary / multiclass tasks; None for regression and autoencoder."""
    feature_names: tuple[str, ...] = ()
    target_name: str = "y"
    class_names: tuple[str, ...] | None = None
    """Label of class index i, e.g. the strings a CSV column held; None when not known."""


class LabeledDataset(TensorDataset):
    def __init__(self, x: numpy.ndarray, y: numpy.ndarray, info: DatasetInfo):
        super().__init__(x, y)
        self.info = info

    @property
    def x(self) -> numpy.ndarray:
        return self.tensors[0].array

    @property
    def y(self) -> numpy.ndarray:
        return self.tensors[1].array

    def __repr__(self) -> str:
        return (f"LabeledDataset({self.info.name!r}, task={self.info.task!r}, "
                f"x={self.x.shape}, y={self.y.shape})")


def _names(given, count: int, prefix: str) -> tuple[str, ...]:
    if given is None:
        return tuple(f"{prefix}{i + 1}" for i in range(count))
    return tuple(str(g) for g in given)


def _features(x) -> numpy.ndarray:
    x = numpy.asarray(x, dtype=numpy.float32)
    return x.reshape(len(x), -1)


def classification(name: str, x, labels, n_classes: int, feature_names=None,
                   target_name: str = "label", class_names=None,
                   task: str | None = None) -> LabeledDataset:
    """From integer labels: binary when ``n_classes <= 2``, else multiclass, unless ``task``
    says which."""
    x = _features(x)
    labels = numpy.asarray(labels, dtype=numpy.int64)
    if task is None:
        task = "binary" if n_classes <= 2 else "multiclass"
    if task == "binary":
        y, outputs = labels.astype(numpy.float32).reshape(-1, 1), 1
    else:
        y, outputs = labels, n_classes
    info = DatasetInfo(name, task, x.shape[1], outputs, n_classes,
                       _names(feature_names, x.shape[1], "x"), target_name,
                       None if class_names is None else tuple(str(c) for c in class_names))
    return LabeledDataset(x, y, info)


def regression(name: str, x, y, feature_names=None, target_name: str = "y") -> LabeledDataset:
    x = _features(x)
    y = numpy.asarray(y, dtype=numpy.float32).reshape(-1, 1)
    info = DatasetInfo(name, "regression", x.shape[1], 1, None,
                       _names(feature_names, x.shape[1], "x"), target_name)
    return LabeledDataset(x, y, info)


def autoencoder(name: str, x, targets) -> LabeledDataset:
    x = _features(x)
    targets = _features(targets)
    info = DatasetInfo(name, "autoencoder", x.shape[1], targets.shape[1], None,
                       _names(None, x.shape[1], "x"), "input")
    return LabeledDataset(x, targets, info)
