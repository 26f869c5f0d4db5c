"""Every built-in dataset by name: the one list the CLI and the web lab offer.

``load_dataset(name, n=..., noise=..., seed=..., **options)`` builds one; options a dataset
does not take are refused with the list of those it does, and an unknown name with the list
of valid names.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from backproplab.data.blobs import make_gaussians
from backproplab.data.curves import make_circles, make_moons, make_spirals
from backproplab.data.encoder import make_encoder
from backproplab.data.labeled import LabeledDataset
from backproplab.data.logic import make_and, make_or, make_xor
from backproplab.data.partitions import make_checkerboard, make_linear
from backproplab.data.regression import make_polynomial, make_sine
from backproplab.data.sklearn_datasets import load_digits, load_iris
from backproplab.data.surfaces import make_bump, make_plane


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    make: Callable[..., LabeledDataset]
    summary: str
    needs_sklearn: bool = False

    @property
    def options(self) -> tuple[str, ...]:
        """Keyword arguments ``make`` accepts (n, noise, seed and dataset-specific ones)."""
        return tuple(inspect.signature(self.make).parameters)


_ENTRIES = (
    DatasetEntry("xor", make_xor, "XOR truth table (4 points, or noisy corner clouds)"),
    DatasetEntry("and", make_and, "AND truth table (linearly separable)"),
    DatasetEntry("or", make_or, "OR truth table (linearly separable)"),
    DatasetEntry("linear", make_linear, "two classes split by a random line, with a margin"),
    DatasetEntry("circles", make_circles, "a small circle inside a large one"),
    DatasetEntry("moons", make_moons, "two interleaving half moons"),
    DatasetEntry("spirals", make_spirals, "interleaved spiral arms, one class per arm"),
    DatasetEntry("gaussians", make_gaussians, "Gaussian clusters, one class per cluster"),
    DatasetEntry("checkerboard", make_checkerboard, "alternating squares of a checkerboard"),
    DatasetEntry("sine", make_sine, "1-D regression: y = sin(x) + noise"),
    DatasetEntry("polynomial", make_polynomial, "1-D regression: y = x³ − x + noise"),
    DatasetEntry("plane", make_plane, "2-D regression: a tilted plane, y = (x₁ + x₂) / 2"),
    DatasetEntry("bump", make_bump, "2-D regression: a gaussian bump in the middle"),
    DatasetEntry("encoder", make_encoder, "8-3-8 encoder: reproduce one-hot inputs"),
    DatasetEntry("iris", load_iris, "iris flowers: 4 measurements, 3 species",
                 needs_sklearn=True),
    DatasetEntry("digits", load_digits, "8×8 handwritten digits, 10 classes",
                 needs_sklearn=True),
)

DATASETS: dict[str, DatasetEntry] = {entry.name: entry for entry in _ENTRIES}


def dataset_names() -> list[str]:
    return list(DATASETS)


def get_entry(name: str) -> DatasetEntry:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; valid names are: "
                         f"{', '.join(DATASETS)}") from None


def load_dataset(name: str, n: int | None = None, noise: float | None = None, seed=None,
                 **options) -> LabeledDataset:
    """The dataset ``name``; ``n``/``noise`` left as None keep that dataset's defaults."""
    entry = get_entry(name)
    given = {key: value for key, value in (("n", n), ("noise", noise), ("seed", seed))
             if value is not None}
    given.update(options)
    unknown = sorted(set(given) - set(entry.options))
    if unknown:
        raise TypeError(f"dataset {name!r} does not take {', '.join(unknown)}; "
                        f"it takes: {', '.join(entry.options)}")
    return entry.make(**given)
