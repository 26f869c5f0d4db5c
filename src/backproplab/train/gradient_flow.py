"""GradientFlowRecorder: per-layer gradient norm per epoch, the picture of vanishing gradients.

After every backward it adds up, per layer (the module that owns the parameters), the L2 norm
of that layer's gradient; at the end of the epoch it records the mean over the epoch's steps
in ``history.gradient_norms[layer]``.
"""

import math

from backproplab.train.callback import Callback, TrainingState


def layer_name(param_name: str) -> str:
    """'2.weight' -> '2', 'encoder.0.bias' -> 'encoder.0'."""
    return param_name.rpartition(".")[0] or param_name


class GradientFlowRecorder(Callback):
    def on_train_begin(self, state: TrainingState) -> None:
        self._sums = {}
        self._steps = 0

    def on_after_backward(self, state: TrainingState, loss: float) -> None:
        squares = {}
        for name, p in state.model.named_parameters():
            if p.grad is None:
                continue
            g = p.grad.array
            key = layer_name(name)
            squares[key] = squares.get(key, 0.0) + float((g * g).sum())
        for key, sq in squares.items():
            self._sums[key] = self._sums.get(key, 0.0) + math.sqrt(sq)
        self._steps += 1

    def on_epoch_end(self, state: TrainingState, logs: dict) -> None:
        for key, total in self._sums.items():
            state.history.gradient_norms.setdefault(key, []).append(total / max(self._steps, 1))
        self._sums = {}
        self._steps = 0
