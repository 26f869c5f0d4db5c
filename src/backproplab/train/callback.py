"""The callback protocol and the run state callbacks see.

``fit`` calls each hook at a fixed point of the loop; a callback stops training by calling
``state.request_stop(kind, message)``, which also records the reason as an event.
"""

from dataclasses import dataclass

from backproplab.train.history import Event, History


@dataclass
class TrainingState:
    """What a callback may read (and, for ``stop``, change) while ``fit`` runs."""

    model: object
    optimizer: object
    history: History
    epoch: int = 0
    step: int = 0  # steps taken so far, over all epochs
    stop: bool = False

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def request_stop(self, kind: str, message: str) -> None:
        self.stop = True
        self.history.stop_reason = message
        self.history.events.append(Event(kind, self.epoch, self.step, message))


class Callback:
    """Base class: override the hooks you need; each gets the TrainingState."""

    def on_train_begin(self, state: TrainingState) -> None:
        pass

    def on_epoch_begin(self, state: TrainingState) -> None:
        pass

    def on_after_backward(self, state: TrainingState, loss: float) -> None:
        """Gradients are in ``.grad``; the optimizer has not stepped yet."""

    def on_step_end(self, state: TrainingState, loss: float) -> None:
        pass

    def on_epoch_end(self, state: TrainingState, logs: dict) -> None:
        """``logs`` holds this epoch's 'loss', 'val_loss' (if any) and metrics."""

    def on_train_end(self, state: TrainingState) -> None:
        pass
