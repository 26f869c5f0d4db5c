"""EarlyStopping: stop when a monitored value has not improved for ``patience`` epochs."""

import math

import numpy

from backproplab.creation import from_numpy
from backproplab.train.callback import Callback, TrainingState


class EarlyStopping(Callback):
    """Stop training when ``monitor`` stops improving by at least ``min_delta``.

    ``patience`` counts tolerated epochs, as PyTorch's ReduceLROnPlateau does: with
    ``patience=2`` two epochs without improvement are tolerated and the third stops training
    (Keras would stop on the second). ``monitor`` is 'val_loss' by default and falls back to
    'loss' when there is no validation data. With ``restore_best_weights`` the model ends
    with the weights of its best epoch.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 mode: str = "auto", restore_best_weights: bool = False):
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', not {mode!r}")
        self.monitor = monitor
        self.patience = patience
        self.min_delta = abs(min_delta)
        self.mode = mode
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, state: TrainingState) -> None:
        self.best = None
        self.best_epoch = None
        self.wait = 0
        self._best_state = None

    def _key(self, logs: dict) -> str:
        if self.monitor in logs:
            return self.monitor
        if self.monitor.startswith("val_") and self.monitor[4:] in logs:
            return self.monitor[4:]
        raise KeyError(f"EarlyStopping: '{self.monitor}' is not recorded; available: "
                       f"{', '.join(sorted(logs))}")

    def _improved(self, key: str, value: float) -> bool:
        maximize = self.mode == "max" or (self.mode == "auto" and ("acc" in key or "r2" in key))
        if self.best is None:
            return math.isfinite(value)
        if maximize:
            return value > self.best + self.min_delta
        return value < self.best - self.min_delta

    def on_epoch_end(self, state: TrainingState, logs: dict) -> None:
        key = self._key(logs)
        value = logs[key]
        if self._improved(key, value):
            self.best = value
            self.best_epoch = state.epoch
            self.wait = 0
            if self.restore_best_weights:
                self._best_state = {k: numpy.array(v.array, copy=True)
                                    for k, v in state.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait > self.patience:
            msg = (f"Early stopping at epoch {state.epoch}: {key} has not improved for "
                   f"{self.wait} epochs (best {self.best:.6g} at epoch {self.best_epoch})")
            if self.restore_best_weights and self._best_state is not None:
                msg += "; restored the best weights"
            state.request_stop("early_stop", msg)

    def on_train_end(self, state: TrainingState) -> None:
        """Training that ran out of epochs also ends on the best epoch's weights."""
        if self.restore_best_weights and self._best_state is not None:
            _restore(state.model, self._best_state)


def _restore(model, arrays: dict) -> None:
    model.load_state_dict({k: from_numpy(a.copy()) for k, a in arrays.items()})
