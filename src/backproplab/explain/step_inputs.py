"""Inputs and targets of a traced step, shaped the way the model and the loss expect them.

A single sample may be given as a flat list (``[0.05, 0.10]``); it becomes a batch of one, and
its target follows (``[0.01, 0.99]`` → shape (1, 2)). Class-index targets (cross-entropy) stay
integers of shape (batch,).
"""

import numpy

from backproplab import nn
from backproplab.explain.limits import MAX_BATCH
from backproplab.tensor import Tensor

_CLASS_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss)


def model_dtype(model):
    for p in model.parameters():
        return p.array.dtype
    return numpy.dtype(numpy.float32)


def as_batch(model, x) -> Tensor:
    data = numpy.asarray(x.array if isinstance(x, Tensor) else x, dtype=model_dtype(model))
    if data.ndim == 1:
        data = data[None, :]
    if data.ndim != 2:
        raise ValueError(f"explain: input must be one sample (in_features,) or a batch "
                         f"(batch, in_features), got shape {data.shape}")
    if data.shape[0] > MAX_BATCH:
        raise ValueError(f"explain: a traced step takes at most {MAX_BATCH} samples, "
                         f"got {data.shape[0]}")
    return Tensor(data)


def as_target(target, output: Tensor, loss_fn) -> Tensor:
    """The target as the loss wants it next to ``output`` of shape (batch, outputs)."""
    data = numpy.asarray(target.array if isinstance(target, Tensor) else target)
    if isinstance(loss_fn, _CLASS_LOSSES):
        return Tensor(data.astype(numpy.int64).reshape(-1))
    data = data.astype(output.array.dtype)
    if data.size == output.array.size:
        data = data.reshape(output.array.shape)
    return Tensor(data)
