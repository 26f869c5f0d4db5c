"""Steps a learning-rate scheduler once per epoch and records each change as an event."""

from backproplab.train.callback import Callback, TrainingState
from backproplab.train.history import Event


class LearningRateScheduler(Callback):
    """Calls ``scheduler.step()`` after every epoch (``step(metric)`` for ReduceLROnPlateau)."""

    def __init__(self, scheduler, monitor: str = "val_loss"):
        self.scheduler = scheduler
        self.monitor = monitor

    def on_epoch_end(self, state: TrainingState, logs: dict) -> None:
        before = state.lr
        if type(self.scheduler).__name__ == "ReduceLROnPlateau":
            key = self.monitor if self.monitor in logs else self.monitor.removeprefix("val_")
            self.scheduler.step(logs[key])
        else:
            self.scheduler.step()
        after = state.lr
        if after != before:
            state.history.events.append(Event(
                "lr", state.epoch, state.step, f"learning rate {before:g} -> {after:g}"))
