"""``Tensor``: an n-dimensional array that remembers how it was computed.

The array lives in ``.data`` (a NumPy ndarray). A tensor made by an op while grad mode is on
and some input requires grad has a ``grad_fn`` (the op's graph node); leaves have none.
Methods here are thin: each forwards to the op module that holds the math, so this file is
the API surface and the ops hold the calculus.
"""

import weakref

import numpy

from backproplab import dtypes
from backproplab.tensor_repr import format_data


class Tensor:
    __slots__ = ("__weakref__", "_hooks", "_version", "data", "grad", "grad_fn", "requires_grad")

    # torch.Tensor-compatible hash: by identity (== is elementwise, so it cannot define hashing).
    __hash__ = object.__hash__
    # Make NumPy defer to us in mixed expressions such as ``ndarray * tensor``.
    __array_priority__ = 1000

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data = _to_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self._version = 0
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(data, requires_grad, grad_fn):
        """Fast internal constructor: ``data`` is already an ndarray of the right dtype."""
        t = object.__new__(Tensor)
        t.data = data
        t.requires_grad = requires_grad
        t.grad_fn = grad_fn
        t.grad = None
        t._version = 0
        t._hooks = None
        return t

    # ----- attributes -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def T(self) -> "Tensor":
        return _shape.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> "Tensor":
        return _shape.transpose(self, -2, -1)

    def size(self, dim: int | None = None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def item(self):
        if self.data.size != 1:
            raise ValueError(
                f"item(): only a one-element tensor can be converted to a Python number, "
                f"this one has shape {tuple(self.shape)}"
            )
        return self.data.item()

    def numpy(self) -> numpy.ndarray:
        if self.requires_grad:
            raise RuntimeError(
                "numpy(): can't call numpy() on a tensor that requires grad; "
                "use tensor.detach().numpy()"
            )
        return self.data

    def tolist(self):
        return self.data.tolist()

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.data)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self) -> str:
        body = format_data(self.data)
        extras = []
        if self.data.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_) or (
            self.data.size == 0
        ):
            extras.append(f"dtype={self.data.dtype}")
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
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only floating-point tensors can require gradients, not {self.data.dtype}; "
                "use .float() first"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> "Tensor":
        """The same values (shared memory) cut off from the graph."""
        return Tensor._make(self.data, False, None)

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

    # ----- dtype ------------------------------------------------------------------------------
    def to(self, dtype) -> "Tensor":
        dtype = dtypes.as_dtype(dtype)
        if dtype == self.data.dtype:
            return self
        return _arith.cast(self, dtype)

    def type(self, dtype) -> "Tensor":
        return self.to(dtype)

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
        return self.data.dtype.kind == "f"

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def contiguous(self) -> "Tensor":
        return self

    def cpu(self) -> "Tensor":
        return self

    # ----- arithmetic -------------------------------------------------------------------------
    def __add__(self, other):
        return _arith.add(self, other)

    def __radd__(self, other):
        return _arith.add(other, self)

    def __sub__(self, other):
        return _arith.sub(self, other)

    def __rsub__(self, other):
        return _arith.sub(other, self)

    def __mul__(self, other):
        return _arith.mul(self, other)

    def __rmul__(self, other):
        return _arith.mul(other, self)

    def __truediv__(self, other):
        return _arith.div(self, other)

    def __rtruediv__(self, other):
        return _arith.div(other, self)

    def __pow__(self, other):
        return _arith.pow(self, other)

    def __rpow__(self, other):
        return _arith.pow(other, self)

    def __neg__(self):
        return _arith.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _arith.abs(self)

    def __matmul__(self, other):
        return _matmul.matmul(self, other)

    def __rmatmul__(self, other):
        return _matmul.matmul(other, self)

    def add(self, other, alpha=1):
        return _arith.add(self, other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        return _arith.sub(self, other if alpha == 1 else other * alpha)

    def mul(self, other):
        return _arith.mul(self, other)

    def div(self, other):
        return _arith.div(self, other)

    def pow(self, exponent):
        return _arith.pow(self, exponent)

    def neg(self):
        return _arith.neg(self)

    def matmul(self, other):
        return _matmul.matmul(self, other)

    def mm(self, other):
        return _matmul.matmul(self, other)

    # ----- comparisons (no gradient) ----------------------------------------------------------
    def __eq__(self, other):  # type: ignore[override]
        return _compare.eq(self, other)

    def __ne__(self, other):  # type: ignore[override]
        return _compare.ne(self, other)

    def __lt__(self, other):
        return _compare.lt(self, other)

    def __le__(self, other):
        return _compare.le(self, other)

    def __gt__(self, other):
        return _compare.gt(self, other)

    def __ge__(self, other):
        return _compare.ge(self, other)

    def __invert__(self):
        return _compare.logical_not(self)

    def __and__(self, other):
        return _compare.logical_and(self, other)

    def __or__(self, other):
        return _compare.logical_or(self, other)

    def __rand__(self, other):
        return _compare.logical_and(other, self)

    def __ror__(self, other):
        return _compare.logical_or(other, self)

    def eq(self, other):
        return _compare.eq(self, other)

    def ne(self, other):
        return _compare.ne(self, other)

    def lt(self, other):
        return _compare.lt(self, other)

    def le(self, other):
        return _compare.le(self, other)

    def gt(self, other):
        return _compare.gt(self, other)

    def ge(self, other):
        return _compare.ge(self, other)

    def argmax(self, dim=None, keepdim=False):
        return _compare.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _compare.argmin(self, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        return _compare.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return _compare.any(self, dim, keepdim)

    def isnan(self):
        return _compare.isnan(self)

    def isfinite(self):
        return _compare.isfinite(self)

    def allclose(self, other, rtol=1e-5, atol=1e-8) -> bool:
        return bool(numpy.allclose(self.data, _compare.as_array(other), rtol=rtol, atol=atol))

    def equal(self, other) -> bool:
        return bool(numpy.array_equal(self.data, _compare.as_array(other)))

    # ----- elementwise math -------------------------------------------------------------------
    def exp(self):
        return _arith.exp(self)

    def log(self):
        return _arith.log(self)

    def sqrt(self):
        return _arith.sqrt(self)

    def abs(self):
        return _arith.abs(self)

    def sin(self):
        return _arith.sin(self)

    def cos(self):
        return _arith.cos(self)

    def erf(self):
        return _arith.erf(self)

    def sign(self):
        return _compare.sign(self)

    def square(self):
        return _arith.mul(self, self)

    def reciprocal(self):
        return _arith.div(1.0, self)

    def tanh(self):
        return _act.tanh(self)

    def sigmoid(self):
        return _act.sigmoid(self)

    def relu(self):
        return _act.relu(self)

    def clamp(self, min=None, max=None):
        return _select.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return _select.maximum(self, other)

    def minimum(self, other):
        return _select.minimum(self, other)

    def where(self, condition, other):
        return _select.where(condition, self, other)

    def masked_fill(self, mask, value):
        return _select.where(mask, value, self)

    # ----- reductions -------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        return _reduce.sum(self, dim, keepdim, axis=axis, keepdims=keepdims, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        return _reduce.mean(self, dim, keepdim, axis=axis, keepdims=keepdims, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
            keepdims=None, ddof=None):
        return _reduce.var(self, dim, unbiased, keepdim, correction=correction, axis=axis,
                           keepdims=keepdims, ddof=ddof)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
            keepdims=None, ddof=None):
        return _reduce.std(self, dim, unbiased, keepdim, correction=correction, axis=axis,
                           keepdims=keepdims, ddof=ddof)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def logsumexp(self, dim, keepdim=False):
        return _softmax.logsumexp(self, dim, keepdim)

    def softmax(self, dim):
        return _softmax.softmax(self, dim)

    def log_softmax(self, dim):
        return _softmax.log_softmax(self, dim)

    # ----- shape ------------------------------------------------------------------------------
    def reshape(self, *shape):
        return _shape.reshape(self, *shape)

    def view(self, *shape):
        return _shape.reshape(self, *shape)

    def view_as(self, other):
        return _shape.reshape(self, other.shape)

    def reshape_as(self, other):
        return _shape.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _shape.flatten(self, start_dim, end_dim)

    def transpose(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    def swapaxes(self, axis0, axis1):
        return _shape.transpose(self, axis0, axis1)

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {self.ndim}")
        return _shape.permute(self, tuple(reversed(range(self.ndim))))

    def permute(self, *dims):
        return _shape.permute(self, *dims)

    def unsqueeze(self, dim):
        return _shape.unsqueeze(self, dim)

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def expand(self, *sizes):
        return _shape.expand(self, *sizes)

    def expand_as(self, other):
        return _shape.expand(self, other.shape)

    def broadcast_to(self, shape):
        return _shape.expand(self, shape)

    def repeat(self, *sizes):
        return _shape.repeat(self, *sizes)

    def __getitem__(self, index):
        return _index.getitem(self, index)

    def gather(self, dim, index):
        return _index.gather(self, dim, index)

    # ----- in-place --------------------------------------------------------------------------
    def __setitem__(self, index, value):
        _inplace.setitem(self, index, value)

    def __iadd__(self, other):
        return _inplace.apply_inplace(self, _arith.add, other)

    def __isub__(self, other):
        return _inplace.apply_inplace(self, _arith.sub, other)

    def __imul__(self, other):
        return _inplace.apply_inplace(self, _arith.mul, other)

    def __itruediv__(self, other):
        return _inplace.apply_inplace(self, _arith.div, other)

    def add_(self, other, alpha=1):
        return _inplace.apply_inplace(self, _arith.add, other if alpha == 1 else other * alpha)

    def sub_(self, other, alpha=1):
        return _inplace.apply_inplace(self, _arith.sub, other if alpha == 1 else other * alpha)

    def mul_(self, other):
        return _inplace.apply_inplace(self, _arith.mul, other)

    def div_(self, other):
        return _inplace.apply_inplace(self, _arith.div, other)

    def clamp_(self, min=None, max=None):
        return _inplace.apply_inplace(self, lambda t, _: _select.clamp(t, min, max), None)

    def copy_(self, src):
        return _inplace.fill(self, _compare.as_array(src))

    def fill_(self, value):
        return _inplace.fill(self, value)

    def zero_(self):
        return _inplace.fill(self, 0)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        return _inplace.fill(self, _random.uniform_array(self.shape, a, b, self.dtype, generator))

    def normal_(self, mean=0.0, std=1.0, generator=None):
        return _inplace.fill(self, _random.normal_array(self.shape, mean, std, self.dtype,
                                                        generator))


class _HookHandle:
    def __init__(self, hooks: list, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _to_array(data, dtype=None) -> numpy.ndarray:
    """Copy Python or NumPy data into a fresh ndarray with PyTorch's dtype defaults."""
    if isinstance(data, Tensor):
        data = data.data
    arr = numpy.array(data, copy=True)
    target = dtypes.infer_dtype(arr) if dtype is None else dtypes.as_dtype(dtype)
    if dtype is None and isinstance(data, numpy.ndarray) and arr.dtype.kind == "f":
        target = arr.dtype  # arrays keep their float precision, as torch.tensor(ndarray) does
    return arr.astype(target, copy=False)


from backproplab import random as _random  # noqa: E402 - ops import Tensor from here
from backproplab.autograd import engine as _engine  # noqa: E402
from backproplab.ops import activations as _act  # noqa: E402
from backproplab.ops import arithmetic as _arith  # noqa: E402
from backproplab.ops import comparison as _compare  # noqa: E402
from backproplab.ops import indexing as _index  # noqa: E402
from backproplab.ops import inplace as _inplace  # noqa: E402
from backproplab.ops import matmul as _matmul  # noqa: E402
from backproplab.ops import reductions as _reduce  # noqa: E402
from backproplab.ops import selection as _select  # noqa: E402
from backproplab.ops import shape as _shape  # noqa: E402
from backproplab.ops import softmax as _softmax  # noqa: E402
