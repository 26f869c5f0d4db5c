"""``Tensor``: an n-dimensional array that remembers how it was computed.

The array lives in ``.array`` (a NumPy ndarray on the CPU, a CuPy array on "cuda"); ``.data``
is PyTorch's detached tensor on the same memory. A tensor made by an op while grad mode is on
and some input requires grad has a ``grad_fn`` (the op's graph node); leaves have none. Methods
are thin: each forwards to the op module that holds the math, so the Tensor files are the API
surface and the ops hold the calculus. This file holds the core (attributes, conversions,
autograd, dtype and device); the method families live in ``tensor_elementwise``,
``tensor_structure`` and ``tensor_inplace``.
"""

import weakref

from backproplab import backend, dtypes
from backproplab import devices as _device
from backproplab.tensor_data import array_from_data
from backproplab.tensor_elementwise import ElementwiseMethods
from backproplab.tensor_inplace import InplaceMethods
from backproplab.tensor_repr import format_data
from backproplab.tensor_structure import StructureMethods


class Tensor(ElementwiseMethods, StructureMethods, InplaceMethods):
    __slots__ = ("__weakref__", "_counter", "_hooks", "_view", "array", "grad", "grad_fn",
                 "requires_grad")

    # torch.Tensor-compatible hash: by identity (== is elementwise, so it cannot define hashing).
    __hash__ = object.__hash__
    # Make NumPy defer to us in mixed expressions such as ``ndarray * tensor``.
    __array_priority__ = 1000

    def __init__(self, data, requires_grad: bool = False, dtype=None, device=None):
        self.array = array_from_data(data, dtype, _device.kind(device))
        self.grad = None
        self.grad_fn = None
        self._counter = [0]
        self._hooks = None
        self._view = None  # (base, view function) when this tensor is a view of base
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(array, requires_grad, grad_fn):
        """Fast internal constructor: ``array`` is already an ndarray of the right dtype."""
        t = object.__new__(Tensor)
        t.array = array
        t.requires_grad = requires_grad
        t.grad_fn = grad_fn
        t.grad = None
        t._counter = [0]
        t._hooks = None
        t._view = None
        return t

    # ----- attributes -------------------------------------------------------------------------
    @property
    def _version(self) -> int:
        """How many times the values were changed in place. ``_counter`` is a one-item list
        shared by a tensor, its views and its ``detach()``es, as PyTorch's version counter is:
        a change through any of them makes values that backward saved from the others stale."""
        return self._counter[0]

    @_version.setter
    def _version(self, value: int) -> None:
        self._counter[0] = value

    @property
    def data(self) -> "Tensor":
        """PyTorch's ``.data``: this tensor's values (shared memory) as a new tensor outside
        the graph, with a version counter of its own. Changes made through it
        (``p.data.add_(-lr * p.grad)``) reach this tensor but are not seen by autograd, as in
        PyTorch; prefer ``with bp.no_grad():`` or ``detach()``, which are checked. The array
        itself is ``.array``."""
        return Tensor._make(self.array, False, None)

    @data.setter
    def data(self, value) -> None:
        """``p.data = t``: this tensor takes ``t``'s values (shared memory, any shape and dtype)
        and keeps its own place in the graph. An array is taken as it is, as the array
        attribute was once called ``.data``."""
        if isinstance(value, Tensor):
            value = value.array
        elif not backend.is_array(value):
            raise TypeError(f"Tensor.data has to be set to a tensor, not "
                            f"{type(value).__name__}; the backing array itself is .array")
        if self.requires_grad and value.dtype.kind not in "fc":
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               f"point, not {value.dtype}")
        self.array = value
        self._view = None  # new memory: no longer a window on another tensor's

    @property
    def shape(self) -> tuple:
        return self.array.shape

    @property
    def dtype(self):
        return self.array.dtype

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def device(self) -> _device.device:
        return _device.of_array(self.array)

    @property
    def is_cuda(self) -> bool:
        return backend.device_type_of(self.array) == "cuda"

    @property
    def T(self) -> "Tensor":
        return self.permute(tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> "Tensor":
        return self.transpose(-2, -1)

    def size(self, dim: int | None = None):
        return self.array.shape if dim is None else self.array.shape[dim]

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return int(self.array.size)

    nelement = numel

    def element_size(self) -> int:
        return int(self.array.dtype.itemsize)

    def item(self):
        if self.array.size != 1:
            raise ValueError(
                f"item(): only a one-element tensor can be converted to a Python number, "
                f"this one has shape {tuple(self.shape)}"
            )
        return self.array.item()

    def numpy(self):
        """The NumPy array itself (shared memory), for a CPU tensor without grad."""
        if self.requires_grad:
            raise RuntimeError(
                "numpy(): can't call numpy() on a tensor that requires grad; "
                "use tensor.detach().numpy()"
            )
        self._require_cpu("numpy()")
        return self.array

    def _require_cpu(self, what: str) -> None:
        if backend.device_type_of(self.array) != "cpu":
            raise TypeError(f"{what}: can't convert a {self.device} tensor to NumPy; use "
                            ".cpu() to copy it to host memory first")

    def tolist(self):
        return self.array.tolist()

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.array)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.array.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.array)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.array)

    def __array__(self, dtype=None, copy=None):
        self._require_cpu("__array__")
        return self.array if dtype is None else self.array.astype(dtype)

    def __repr__(self) -> str:
        body = format_data(backend.to_host(self.array))
        extras = []
        if self.array.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_) or (
            self.array.size == 0
        ):
            extras.append(f"dtype={self.array.dtype}")
        if self.is_cuda:
            extras.insert(0, f"device='{self.device}'")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    # ----- autograd ---------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_(): you can only change requires_grad of leaf tensors; "
                "use .detach() to get a leaf"
            )
        if requires_grad and self.array.dtype.kind not in "fc":
            raise RuntimeError(
                f"only floating-point tensors can require gradients, not {self.array.dtype}; "
                "use .float() first"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> "Tensor":
        """The same values (shared memory) cut off from the graph, with the same version
        counter: a change through it is seen by backward (unlike one through ``.data``)."""
        t = Tensor._make(self.array, False, None)
        t._counter = self._counter
        return t

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self.requires_grad = False
        return self

    def clone(self) -> "Tensor":
        return _arith.clone(self)

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False,
                 inputs=None) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of every leaf."""
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a return value replaces it.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that "
                               "doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = []
            hooks = self.grad_fn.hooks
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it)."""
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)

    # ----- dtype and device --------------------------------------------------------------------
    def to(self, *args, **kwargs) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``, as in PyTorch.

        Returns ``self`` when nothing changes (unless ``copy=True``); otherwise a new tensor
        whose gradient flows back through the cast and the transfer.
        """
        kind, dtype, copy = _device.parse_to(args, kwargs)
        out = self
        if dtype is not None and dtype != out.array.dtype:
            out = _arith.cast(out, dtype)
        if kind is not None and backend.device_type_of(out.array) != kind:
            out = _transfer.to_device(out, kind)
        if copy and out is self:
            out = _arith.clone(self)
        return out

    def cpu(self) -> "Tensor":
        return self.to("cpu")

    def cuda(self, device=None) -> "Tensor":
        return self.to("cuda" if device is None else device)

    def type(self, dtype) -> "Tensor":
        return self.to(dtypes.as_dtype(dtype))

    def float(self) -> "Tensor":
        return self.to(dtypes.float32)

    def double(self) -> "Tensor":
        return self.to(dtypes.float64)

    def half(self) -> "Tensor":
        return self.to(dtypes.float16)

    def long(self) -> "Tensor":
        return self.to(dtypes.int64)

    def int(self) -> "Tensor":
        return self.to(dtypes.int32)

    def bool(self) -> "Tensor":
        return self.to(dtypes.bool_)

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def contiguous(self) -> "Tensor":
        return self

class _HookHandle:
    def __init__(self, hooks: list, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


from backproplab import tensor_elementwise, tensor_inplace, tensor_structure  # noqa: E402
from backproplab.autograd import engine as _engine  # noqa: E402 - ops import Tensor from here
from backproplab.ops import arithmetic as _arith  # noqa: E402
from backproplab.ops import transfer as _transfer  # noqa: E402

for _family in (tensor_elementwise, tensor_inplace, tensor_structure):
    _family.bind_ops()
