"""Divergence detection: stop on NaN/Inf or an exploding loss, and say what probably caused it.

The check runs right after backward and *before* the optimizer step, so when the loss turns
non-finite the model keeps its last finite weights; the diagnosis names epoch, step, the loss
value and the most likely cause (usually a learning rate that is too high).
"""

import math

from backproplab.train.callback import Callback, TrainingState

# Learning rates above these are "high" for the optimizer family (Adam-style vs SGD-style),
# and what to suggest instead.
_HIGH_LR = {"adaptive": 0.1, "sgd": 1.0}
_TYPICAL_LR = {"adaptive": "0.01 or lower (the usual range is 1e-4 to 1e-2)", "sgd": None}


class DivergenceDetector(Callback):
    """Stops when a step's loss is NaN/Inf, or an epoch's mean loss exceeds ``factor`` × the first.

    ``factor`` guards against losses that grow without bound but stay finite, which is what a
    too-large learning rate does to a network with bounded outputs.
    """

    def __init__(self, factor: float = 10.0, step_factor: float = 1e4):
        self.factor = factor
        self.step_factor = step_factor
        self._first = None

    def on_train_begin(self, state: TrainingState) -> None:
        self._first = None

    def on_after_backward(self, state: TrainingState, loss: float) -> None:
        if not math.isfinite(loss):
            state.request_stop("divergence", self._diagnose(state, "step", loss))
            return
        if self._first is None:
            self._first = abs(loss)
        elif self._first > 0 and loss > self.step_factor * self._first:
            state.request_stop("divergence", self._diagnose(state, "step", loss))

    def on_epoch_end(self, state: TrainingState, logs: dict) -> None:
        loss = logs.get("loss", float("nan"))
        if state.stop:
            return
        if not math.isfinite(loss) or (
            self._first and self._first > 0 and loss > self.factor * self._first
        ):
            state.request_stop("divergence", self._diagnose(state, "epoch", loss))

    def _diagnose(self, state: TrainingState, where: str, loss: float) -> str:
        if math.isnan(loss):
            what = "became NaN"
        elif math.isinf(loss):
            what = "became infinite"
        else:
            what = f"exploded to {loss:.4g} (it started at {self._first:.4g})"
        lr = state.lr
        family = "adaptive" if "betas" in state.optimizer.param_groups[0] or (
            "alpha" in state.optimizer.param_groups[0]
        ) else "sgd"
        if lr >= _HIGH_LR[family]:
            suggestion = _TYPICAL_LR[family] or f"{lr / 10:g} or lower"
            cause = (f"the learning rate {lr:g} is probably too high for "
                     f"{type(state.optimizer).__name__}; try {suggestion}")
        else:
            cause = ("the learning rate is moderate, so check the data for NaN/Inf or very "
                     "large values (standardise the features), or lower the learning rate")
        place = f"epoch {state.epoch}, step {state.step}" if where == "step" else (
            f"epoch {state.epoch}")
        return f"Training diverged at {place}: the training loss {what}. Likely cause: {cause}."
