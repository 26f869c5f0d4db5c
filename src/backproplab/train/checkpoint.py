"""ModelCheckpoint: save the model (safetensors) whenever the monitored value improves."""

import math

from backproplab.train.callback import Callback, TrainingState


class ModelCheckpoint(Callback):
    """Write ``path`` after each epoch, or only when ``monitor`` improves (``save_best_only``)."""

    def __init__(self, path, monitor: str = "val_loss", save_best_only: bool = True,
                 mode: str = "min"):
        if mode not in ("min", "max"):
            raise ValueError(f"ModelCheckpoint: mode must be 'min' or 'max', not {mode!r}")
        self.path = path
        self.monitor = monitor
        self.save_best_only = save_best_only
        self.mode = mode
        self.best = None

    def on_train_begin(self, state: TrainingState) -> None:
        self.best = None

    def on_epoch_end(self, state: TrainingState, logs: dict) -> None:
        from backproplab.serialization import save

        key = self.monitor if self.monitor in logs else self.monitor.removeprefix("val_")
        value = logs.get(key)
        if self.save_best_only:
            if value is None or not math.isfinite(value):
                return
            better = self.best is None or (
                value < self.best if self.mode == "min" else value > self.best
            )
            if not better:
                return
            self.best = value
        save(state.model, self.path, metadata={"epoch": str(state.epoch),
                                               key: f"{value!r}"})
