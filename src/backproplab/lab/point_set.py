"""``PointSet``: the session's data — rows a learner can edit, add, delete, import and export.

It starts as a built-in dataset (``bp.data.load_dataset``) or a CSV file (``bp.data.load_csv``)
split into train and test rows, and stays a plain pair of arrays so every edit is one NumPy
operation. Targets keep the dataset's own form: 0/1 for binary, class indices for multiclass,
values for regression, the inputs themselves for an autoencoder.
"""

import tempfile
from dataclasses import replace
from pathlib import Path

import numpy

from backproplab import data
from backproplab.lab import limits


class PointSet:
    def __init__(self, dataset: data.LabeledDataset, test_fraction: float, seed: int,
                 labels: numpy.ndarray | None = None):
        if len(dataset) > limits.MAX_POINTS:
            raise ValueError(f"the lab holds at most {limits.MAX_POINTS} points, this dataset "
                             f"has {len(dataset)}")
        self.info = dataset.info
        self.x = numpy.array(dataset.x, dtype=numpy.float32)
        self.y = numpy.array(dataset.y)
        self.labels = labels
        """Class labels to colour an autoencoder's latent space by (None when unknown)."""
        n_test = round(test_fraction * len(self.x)) if len(self.x) >= 10 else 0
        order = numpy.random.default_rng(seed).permutation(len(self.x))
        self.is_test = numpy.zeros(len(self.x), dtype=bool)
        self.is_test[order[:n_test]] = True
        self.edited = False
        """True once the rows differ from what the config's dataset call makes."""

    @classmethod
    def from_config(cls, config) -> "PointSet":
        n = config.points or None
        if config.dataset == "digits":
            ds = data.load_dataset("digits", n=n, seed=config.data_seed)
            labels = ds.y.copy()
            info = replace(ds.info, task="autoencoder", n_outputs=ds.info.n_features)
            ds = data.LabeledDataset(ds.x, ds.x, info)
            return cls(ds, config.test_fraction, config.data_seed, labels)
        ds = data.load_dataset(config.dataset, n=n, noise=config.noise, seed=config.data_seed)
        labels = numpy.arange(len(ds)) if ds.info.task == "autoencoder" else None
        return cls(ds, config.test_fraction, config.data_seed, labels)

    @classmethod
    def from_csv(cls, content: bytes, test_fraction: float, seed: int) -> "PointSet":
        """A point set from an uploaded CSV file (read by ``bp.data.load_csv``). Values are
        bounded by ``limits.MAX_COORDINATE``, as for rows added by hand."""
        if len(content) > limits.MAX_CSV_BYTES:
            raise ValueError(f"the CSV file is {len(content)} bytes; the limit is "
                             f"{limits.MAX_CSV_BYTES}")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload.csv"
            path.write_bytes(content)
            try:
                ds = data.load_csv(path, max_abs=limits.MAX_COORDINATE)
            except ValueError as e:  # name the upload, not the temporary directory
                raise ValueError(str(e).replace(str(path), path.name)) from None
        if ds.info.n_features not in (1, 2):
            raise ValueError(f"the lab shows data with 1 or 2 input columns; this file has "
                             f"{ds.info.n_features}")
        points = cls(ds, test_fraction, seed)
        points.edited = True
        return points

    def to_csv(self) -> str:
        """The rows as CSV text that ``bp.data.load_csv`` reads back."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "data.csv"
            data.save_csv(path, data.LabeledDataset(self.x, self.y, self.info))
            return path.read_text()

    # ----- reading ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.x)

    @property
    def task(self) -> str:
        return self.info.task

    @property
    def editable(self) -> bool:
        """Rows can be edited by hand when they are 1-D or 2-D points with one target."""
        return self.task != "autoencoder" and self.x.shape[1] <= 2

    def split(self, test: bool) -> tuple[numpy.ndarray, numpy.ndarray]:
        mask = self.is_test if test else ~self.is_test
        return self.x[mask], self.y[mask]

    def rows(self) -> dict:
        """The table's rows for a frame: inputs, expected outputs, train/test."""
        y = self.y if self.y.ndim == 1 else self.y[:, 0]
        return {"x": self.x.round(5).tolist(), "y": y.round(5).tolist()
                if y.dtype.kind == "f" else y.tolist(), "test": self.is_test.tolist()}

    def extent(self) -> list[float]:
        """[xmin, xmax, ymin, ymax] of the data space: every point, with a margin."""
        lo, hi = self.x.min(axis=0), self.x.max(axis=0)
        if self.x.shape[1] == 1:
            ys = self.y.reshape(len(self.y), -1)[:, 0]
            lo = numpy.array([lo[0], ys.min()])
            hi = numpy.array([hi[0], ys.max()])
        span = numpy.maximum(hi - lo, 1.0)
        lo, hi = lo - 0.15 * span, hi + 0.15 * span
        return [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])]

    # ----- editing ------------------------------------------------------------------------------
    def _target(self, y: float) -> numpy.ndarray:
        if self.task == "binary":
            if y not in (0, 1):
                raise ValueError(f"a binary dataset's expected output is 0 or 1, got {y:g}")
            return numpy.array([y], dtype=self.y.dtype)
        if self.task == "multiclass":
            if y != int(y) or not 0 <= y < self.info.n_classes:
                raise ValueError(f"the expected output is a class from 0 to "
                                 f"{self.info.n_classes - 1}, got {y:g}")
            return numpy.array(int(y), dtype=self.y.dtype)
        return numpy.array([y], dtype=self.y.dtype)

    def _check_row(self, x: list[float]) -> numpy.ndarray:
        if not self.editable:
            raise ValueError("this dataset's rows cannot be edited by hand")
        if len(x) != self.x.shape[1]:
            raise ValueError(f"a row has {self.x.shape[1]} input(s), got {len(x)}")
        return numpy.asarray(x, dtype=numpy.float32)

    def _check_index(self, index: int) -> None:
        if not 0 <= index < len(self.x):
            raise ValueError(f"there is no row {index}; the table has {len(self.x)} rows")

    def add(self, x: list[float], y: float, test: bool = False) -> int:
        if len(self.x) >= limits.MAX_POINTS:
            raise ValueError(f"the lab holds at most {limits.MAX_POINTS} points")
        row, target = self._check_row(x), self._target(y)
        self.x = numpy.concatenate([self.x, row[None]])
        self.y = numpy.concatenate([self.y, target.reshape((1, *self.y.shape[1:]))])
        self.is_test = numpy.append(self.is_test, test)
        self.edited = True
        return len(self.x) - 1

    def set(self, index: int, x: list[float], y: float) -> None:
        self._check_index(index)
        row, target = self._check_row(x), self._target(y)
        self.x[index] = row
        self.y[index] = target.reshape(self.y.shape[1:])
        self.edited = True

    def delete(self, index: int) -> None:
        self._check_index(index)
        if (~self.is_test).sum() <= 1 and not self.is_test[index]:
            raise ValueError("the last training row cannot be deleted")
        keep = numpy.arange(len(self.x)) != index
        self.x, self.y, self.is_test = self.x[keep], self.y[keep], self.is_test[keep]
        if self.labels is not None:
            self.labels = self.labels[keep]
        self.edited = True
