"""``fit``: the training loop — the same explicit loop a user would write, with bookkeeping.

Per batch: ``zero_grad → forward → loss → backward → (callbacks see the gradients) → step``.
There is no second, hidden training path: the lab, the CLI and user scripts all train
through this function or through the identical loop written out by hand.
"""

import time

from backproplab.autograd.grad_mode import no_grad
from backproplab.creation import tensor
from backproplab.data import DataLoader, TensorDataset, random_split
from backproplab.tensor import Tensor
from backproplab.train import metrics as _metrics
from backproplab.train.callback import TrainingState
from backproplab.train.divergence import DivergenceDetector
from backproplab.train.history import History
from backproplab.train.names import make_loss, make_optimizer
from backproplab.train.progress import make_reporter
from backproplab.train.step import TrainStep


def fit(model, data, loss="mse", optimizer="adam", lr: float | None = None, epochs: int = 10,
        batch_size: int = 32, validation=None, validation_split: float = 0.0,
        metrics=(), callbacks=(), verbose: int = 1, shuffle: bool = True,
        record_steps: bool = False, detect_divergence: bool = True,
        generator=None, compile: bool | None = None) -> History:
    """Train ``model`` on ``data`` and return its History.

    ``data`` is a Dataset, a DataLoader, a tuple ``(inputs, targets)`` or, for autoencoders,
    the inputs alone (targets = inputs). ``loss`` and ``optimizer`` take names ('mse', 'bce',
    'bce_with_logits', 'cross_entropy', …; 'sgd', 'momentum', 'adam', …) or objects.
    Randomness (shuffling, the validation split) comes from ``generator`` or the library
    generator, so ``bp.manual_seed`` makes a run repeatable.
    Each step is captured and replayed with ``bp.compile`` (the same numbers, faster) unless
    it cannot be (a dropout mask, say): ``compile=None`` then trains eagerly, ``compile=True``
    raises CompileError, ``compile=False`` never compiles.
    """
    if epochs < 0:
        raise ValueError(f"fit: epochs must be >= 0, got {epochs}")
    if batch_size < 1:
        raise ValueError(f"fit: batch_size must be a positive integer, got {batch_size}")
    loader, val_set = _loaders(data, validation, validation_split, batch_size, shuffle,
                               generator)
    loss_fn = make_loss(loss)
    opt = make_optimizer(optimizer, model.parameters(), lr)
    threshold = 0.0 if type(loss_fn).__name__ == "BCEWithLogitsLoss" else 0.5
    metric_fns = [_metrics.resolve(m) for m in metrics]
    _check_compatible(model, loader, loss_fn)

    history = History()
    state = TrainingState(model, opt, history)
    step = TrainStep(model, loss_fn, opt, compile, keep_outputs=bool(metric_fns))
    cbs = list(callbacks)
    if detect_divergence and not any(isinstance(c, DivergenceDetector) for c in cbs):
        cbs.insert(0, DivergenceDetector())
    reporter = make_reporter(verbose)
    started = time.perf_counter()
    for cb in cbs:
        cb.on_train_begin(state)
    reporter.start(epochs, len(loader))
    try:
        for epoch in range(1, epochs + 1):
            state.epoch = epoch
            logs = _train_epoch(state, loader, step, cbs, metric_fns, threshold, record_steps,
                                reporter)
            if logs is None:
                break
            if val_set is not None:
                logs.update(evaluate(model, val_set, loss_fn, metric_fns, threshold,
                                     batch_size, prefix="val_"))
            _record(history, epoch, logs, state.lr)
            for cb in cbs:
                cb.on_epoch_end(state, logs)
            reporter.epoch_end(epoch, logs)
            if state.stop:
                break
    finally:
        reporter.close()
        history.wall_time = time.perf_counter() - started
    for cb in cbs:
        cb.on_train_end(state)
    if verbose and history.stop_reason:
        print(history.stop_reason, flush=True)
    return history


def _train_epoch(state, loader, step, cbs, metric_fns, threshold, record_steps, reporter):
    """One pass over the loader; returns the epoch's logs, or None if it stopped at once."""
    model, history = state.model, state.history
    model.train()
    for cb in cbs:
        cb.on_epoch_begin(state)
    total = 0.0
    count = 0
    outputs, targets = [], []
    for batch in loader:
        xb, yb = (batch[0], batch[1]) if len(batch) > 1 else (batch[0], batch[0])
        value, out = step.backward(xb, yb)
        state.step += 1
        for cb in cbs:
            cb.on_after_backward(state, value)
        if state.stop:
            break
        step.update()
        n = len(xb)
        total += value * n
        count += n
        if record_steps:
            history.step_loss.append(value)
        if metric_fns:
            outputs.append(out.array)
            targets.append(yb.array)
        for cb in cbs:
            cb.on_step_end(state, value)
        reporter.step(value)
    if count == 0:
        return None
    logs = {"loss": total / count}
    if metric_fns:
        import numpy

        out_all, tgt_all = numpy.concatenate(outputs), numpy.concatenate(targets)
        for name, fn in metric_fns:
            logs[name] = _call_metric(fn, out_all, tgt_all, threshold)
    return logs


