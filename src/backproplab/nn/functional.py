"""Functional forms: activations and losses as plain functions of tensors (``bp.nn.functional``).

Names and arguments follow ``torch.nn.functional``. Losses check their shapes first and say
what is wrong in terms of both shapes, because a silently broadcast loss is the most common
beginner bug.
"""



from backproplab import backend
from backproplab import random as _random
from backproplab.ops import activations as _act
from backproplab.ops import arithmetic as _arith
from backproplab.ops import indexing as _index
from backproplab.ops import losses as _losses
from backproplab.ops import matmul as _matmul
from backproplab.ops import softmax as _softmax
from backproplab.ops import transcendental as _trans
from backproplab.ops.operands import operand
from backproplab.tensor import Tensor

relu = _act.relu
sigmoid = _act.sigmoid
tanh = _act.tanh
leaky_relu = _act.leaky_relu
elu = _act.elu
gelu = _act.gelu
softplus = _act.softplus
softmax = _softmax.softmax
log_softmax = _softmax.log_softmax
linear = _matmul.linear


def dropout(x: Tensor, p: float = 0.5, training: bool = True, generator=None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (training only)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability must be between 0 and 1, got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    rng = _random.default_generator() if generator is None else generator
    keep = (rng.random(x.shape) >= p).astype(x.dtype) / (1.0 - p)
    return x * Tensor._make(backend.to_device_type(keep, x.device.type), False, None)


def _target(target, like: Tensor) -> Tensor:
    if isinstance(target, Tensor) and target.array.dtype.kind == "f":
        return target  # the usual case, on every training step
    t = operand(target)
    if not isinstance(t, Tensor):
        t = Tensor(t)
    if t.array.dtype.kind in "biu" and like.array.dtype.kind == "f":
        t = t.to(like.dtype)
    return t


def _same_shape(input: Tensor, target: Tensor, op: str) -> None:
    if input.array.shape != target.array.shape:
        raise ValueError(
            f"{op}: input shape {tuple(input.shape)} and target shape {tuple(target.shape)} "
            "differ; reshape one of them (for example target.reshape(-1, 1) for one output)"
        )


def mse_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """Mean squared error: mean of (input - target)²."""
    target = _target(target, input)
    _same_shape(input, target, "mse_loss")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"mse_loss: reduction must be 'mean', 'sum' or 'none', not {reduction!r}")
    return _losses.MSELoss.apply(input, target, reduction)


def l1_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    target = _target(target, input)
    _same_shape(input, target, "l1_loss")
    return _losses.reduce(_arith.abs(input - target), reduction, "l1_loss")


