"""One forward and backward pass kept for explaining, leaving the model as it was found.

The model's parameters, their ``.grad`` and the optimizer's state are saved first and put back
afterwards (unless the caller keeps the step), because explaining a step should not change the
model being explained.
"""

from dataclasses import dataclass

import numpy

from backproplab.explain.graph import retain_grads
from backproplab.explain.mlp_layers import MLPLayer, mlp_layers
from backproplab.explain.recorded_forward import LayerRecord, record_forward
from backproplab.explain.step_inputs import as_batch, as_target
from backproplab.tensor import Tensor


@dataclass
class BackwardPass:
    x: Tensor
    target: Tensor
    output: Tensor  # the model's output, its gradient retained
    loss: Tensor
    layers: list[MLPLayer] | None  # None: not an MLP, explained op by op
    records: list[LayerRecord] | None
    grads: dict  # parameter name -> copy of param.grad after backward (None if unused)


def run_backward(model, x, target, loss_fn) -> BackwardPass:
    """Forward, loss and ``loss.backward()`` with intermediate gradients retained. Leaves the
    new gradients in ``param.grad``; wrap in :class:`ModelSnapshot` to undo that."""
    x = as_batch(model, x)
    layers = mlp_layers(model)
    records = None
    if layers is not None:
        try:
            records = record_forward(layers, x)
        except ValueError:
            layers = None
    output = records[-1].out if records else model(x)
    output.retain_grad()
    target = as_target(target, output, loss_fn)
    loss = loss_fn(output, target)
    if loss.numel() != 1:
        raise ValueError("explain: the loss must be a single number; use reduction='mean' or "
                         "'sum'")
    if records is None:
        retain_grads(loss)
    for p in model.parameters():
        p.grad = None
    loss.backward()
    grads = {n: None if p.grad is None else p.grad.array.copy()
             for n, p in model.named_parameters()}
    return BackwardPass(x, target, output, loss, layers, records, grads)


class ModelSnapshot:
    """``with ModelSnapshot(model, optimizer):`` restores parameters, grads and optimizer state
    on exit, unless ``keep()`` was called."""

    def __init__(self, model, optimizer=None):
        self.params = list(model.parameters())
        self.optimizer = optimizer
        self._kept = False

    def keep(self) -> None:
        self._kept = True

    def __enter__(self):
        self._data = [p.array.copy() for p in self.params]
        self._grads = [p.grad for p in self.params]
        self._state = None if self.optimizer is None else self.optimizer.state_dict()
        return self

    def __exit__(self, *exc) -> None:
        if self._kept and exc[0] is None:
            return
        for p, data, grad in zip(self.params, self._data, self._grads, strict=True):
            numpy.copyto(p.array, data)
            p.grad = grad
        if self._state is not None:
            self.optimizer.load_state_dict(self._state)
