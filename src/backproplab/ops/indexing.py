"""Indexing (basic slices, integer arrays, boolean masks) and gather, with their adjoints.

The backward of reading ``a[index]`` is adding the gradient into zeros at ``index`` (repeated
indices add up); the backward of that is reading again. Both directions are ops, so second
derivatives flow through indexing too.
"""

from backproplab import backend
from backproplab.autograd.function import Function
from backproplab.ops import views
from backproplab.ops.dims import normalize_dim, normalize_dims
from backproplab.tensor import Tensor


class GetItem(Function):
    formula = "a[index]"
    derivative = ("gradient added back at index",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, index):
        ctx.shape = a.shape
        ctx.index = index
        return a[index]

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.index_add(ctx.shape, ctx.index, g), None


class IndexAdd(Function):
    """zeros(shape) with ``values`` added at ``index``: the adjoint of GetItem."""

    formula = "zeros[index] += values"
    derivative = ("gradient read at index",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, values, shape, index):
        ctx.index = index
        return backend.index_add(shape, index, values)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.index], None, None


class Gather(Function):
    formula = "out[i][j] = a[i][index[i][j]]  (along dim)"
    derivative = ("gradient added back at the gathered positions",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape = a.shape
        ctx.dim = dim
        ctx.index = index
        return backend.xp.take_along_axis(a, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.scatter_add(ctx.shape, ctx.dim, ctx.index, g), None, None


class ScatterAdd(Function):
    """zeros(shape) with ``values`` added along ``dim`` at ``index``: the adjoint of Gather."""

    formula = "zeros.scatter_add(dim, index, values)"
    derivative = ("gradient gathered at index",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, values, shape, dim, index):
        ctx.dim = dim
        ctx.index = index
        return backend.scatter_add(shape, dim, index, values)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.gather(g, ctx.dim, ctx.index), None, None, None


def _index_array(i):
    """Tensors inside an index become arrays; int tensors must be integer, masks bool.

    A uint8 index is a mask, as in PyTorch (NumPy would read it as integer positions).
    """
    if isinstance(i, Tensor):
        if i.array.dtype.kind not in "iub":
            raise IndexError(f"tensors used as indices must be integer or bool, not {i.dtype}")
        i = i.array
    elif isinstance(i, list) or (backend.accelerated() and backend.is_array(i)):
        i = backend.xp.asarray(i)  # an index given as host data moves to the device
    if backend.is_array(i) and i.dtype == backend.xp.uint8:
        return i.astype(bool)
    return i


def normalize_index(index):
    if isinstance(index, tuple):
        return tuple(_index_array(i) for i in index)
    return _index_array(index)


def _is_int(i) -> bool:
    return isinstance(i, int) or (backend.is_array(i) and i.ndim == 0 and i.dtype.kind in "iu")


def _dims_taken(i) -> int:
    if i is None:
        return 0
    if backend.is_array(i) and i.dtype == bool:
        return max(i.ndim, 1)
    return 1


def _split_ints(index: tuple, ndim: int):
    """PyTorch applies integer indices first (each selects, removing its dim) and the integer
    arrays after; NumPy treats an int next to an array as one more array, which moves the
    array dims to the front when a slice separates them (``x[0, :, [1, 2]]`` is (3, 2) in
    PyTorch, (2, 3) in NumPy). Returns (ints-only index, the rest), or None when the index
    does not mix ints with arrays."""
    has_int = any(_is_int(i) for i in index)
    has_array = any(backend.is_array(i) and not _is_int(i) for i in index)
    if not (has_int and has_array):
        return None
    items = []
    for i in index:
        if i is Ellipsis:
            used = sum(_dims_taken(j) for j in index if j is not Ellipsis)
            items += [slice(None)] * (ndim - used)
        else:
            items.append(i)
    first = []
    for i in items:
        if _is_int(i):
            first.append(int(i))
        else:
            first += [slice(None)] * _dims_taken(i)
    rest = tuple(i for i in items if not _is_int(i))
    return tuple(first), rest


def getitem(a: Tensor, index) -> Tensor:
    index = normalize_index(index)
    try:
        parts = _split_ints(index, a.ndim) if isinstance(index, tuple) else None
        if parts is not None:
            return GetItem.apply(GetItem.apply(a, parts[0]), parts[1])
        out = GetItem.apply(a, index)
    except IndexError as e:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape {tuple(a.shape)}: "
                         f"{e}") from None
    if backend.is_basic_index(index):
        views.mark(out, a, views.Indexed(index))
    return out


def index_select(a: Tensor, dim: int, index) -> Tensor:
    """The entries of ``a`` at the 1-D integer ``index`` along ``dim``."""
    idx = index.array if isinstance(index, Tensor) else backend.xp.asarray(index)
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise IndexError(f"index_select: index must be a 1-D integer tensor, got {idx.dtype} "
                         f"of shape {tuple(idx.shape)}")
    if a.ndim == 0:
        normalize_dims(dim, 0, "index_select")
        return GetItem.apply(a.reshape(1), idx.reshape(-1)).reshape(idx.shape)
    d = normalize_dim(dim, a.ndim, "index_select")
    return getitem(a, (slice(None),) * d + (idx.reshape(-1),))


def gather(a: Tensor, dim: int, index: Tensor) -> Tensor:
    idx = index.array if isinstance(index, Tensor) else backend.xp.asarray(index)
    if a.ndim == 0 and idx.ndim == 0:  # PyTorch treats a 0-d tensor as one element along dim 0
        normalize_dims(dim, 0, "gather")  # checks dim is 0 or -1
        return gather(a.reshape(1), 0, idx.reshape(1)).reshape(())
    d = normalize_dim(dim, a.ndim, "gather")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"gather: index must be an integer tensor, not {idx.dtype}")
    if idx.ndim != a.ndim:
        raise RuntimeError(
            f"gather: index has {idx.ndim} dims but the input has {a.ndim} "
            f"(shapes {tuple(idx.shape)} and {tuple(a.shape)})"
        )
    for i in range(a.ndim):
        if i != d and idx.shape[i] > a.shape[i]:
            raise RuntimeError(
                f"gather: index shape {tuple(idx.shape)} is larger than input shape "
                f"{tuple(a.shape)} in dim {i}"
            )
    if idx.size and (idx.min() < -a.shape[d] or idx.max() >= a.shape[d]):
        raise IndexError(f"gather: index out of range for dim {d} of size {a.shape[d]}")
    if any(idx.shape[i] < a.shape[i] for i in range(a.ndim) if i != d):
        a = a[tuple(slice(0, idx.shape[i]) if i != d else slice(None) for i in range(a.ndim))]
    return Gather.apply(a, d, idx)


class SetItem(Function):
    """A copy of ``a`` with ``a[index] = value``: the graph form of ``t[index] = value``."""

    formula = "a with a[index] = value"
    derivative = ("∂/∂a = 1 outside index, 0 inside", "∂/∂value = 1 at index")
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, index, value):
        out = a.copy()
        out[index] = value
        keep = backend.xp.ones(a.shape, dtype=a.dtype)
        keep[index] = 0
        ctx.save_for_backward(keep)
        ctx.index = index
        return out

    @staticmethod
    def backward(ctx, g):
        (keep,) = ctx.saved_tensors
        return g * keep, None, g[ctx.index]
