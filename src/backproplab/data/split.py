"""``random_split``: divide a dataset into disjoint random subsets (train/validation/test).

Lengths are row counts that sum to ``len(dataset)``, or fractions that sum to 1; fractions are
floored and the leftover rows go one each to the first subsets, as in PyTorch.
"""

import math

from backproplab.data.dataset import Subset
from backproplab.data.sampling import generator_for


def _counts(lengths: list, n: int) -> list[int]:
    if all(isinstance(x, int) and not isinstance(x, bool) for x in lengths):
        if any(x < 0 for x in lengths) or sum(lengths) != n:
            raise ValueError(f"lengths {lengths} must be non-negative and sum to the dataset "
                             f"length {n}")
        return list(lengths)
    fractions = [float(x) for x in lengths]
    if any(not 0.0 <= f <= 1.0 for f in fractions) or not math.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions {lengths} must each be in [0, 1] and sum to 1")
    counts = [math.floor(f * n) for f in fractions]
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def random_split(dataset, lengths, generator=None) -> list[Subset]:
    """Disjoint ``Subset``s of ``dataset`` covering every row once, in a random order."""
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split needs at least one length")
    n = len(dataset)
    order = generator_for(generator).permutation(n)
    subsets, start = [], 0
    for count in _counts(lengths, n):
        subsets.append(Subset(dataset, order[start:start + count]))
        start += count
    return subsets
