"""The data package's limits, in one place, and the checks that enforce them.

Generators and the CSV reader are reachable from the CLI and the web lab, so a typo such as
``n=10**9`` must fail with a message instead of exhausting memory.
"""

import math

MAX_SAMPLES = 1_000_000
"""Most rows a generator makes or a CSV file may hold."""

MAX_CLASSES = 256
"""Most classes a generator makes; also the most distinct integer targets a CSV column may
have and still be read as class labels rather than as a regression target."""

MAX_NOISE = 100.0
"""Largest noise standard deviation a generator accepts."""


def check_sample_count(n, minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an integer, got {n!r}")
    if not minimum <= n <= MAX_SAMPLES:
        raise ValueError(f"n must be between {minimum} and {MAX_SAMPLES}, got {n}")
    return n


def check_class_count(k) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"classes must be an integer, got {k!r}")
    if not 2 <= k <= MAX_CLASSES:
        raise ValueError(f"classes must be between 2 and {MAX_CLASSES}, got {k}")
    return k


def check_noise(noise) -> float:
    noise = float(noise)
    if not (math.isfinite(noise) and 0.0 <= noise <= MAX_NOISE):
        raise ValueError(f"noise must be between 0 and {MAX_NOISE}, got {noise}")
    return noise
