"""``default_collate`` / ``default_convert``: turn a list of dataset items into one batch.

The rules are ``torch.utils.data.default_collate``'s, so a batch has the same structure and
dtypes in both libraries: tensors and arrays are stacked along a new first axis, Python floats
become float64 and ints int64 (as ``torch.tensor`` would make them), bools bool, strings stay
a list, dicts and namedtuples are collated field by field, and a tuple or list of fields
becomes a list of batched fields.
"""

import numbers

import numpy

from backproplab.tensor import Tensor


def _tensor(array) -> Tensor:
    return Tensor._make(array, False, None)


def default_collate(samples: list):
    first = samples[0]
    if isinstance(first, Tensor):
        return _tensor(numpy.stack([s.array for s in samples]))
    if isinstance(first, numpy.ndarray | numpy.generic):
        if first.dtype.kind in "OSU":
            raise TypeError(f"default_collate: cannot batch arrays of dtype {first.dtype}")
        return _tensor(numpy.stack([numpy.asarray(s) for s in samples]))
    if isinstance(first, bool):
        return _tensor(numpy.array(samples, dtype=numpy.bool_))
    if isinstance(first, numbers.Integral):
        return _tensor(numpy.array(samples, dtype=numpy.int64))
    if isinstance(first, numbers.Real):
        return _tensor(numpy.array(samples, dtype=numpy.float64))
    if isinstance(first, str | bytes):
        return list(samples)
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple
        return type(first)(*(default_collate(list(field)) for field in zip(*samples,
                                                                           strict=True)))
    if isinstance(first, tuple | list):
        if any(len(s) != len(first) for s in samples):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(field)) for field in zip(*samples, strict=True)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(first).__name__}")


def default_convert(item):
    """What ``batch_size=None`` yields: arrays become tensors, containers are walked."""
    if isinstance(item, numpy.ndarray) and item.dtype.kind not in "OSU":
        return _tensor(item)
    if isinstance(item, dict):
        return {k: default_convert(v) for k, v in item.items()}
    if isinstance(item, tuple) and hasattr(item, "_fields"):
        return type(item)(*(default_convert(v) for v in item))
    if isinstance(item, tuple):
        return [default_convert(v) for v in item]
    if isinstance(item, list):
        return [default_convert(v) for v in item]
    return item
