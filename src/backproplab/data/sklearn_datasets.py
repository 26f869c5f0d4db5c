"""scikit-learn's bundled real datasets: handwritten digits and iris.

They need the optional extra ``backproplab[datasets]``; everything else in ``bp.data`` works
without scikit-learn, so the import happens only when one of these is asked for.
"""

import numpy

from backproplab.data.labeled import LabeledDataset, classification
from backproplab.data.limits import check_sample_count
from backproplab.data.sampling import generator_for

INSTALL_HINT = 'pip install "backproplab[datasets]"'


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError as err:
        raise ImportError(f"this dataset comes from scikit-learn, which is not installed; "
                          f"install it with: {INSTALL_HINT}") from err
    return datasets


def _subset(x, labels, n, seed):
    """All rows, or ``n`` of them drawn without replacement."""
    if n is None:
        return x, labels
    n = check_sample_count(n)
    if n > len(x):
        raise ValueError(f"n={n} is more than the {len(x)} rows this dataset has")
    rows = numpy.sort(generator_for(seed).choice(len(x), size=n, replace=False))
    return x[rows], labels[rows]


def load_digits(n: int | None = None, seed=None) -> LabeledDataset:
    """1,797 8×8 grey images of the digits 0-9, flattened to 64 features scaled to [0, 1]."""
    bunch = _sklearn_datasets().load_digits()
    x, labels = _subset(bunch.data / 16.0, bunch.target, n, seed)
    return classification("digits", x, labels, 10, feature_names=bunch.feature_names,
                          target_name="digit", class_names=bunch.target_names)


def load_iris(n: int | None = None, seed=None) -> LabeledDataset:
    """150 iris flowers: 4 measurements in cm, 3 species."""
    bunch = _sklearn_datasets().load_iris()
    x, labels = _subset(bunch.data, bunch.target, n, seed)
    return classification("iris", x, labels, 3, feature_names=bunch.feature_names,
                          target_name="species", class_names=bunch.target_names)
