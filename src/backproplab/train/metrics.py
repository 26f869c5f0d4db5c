"""Metrics computed from model outputs and targets: accuracy, MSE, MAE, R².

They are plain functions of arrays (no graph), evaluated under ``no_grad`` at the end of each
epoch. Accuracy infers the task from the shapes: one output column is binary (threshold on
the output), several columns with integer targets is multi-class (argmax).
"""

import numpy

from backproplab.tensor import Tensor


def _arrays(output, target):
    return _array(output), _array(target)


def _array(x) -> numpy.ndarray:
    return x.array if isinstance(x, Tensor) else numpy.asarray(x)


def accuracy(output, target, threshold: float = 0.5) -> float:
    """Fraction correct. Binary: output > threshold (0.5 for probabilities, 0 for logits)."""
    out, tgt = _arrays(output, target)
    if out.ndim == 2 and out.shape[1] > 1:
        if tgt.ndim == 2 and tgt.shape[1] == out.shape[1]:
            tgt = tgt.argmax(axis=1)  # one-hot targets
        return float((out.argmax(axis=1) == tgt.reshape(-1)).mean())
    pred = (out.reshape(-1) > threshold).astype(numpy.int64)
    return float((pred == (tgt.reshape(-1) > 0.5)).mean())


def mse(output, target) -> float:
    out, tgt = _arrays(output, target)
    return float(((out.reshape(tgt.shape) - tgt) ** 2).mean())


def mae(output, target) -> float:
    out, tgt = _arrays(output, target)
    return float(numpy.abs(out.reshape(tgt.shape) - tgt).mean())


def r2(output, target) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot (1 is perfect; can be negative)."""
    out, tgt = _arrays(output, target)
    tgt64 = tgt.astype(numpy.float64)
    ss_res = ((out.reshape(tgt.shape) - tgt64) ** 2).sum()
    ss_tot = ((tgt64 - tgt64.mean(axis=0)) ** 2).sum()
    return float(1.0 - ss_res / ss_tot) if ss_tot > 0 else float("nan")


METRICS = {"accuracy": accuracy, "acc": accuracy, "mse": mse, "mae": mae, "r2": r2}


def resolve(metric):
    """A metric by name ('accuracy', 'mse', 'mae', 'r2') or a callable (output, target)."""
    if callable(metric):
        return getattr(metric, "__name__", "metric"), metric
    try:
        fn = METRICS[metric]
    except KeyError:
        raise ValueError(
            f"unknown metric {metric!r}; valid names: {', '.join(sorted(METRICS))}"
        ) from None
    return ("accuracy" if fn is accuracy else metric), fn