def huber_loss(input: Tensor, target, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """½d² where |d| < delta, delta·(|d| - ½delta) elsewhere (d = input - target)."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    target = _target(target, input)
    _same_shape(input, target, "huber_loss")
    d = input - target
    a = _arith.abs(d)
    quadratic = 0.5 * d * d
    linear_part = delta * (a - 0.5 * delta)
    from backproplab.ops import selection

    return _losses.reduce(selection.where(a < delta, quadratic, linear_part), reduction,
                          "huber_loss")


def binary_cross_entropy(input: Tensor, target, weight=None, reduction: str = "mean") -> Tensor:
    """BCE on probabilities in [0, 1] (after a sigmoid); logs are clamped at -100 as in PyTorch."""
    target = _target(target, input)
    _same_shape(input, target, "binary_cross_entropy")
    p = input.array
    if p.size and (backend.xp.nanmin(p) < 0 or backend.xp.nanmax(p) > 1):
        raise ValueError(
            f"binary_cross_entropy: input values must be probabilities in [0, 1], got values from "
            f"{float(backend.xp.nanmin(p)):.4g} to {float(backend.xp.nanmax(p)):.4g}; for raw "
            "scores (logits) use "
            "binary_cross_entropy_with_logits"
        )
    loss = _losses.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _losses.reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target, weight=None,
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """BCE on raw scores x: t·softplus(-x) + (1-t)·softplus(x), stable for any x."""
    target = _target(target, input)
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError("binary_cross_entropy_with_logits: reduction must be 'mean', 'sum' or "
                         f"'none', not {reduction!r}")
    if pos_weight is not None and not isinstance(pos_weight, Tensor):
        pos_weight = Tensor._make(backend.xp.asarray(pos_weight, dtype=input.dtype), False, None)
    if weight is None:
        return _losses.BCEWithLogits.apply(input, target, pos_weight, reduction)
    loss = _losses.BCEWithLogits.apply(input, target, pos_weight, "none") * weight
    return _losses.reduce(loss, reduction, "binary_cross_entropy_with_logits")


def _class_targets(input: Tensor, target, op: str):
    t = operand(target)
    t = t.array if isinstance(t, Tensor) else backend.xp.asarray(t)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold class indices (integers), not {t.dtype}")
    if input.ndim not in (1, 2):
        raise ValueError(f"{op}: input must be (N, C) or (C,), got shape {tuple(input.shape)}")
    if input.ndim == 2 and t.shape != (input.shape[0],):
        raise ValueError(
            f"{op}: input shape {tuple(input.shape)} needs target shape ({input.shape[0]},) "
            f"of class indices, got {tuple(t.shape)}"
        )
    if input.ndim == 1 and t.size != 1:
        raise ValueError(
            f"{op}: input shape {tuple(input.shape)} needs a single class index as target, "
            f"got shape {tuple(t.shape)}"
        )
    return t


def _in_range(t, n_classes: int, ignore_index: int, op: str):
    """Flat class indices with ignored ones set to class 0, and the mask of those not ignored."""
    t = t.reshape(-1).astype("int64", copy=False)
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(
            f"{op}: target {int(t[bad][0])} is out of bounds for {n_classes} classes "
            f"(valid: 0 to {n_classes - 1})"
        )
    return backend.xp.where(valid, t, 0), valid


def nll_loss(input: Tensor, target, weight=None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of the target class, given log-probabilities (N, C)."""
    t = _class_targets(input, target, "nll_loss")
    batched = input.ndim == 2
    logp = input if batched else input.unsqueeze(0)
    n_classes = logp.shape[1]
    safe, valid = _in_range(t, n_classes, ignore_index, "nll_loss")
    picked = _index.gather(logp, 1, Tensor._make(safe[:, None], False, None))[:, 0]
    w = backend.xp.ones(n_classes, dtype=input.dtype) if weight is None else _array(weight, input)
    wt = Tensor._make((w[safe] * valid).astype(input.dtype, copy=False), False, None)
    loss = -(picked * wt)
    if reduction == "mean":
        return loss.sum() / float(wt.array.sum())
    out = _losses.reduce(loss, reduction, "nll_loss")
    return out if batched or reduction != "none" else out[0]


def cross_entropy(input: Tensor, target, weight=None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy from raw scores (N, C) and class indices (N,), stable for any scores.

    With label smoothing ε the target distribution is (1-ε)·one-hot + ε/C, as in PyTorch.
    """
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"cross_entropy: reduction must be 'mean', 'sum' or 'none', not {reduction!r}")
    t = _class_targets(input, target, "cross_entropy")
    safe, valid = _in_range(t, input.shape[-1], ignore_index, "cross_entropy")
    input = _arith._float(input)
    w = None if weight is None else _array(weight, input)
    return _losses.CrossEntropy.apply(input, safe, valid, w, float(label_smoothing), reduction)


def _array(x, like: Tensor):
    x = x.array if isinstance(x, Tensor) else backend.xp.asarray(x)
    return x.astype(like.dtype, copy=False)


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """(…,) class indices → (…, num_classes) int64 rows of zeros with a 1 at each index.

    ``num_classes=-1`` takes one more than the largest index, as in PyTorch.
    """
    t = operand(tensor)
    t = t.array if isinstance(t, Tensor) else backend.xp.asarray(t)
    if t.dtype.kind not in "iu":
        raise TypeError(f"one_hot: only integer class indices can be one-hot encoded, "
                        f"not {t.dtype}")
    if num_classes == -1:
        if t.size == 0:
            raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; "
                             "pass num_classes")
        num_classes = int(t.max()) + 1
    if t.size and (t.min() < 0 or t.max() >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes}), got values from "
                         f"{int(t.min())} to {int(t.max())}")
    out = (t[..., None] == backend.xp.arange(num_classes)).astype(backend.xp.int64)
    return Tensor._make(out, False, None)


def embedding(input, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows ``weight[input]``; the row at ``padding_idx`` gets no gradient."""
    index = operand(input)
    index = index.array if isinstance(index, Tensor) else backend.xp.asarray(index)
    if index.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, not {index.dtype}")
    rows = weight.shape[0]
    if index.size and (index.min() < 0 or index.max() >= rows):
        bad = int(index.min()) if index.min() < 0 else int(index.max())
        raise IndexError(f"embedding: index {bad} is out of range for a table of {rows} rows")
    out = _index.getitem(weight, index)
    if padding_idx is None:
        return out
    from backproplab.ops import selection

    pad = Tensor._make((index == padding_idx)[..., None], False, None)
    return selection.where(pad, out.detach(), out)


def _check_norm_input(input: Tensor, op: str) -> None:
    if input.array.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, not {input.dtype}")


def batch_norm_layout(input: Tensor, training: bool) -> tuple[tuple, tuple, int]:
    """(reduced dims, per-channel stats shape, values per channel), refusing what batch norm
    cannot normalise: checked before any running statistic moves."""
    _check_norm_input(input, "batch_norm")
    if input.ndim not in (2, 3):
        raise ValueError(f"batch_norm: expected (N, C) or (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")
    dims = (0,) if input.ndim == 2 else (0, 2)
    shape = (1, input.shape[1]) + ((1,) if input.ndim == 3 else ())
    n = input.array.size // input.shape[1]
    if training and n <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                         f"training, got input of shape {tuple(input.shape)}")
    return dims, shape, n


def batch_norm(input: Tensor, running_mean, running_var, weight=None, bias=None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) of (N, C) or (N, C, L) input to mean 0, variance 1.

    Training uses the batch's statistics (the biased variance, as PyTorch) and moves the
    running ones towards them by ``momentum``, with the unbiased variance; eval uses the
    running statistics. Composed of primitive ops, so its gradient is exact autograd.
    """
    dims, shape, n = batch_norm_layout(input, training)
    if training:
        mean = input.mean(dims, keepdim=True)
        var = input.var(dims, keepdim=True, correction=0)
        if running_mean is not None:
            batch_mean = mean.array.reshape(-1)
            running_mean.array[...] = (1 - momentum) * running_mean.array + momentum * batch_mean
        if running_var is not None:
            unbiased = var.array.reshape(-1) * (n / (n - 1))
            running_var.array[...] = (1 - momentum) * running_var.array + momentum * unbiased
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: eval mode needs running_mean and running_var "
                             "(or training=True)")
        mean = running_mean.detach().reshape(shape)
        var = running_var.detach().reshape(shape)
    out = (input - mean) / _trans.sqrt(var + eps)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims of each sample (biased variance)."""
    _check_norm_input(input, "layer_norm")
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(input.shape[-k:]) != normalized_shape:
        raise ValueError(f"layer_norm: normalized_shape {list(normalized_shape)} must be the "
                         f"last dims of the input, whose shape is {tuple(input.shape)}")
    dims = tuple(range(input.ndim - k, input.ndim))
    mean = input.mean(dims, keepdim=True)
    var = input.var(dims, keepdim=True, correction=0)
    out = (input - mean) / _trans.sqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out
