"""Plateau detection: say when the loss has stopped falling while it is still poor.

A network stuck on a plateau or in a local minimum (XOR on a 2-2-1 network from an unlucky
start) keeps training without complaint: its loss creeps along at a bad value for thousands
of epochs. ``PlateauDetector`` notices and says what to do. Unlike ``DivergenceDetector`` it
does not stop training by default: a plateau can end by itself, and the message clears when
the loss falls again.
"""

import math
from collections import deque

from backproplab.train.callback import Callback, TrainingState
from backproplab.train.history import Event

REINITIALISE = "Re-initialise to try another start."


class PlateauDetector(Callback):
    """Flags a plateau when, over the last ``patience`` epochs, the monitored loss fell by
    less than ``min_delta`` of its value (relative) while staying above ``poor``.

    ``poor`` is the loss that counts as "not learned"; ``poor_fraction`` sets it instead to
    that fraction of the first epoch's loss (what an untrained network scores). With neither,
    every flat loss is a plateau. ``remedy`` ends the message: what to try (re-initialising
    by default; a network whose activation is the cause needs another). The diagnosis is in
    ``message`` (None while there is none) and, once per plateau, an event ``"plateau"`` in
    the history; with ``stop=True`` training also stops there.
    """

    def __init__(self, patience: int = 200, min_delta: float = 0.01, poor: float | None = None,
                 poor_fraction: float | None = None, monitor: str = "loss", stop: bool = False,
                 remedy: str = REINITIALISE):
        if patience < 1:
            raise ValueError(f"PlateauDetector: patience must be >= 1, got {patience}")
        if not 0 < min_delta < 1:
            raise ValueError(f"PlateauDetector: min_delta is a fraction in (0, 1), "
                             f"got {min_delta}")
        if poor is not None and poor_fraction is not None:
            raise ValueError("PlateauDetector: give poor or poor_fraction, not both")
        self.patience = patience
        self.min_delta = min_delta
        self.poor = poor
        self.poor_fraction = poor_fraction
        self.monitor = monitor
        self.stop = stop
        self.remedy = remedy
        self.message: str | None = None
        self._since: int | None = None
        """The epoch the plateau began (``patience`` epochs before it was noticed)."""
        self._losses: deque = deque(maxlen=patience + 1)

    def on_train_begin(self, state: TrainingState) -> None:
        self.message = None
        self._since: int | None = None
        self._losses.clear()
        if self.poor_fraction is not None:
            self.poor = None

    def on_epoch_end(self, state: TrainingState, logs: dict) -> None:
        loss = logs.get(self.monitor)
        if loss is None or not math.isfinite(loss):
            return
        if self.poor_fraction is not None and self.poor is None:
            self.poor = self.poor_fraction * float(loss)
        self._losses.append(float(loss))
        if not self._flat(float(loss)):
            self.message, self._since = None, None
            return
        first = self._since is None
        if first:
            self._since = state.epoch - self.patience
        self.message = (f"The loss has stayed near {loss:.3g} for {state.epoch - self._since} "
                        f"epochs: stuck on a plateau / in a local minimum. {self.remedy}")
        if first:
            if self.stop:
                state.request_stop("plateau", self.message)
            else:
                state.history.events.append(Event("plateau", state.epoch, state.step,
                                                  self.message))

    def _flat(self, loss: float) -> bool:
        if len(self._losses) <= self.patience:
            return False
        if self.poor is not None and loss <= self.poor:
            return False
        before = self._losses[0]
        return before - loss < self.min_delta * before
