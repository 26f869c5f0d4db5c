"""``default_collate``: stack a list of dataset items into one batch.

Used for datasets without a ``get_batch`` fast path. Tuples stay tuples, tensors and arrays
are stacked along a new first axis, Python floats become the default float dtype.
"""

import numpy

from backproplab import dtypes
from backproplab.tensor import Tensor


def default_collate(samples: list):
    first = samples[0]
    if isinstance(first, tuple | list):
        if any(len(s) != len(first) for s in samples):
            raise ValueError("cannot batch dataset items of different lengths")
        return tuple(default_collate([s[j] for s in samples]) for j in range(len(first)))
    if isinstance(first, Tensor):
        stacked = numpy.stack([s.data for s in samples])
    else:
        stacked = numpy.asarray(samples)
        if isinstance(first, float):
            stacked = stacked.astype(dtypes.get_default_dtype())
    return Tensor._make(stacked, False, None)