def evaluate(model, dataset, loss_fn, metric_fns=(), threshold: float = 0.5,
             batch_size: int = 1024, prefix: str = "") -> dict:
    """Mean loss and metrics of ``model`` on ``dataset`` in eval mode, without a graph."""
    import numpy

    was_training = getattr(model, "training", False)
    model.eval()
    loader = DataLoader(dataset, batch_size=max(batch_size, 1024), shuffle=False)
    total, count, outputs, targets = 0.0, 0, [], []
    with no_grad():
        for batch in loader:
            xb, yb = (batch[0], batch[1]) if len(batch) > 1 else (batch[0], batch[0])
            out = model(xb)
            total += loss_fn(out, yb).item() * len(xb)
            count += len(xb)
            outputs.append(out.array)
            targets.append(yb.array)
    if was_training:
        model.train()
    logs = {prefix + "loss": total / max(count, 1)}
    if metric_fns and count:
        out_all, tgt_all = numpy.concatenate(outputs), numpy.concatenate(targets)
        for name, fn in metric_fns:
            logs[prefix + name] = _call_metric(fn, out_all, tgt_all, threshold)
    return logs


def _call_metric(fn, out, tgt, threshold: float) -> float:
    if fn is _metrics.accuracy:
        return fn(out, tgt, threshold)
    return float(fn(out, tgt))


def _record(history: History, epoch: int, logs: dict, lr: float) -> None:
    history.epochs.append(epoch)
    history.train_loss.append(logs["loss"])
    if "val_loss" in logs:
        history.val_loss.append(logs["val_loss"])
    for k, v in logs.items():
        if k not in ("loss", "val_loss"):
            history.record(k, v)
    history.learning_rates.append(lr)


def as_dataset(data):
    """A Dataset from a Dataset, ``(inputs, targets)`` or inputs alone."""
    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and not isinstance(
        data, (tuple, list, Tensor)
    ) and not hasattr(data, "shape"):
        return data
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return TensorDataset(_as_tensor(data[0]), _as_tensor(data[1]))
    return TensorDataset(_as_tensor(data))


def _as_tensor(x) -> Tensor:
    if isinstance(x, Tensor):
        return x
    t = tensor(x)
    return t.float() if t.dtype.kind == "f" else t


def _loaders(data, validation, validation_split, batch_size, shuffle, generator):
    if isinstance(data, DataLoader):
        if validation_split:
            raise ValueError("fit: validation_split needs a dataset, not a DataLoader; "
                             "pass validation= instead")
        return data, None if validation is None else as_dataset(validation)
    train_set = as_dataset(data)
    val_set = None if validation is None else as_dataset(validation)
    if validation_split:
        if val_set is not None:
            raise ValueError("fit: give validation= or validation_split=, not both")
        if not 0.0 < validation_split < 1.0:
            raise ValueError(f"fit: validation_split must be between 0 and 1, got "
                             f"{validation_split}")
        n_val = max(1, round(len(train_set) * validation_split))
        if n_val >= len(train_set):
            raise ValueError(f"fit: validation_split {validation_split} leaves no training data "
                             f"out of {len(train_set)} samples")
        train_set, val_set = random_split(train_set, [len(train_set) - n_val, n_val],
                                          generator=generator)
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=shuffle, generator=generator)
    return loader, val_set


def _check_compatible(model, loader, loss_fn) -> None:
    """Explain a data/model size mismatch before training, naming both shapes.

    The first batch is read in order, so the check draws nothing from the shuffling generator
    and a run split into two ``fit`` calls shuffles like one.
    """
    batch = next(iter(DataLoader(loader.dataset, batch_size=loader.batch_size)), None)
    if batch is None:
        raise ValueError("fit: the training data is empty")
    xb, yb = (batch[0], batch[1]) if len(batch) > 1 else (batch[0], batch[0])
    with no_grad():
        try:
            out = model(xb)
        except (RuntimeError, ValueError) as e:
            raise ValueError(
                f"fit: the model cannot take the training inputs of shape {tuple(xb.shape)} "
                f"({xb.shape[-1]} features per sample): {e}"
            ) from None
        try:
            loss_fn(out, yb)
        except (RuntimeError, ValueError, TypeError, IndexError) as e:
            raise ValueError(
                f"fit: the model's output of shape {tuple(out.shape)} does not fit the targets "
                f"of shape {tuple(yb.shape)} for {type(loss_fn).__name__}: {e}"
            ) from None
