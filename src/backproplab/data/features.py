"""Input features of 2-D data, as TensorFlow Playground offers them: x₁, x₂, x₁², x₂², x₁x₂,
sin x₁, sin x₂.

A feature set is a real preprocessing step: ``feature_columns(x, names)`` turns the raw
(N, 2) points into the (N, len(names)) inputs a model trains on. Each feature is one NumPy
expression of ``x1`` and ``x2``, kept as text beside the function that evaluates it, so an
exported script can print the same preprocessing the library ran (a test checks both agree).
"""

from dataclasses import dataclass

import numpy


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    """How the page writes it (x₁², sin x₁)."""
    expression: str
    """The same feature as NumPy source over ``x1`` and ``x2``."""


FEATURES: dict[str, Feature] = {f.name: f for f in (
    Feature("x1", "x₁", "x1"),
    Feature("x2", "x₂", "x2"),
    Feature("x1sq", "x₁²", "x1 * x1"),
    Feature("x2sq", "x₂²", "x2 * x2"),
    Feature("x1x2", "x₁x₂", "x1 * x2"),
    Feature("sinx1", "sin x₁", "numpy.sin(x1)"),
    Feature("sinx2", "sin x₂", "numpy.sin(x2)"),
)}

RAW_FEATURES = ("x1", "x2")
"""The identity feature set: the points as they are."""

_FUNCTIONS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1sq": lambda x1, x2: x1 * x1,
    "x2sq": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sinx1": lambda x1, x2: numpy.sin(x1),
    "sinx2": lambda x1, x2: numpy.sin(x2),
}


def check_features(names) -> tuple[str, ...]:
    """``names`` as a tuple in the canonical order; an unknown, repeated or empty set is
    refused with the valid names."""
    names = tuple(names)
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature {unknown[0]!r}; valid: {', '.join(FEATURES)}")
    if len(set(names)) != len(names):
        raise ValueError(f"a feature is listed twice in {', '.join(names)}")
    if not names:
        raise ValueError("choose at least one input feature")
    return tuple(n for n in FEATURES if n in names)


def feature_columns(x: numpy.ndarray, names) -> numpy.ndarray:
    """The (N, len(names)) model inputs of the raw (N, 2) points ``x``, in ``x``'s dtype."""
    x = numpy.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"features are made from 2-D points of shape (N, 2), got {x.shape}")
    names = check_features(names)
    x1, x2 = x[:, 0], x[:, 1]
    return numpy.stack([_FUNCTIONS[n](x1, x2) for n in names], axis=1).astype(x.dtype)
