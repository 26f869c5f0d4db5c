"""``Module``: the base class of layers and models, with PyTorch's bookkeeping.

Assigning a ``Parameter`` or a ``Module`` to an attribute registers it, so a model written as
plain attribute assignments already knows its weights (for the optimizer), its layers (for
display and explanation) and its state (dotted ``state_dict`` keys such as ``0.weight``,
interchangeable with PyTorch's).
"""

from collections import namedtuple

import numpy

from backproplab import dtypes
from backproplab.autograd.grad_mode import no_grad
from backproplab.nn.parameter import Parameter
from backproplab.tensor import Tensor

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Subclasses set their parameters and layers in ``__init__`` and compute in ``forward``."""

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "training", True)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ----- registration -----------------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, (Parameter, Module)) and "_modules" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__() call; "
                "call super().__init__() first"
            )
        if isinstance(value, Parameter):
            self._forget(name, keep=self._parameters)
            self._register(self._parameters, name, value)
        elif isinstance(value, Module):
            self._forget(name, keep=self._modules)
            self._register(self._modules, name, value)
        elif "_modules" in self.__dict__ and name in self._parameters:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter '{name}' "
                    "(a Parameter or None is required)"
                )
            self._register(self._parameters, name, None)
        elif "_modules" in self.__dict__ and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as child module '{name}' "
                    "(a Module or None is required)"
                )
            self._register(self._modules, name, None)
        elif "_buffers" in self.__dict__ and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer '{name}'")
            self._register(self._buffers, name, value)
        else:
            object.__setattr__(self, name, value)

    def _register(self, store: dict, name: str, value) -> None:
        """Record ``value`` in its registry (which keeps the order ``parameters()`` and
        ``state_dict()`` follow) and as a plain attribute. PyTorch reaches registered things
        through ``__getattr__``, a fallback that costs ~0.5 µs per ``self.weight``; a plain
        attribute is found by normal lookup, and every layer call reads two of them."""
        store[name] = value
        self.__dict__[name] = value

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self.__dict__.pop(name, None)
                return
        object.__delattr__(self, name)

    def _forget(self, name: str, keep: dict | None = None) -> None:
        """Drop ``name`` from every registry but ``keep``, where a new value will replace the
        old one in its place (PyTorch keeps a replaced layer's position in the order)."""
        for store in (self._parameters, self._buffers, self._modules):
            if store is not keep:
                store.pop(name, None)
        self.__dict__.pop(name, None)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or an empty slot, for an optional weight such as a missing bias)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: '{name}' must be a Parameter or None, "
                            f"not {type(param).__name__}")
        if param is None:
            self._forget(name, keep=self._parameters)
            self._register(self._parameters, name, None)
        else:
            setattr(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Keep state that is not trained (moves with ``to()``; saved unless not persistent)."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: '{name}' must be a Tensor or None, "
                            f"not {type(tensor).__name__}")
        self._forget(name, keep=self._buffers)
        self._register(self._buffers, name, tensor)
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: '{name}' must be a Module, not {type(module).__name__}")
        self._forget(name, keep=self._modules)
        self._register(self._modules, name, module)

    # ----- traversal --------------------------------------------------------------------------
    def named_modules(self, prefix: str = ""):
        """This module and every submodule once each, as (dotted name, module), parents first."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m)
                        for n, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        return (m for _, m in self.named_modules())

    def named_children(self):
        return ((n, m) for n, m in self._modules.items() if m is not None)

    def children(self):
        return (m for _, m in self.named_children())

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        """(dotted name, parameter) pairs; a parameter shared by two layers is listed once."""
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for name, module in modules:
            for pname, p in module._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{name}.{pname}" if name else pname), p

    def parameters(self, recurse: bool = True):
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True):
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for name, module in modules:
            for bname, b in module._buffers.items():
                if b is not None:
                    yield (f"{name}.{bname}" if name else bname), b

    def buffers(self, recurse: bool = True):
        return (b for _, b in self.named_buffers(recurse=recurse))

    def apply(self, fn) -> "Module":
        """Call ``fn`` on every submodule (children first) and then on this module."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ----- state ------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Parameters and persistent buffers by dotted name, as detached tensors sharing memory.

        Every module is walked (not deduplicated), so tied weights appear under each name, as in
        PyTorch.
        """
        return {key: t.detach() for key, t in self._state_tensors().items()}

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy values into this model's tensors in place (tensors, arrays or nested lists).

        Shapes must match exactly. With ``strict`` (the default) the keys must match exactly
        too; otherwise the missing and unexpected keys are returned.
        """
        own = self._state_tensors()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            lines = [f"Error(s) in loading state_dict for {type(self).__name__}:"]
            if unexpected:
                lines.append("Unexpected key(s) in state_dict: "
                             + ", ".join(f'"{k}"' for k in unexpected))
            if missing:
                lines.append("Missing key(s) in state_dict: "
                             + ", ".join(f'"{k}"' for k in missing))
            raise RuntimeError("\n\t".join(lines))
        values = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = value.array if isinstance(value, Tensor) else numpy.asarray(value)
            if isinstance(value, Tensor) and value.device != target.device:
                array = value.to(target.device).array  # load_state_dict(bp.load(...)) on cuda
            if array.shape != target.array.shape:
                raise RuntimeError(
                    f"size mismatch for {key}: copying a param with shape {tuple(array.shape)} "
                    f"from checkpoint, the shape in current model is {tuple(target.shape)}"
                )
            values[key] = array
        with no_grad():  # every check passed: nothing is half-loaded on an error above
            for key, array in values.items():
                own[key].copy_(array)
        return IncompatibleKeys(missing, unexpected)

    def _all_modules(self, prefix: str = ""):
        yield prefix, self
        for n, m in self.named_children():
            yield from m._all_modules(f"{prefix}.{n}" if prefix else n)

    def _state_tensors(self) -> dict:
        """The live tensors behind ``state_dict()``'s keys."""
        own = {}
        for name, module in self._all_modules():
            buffers = [(k, b) for k, b in module._buffers.items()
                       if k not in module._non_persistent]
            for key, t in [*module._parameters.items(), *buffers]:
                if t is not None:
                    own[f"{name}.{key}" if name else key] = t
        return own

    # ----- modes and housekeeping ------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Switch training behaviour (dropout active) on for this module and all submodules."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        """Inference behaviour: dropout becomes the identity."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = Tensor._make(p.grad.array * 0, False, None)

    def to(self, *args, **kwargs) -> "Module":
        """Move parameters, their gradients and buffers to a device and/or convert the
        floating-point ones to a dtype, in place: ``to(device)``, ``to(dtype)``,
        ``to(device, dtype)``, as in PyTorch.

        The Parameter objects stay the same (an optimizer built earlier keeps working); only
        their arrays are replaced.
        """
        from backproplab import backend
        from backproplab import devices as _device

        kind, dtype, _ = _device.parse_to(args, kwargs)
        if dtype is not None and dtype.kind != "f":
            raise TypeError(f"Module.to: only floating-point dtypes are supported, not {dtype}")
        for t in [*self.parameters(), *self.buffers()]:
            t.array = self._converted(t.array, kind, dtype, backend)
            if t.grad is not None:
                t.grad = Tensor._make(self._converted(t.grad.array, kind, dtype, backend),
                                      False, None)
        return self

    @staticmethod
    def _converted(array, kind, dtype, backend):
        if dtype is not None and array.dtype.kind == "f" and array.dtype != dtype:
            array = array.astype(dtype)
        if kind is not None:
            array = backend.to_device_type(array, kind)
        return array

    def cpu(self) -> "Module":
        return self.to("cpu")

    def cuda(self, device=None) -> "Module":
        return self.to("cuda" if device is None else device)

    def double(self) -> "Module":
        return self.to(dtypes.float64)

    def float(self) -> "Module":
        return self.to(dtypes.float32)

    def to_spec(self, weights: bool = True) -> dict:
        """This model as a JSON-ready network spec (see :mod:`backproplab.nn.spec`)."""
        from backproplab.nn import spec  # spec builds modules, so it imports this file

        return spec.to_spec(self, weights)

    # ----- display ----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The constructor arguments shown inside the parentheses of ``repr``."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self._modules.items():
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        body = head + ("\n" + "\n".join(lines) + "\n)" if lines else ")")
        count = sum(p.numel() for p in self.parameters())
        if count:
            body += f"  # {count} parameter{'s' if count != 1 else ''}"
        return body
