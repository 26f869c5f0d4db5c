"""``Optimizer``: the base of every update rule, with PyTorch's param groups and state.

Updates work on the parameters' arrays in place (through ``backend``, so on any device; no
graph, no temporary tensors), and each update bumps the parameter's version counter, so
backward through a graph built before the step raises instead of silently using the new
values, as in PyTorch.

``state_dict()`` is plain data (numbers, lists and NumPy arrays; parameters are referred to by
their position), so it can be saved as JSON or safetensors without pickle.
"""

from typing import ClassVar

from backproplab import backend
from backproplab.autograd.function import bump_version
from backproplab.autograd.grad_mode import enable_grad
from backproplab.tensor import Tensor


class Optimizer:
    """Subclasses give ``defaults`` (hyperparameters) and implement ``_update``."""

    # called with the optimizer before each step (bp.compile's trace)
    _step_observers: ClassVar[list] = []

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.state = {}  # parameter -> its per-parameter state (moments, step count, …)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of tensors or of dicts, not a single "
                            "Tensor; pass model.parameters() or [tensor]")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        """Add parameters with their own hyperparameters (missing ones come from defaults)."""
        group = dict(group)
        params = group.get("params")
        params = [params] if isinstance(params, Tensor) else list(params or [])
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (one computed by an op); "
                                 "optimize the leaves it was computed from")
            if id(p) in seen:
                raise ValueError("some parameters appear in more than one parameter group")
            seen.add(id(p))
        group["params"] = params
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last backward (they accumulate otherwise)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad = Tensor._make(backend.xp.zeros_like(p.grad.array), False, None)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given."""
        for observe in Optimizer._step_observers:
            observe(self)
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = self._init_state(p.array, group)
                self._update(p.array, p.grad.array, state, group)
                bump_version(p)  # graphs that saved the old values must not backward silently
        return loss

    def _init_state(self, param, group: dict) -> dict:
        return {}

    def _update(self, param, grad, state: dict, group: dict) -> None:
        """Change ``param`` in place from ``grad``; ``state`` persists between steps."""
        raise NotImplementedError

    # ----- saving and resuming ------------------------------------------------------------------
    def _all_params(self) -> list:
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self) -> dict:
        """{"state": {index: {name: array or number}}, "param_groups": [{…, "params": [index]}]}.

        Arrays are copies, so later steps do not change a saved state.
        """
        index = {id(p): i for i, p in enumerate(self._all_params())}
        state = {
            index[id(p)]: {k: v.copy() if backend.is_array(v) else v
                           for k, v in s.items()}
            for p, s in self.state.items()
        }
        groups = [{**{k: v for k, v in g.items() if k != "params"},
                   "params": [index[id(p)] for p in g["params"]]} for g in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Resume from ``state_dict()`` output (also after a JSON round trip: string keys and
        nested lists are accepted). Hyperparameters are taken from the saved groups."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        for i, (saved, own) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if len(saved["params"]) != len(own["params"]):
                raise ValueError(f"parameter group {i} has {len(saved['params'])} parameters in "
                                 f"the loaded state dict but {len(own['params'])} here")
        params = self._all_params()
        new_state = {}
        for key, s in state_dict["state"].items():
            p = params[int(key)]
            new_state[p] = {name: _restore(value, p, name) for name, value in s.items()}
        for saved, own in zip(saved_groups, self.param_groups, strict=True):
            own.update({k: v for k, v in saved.items() if k != "params"})
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join([*lines, ")"])


def _restore(value, p: Tensor, name: str):
    """A saved state entry back in working form: the step count as a number, buffers as arrays
    of the parameter's shape and dtype."""
    if name == "step":
        return value
    if not backend.is_array(value):  # nested lists, after a JSON round trip
        value = backend.module_for("cpu").asarray(value)
    array = backend.to_device_type(value.astype(p.dtype, copy=True), p.device.type)
    if array.shape != p.shape:
        raise ValueError(f"optimizer state '{name}' has shape {array.shape} but its parameter "
                         f"has shape {tuple(p.shape)}")
    return array


def lerp_(start, end, weight: float) -> None:
    """start += weight·(end - start) in place, evaluated as PyTorch's lerp kernel does (the
    form depends on the weight), so moving averages round as PyTorch's do."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)
