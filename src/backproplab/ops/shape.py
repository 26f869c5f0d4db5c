"""Ops that move values without changing them: reshape, permute, expand, squeeze, cat, stack.

Their backward rules are the inverse movement of the gradient (reshape back, inverse
permutation, sum over expanded dims, split).
"""

from backproplab import backend
from backproplab.autograd.function import Function
from backproplab.ops import views
from backproplab.ops.dims import normalize_dim, normalize_dims
from backproplab.ops.operands import cast_all, operand, result_type
from backproplab.tensor import Tensor


class Reshape(Function):
    formula = "reshape(a)"
    derivative = ("gradient reshaped back",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class Unsqueeze(Reshape):
    formula = "unsqueeze(a)"


class Squeeze(Reshape):
    formula = "squeeze(a)"


class Permute(Function):
    formula = "permute(a)"
    derivative = ("gradient permuted back",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return ctx.xp.permute(g, tuple(inverse)), None


class Expand(Function):
    formula = "broadcast a"
    derivative = ("gradient summed over the broadcast dims",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, shape):
        return backend.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine sums g back to the input's shape


class Flip(Function):
    formula = "flip(a)"
    derivative = ("gradient flipped back",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return backend.xp.flip(a, dims).copy()  # a copy, as torch.flip (not a view)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.flip(g, ctx.dims), None


class Cat(Function):
    formula = "concatenate(a₁, a₂, …)"
    derivative = ("each input gets its slice of the gradient",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] for x in arrays]
        return backend.xp.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        grads = [None]
        start = 0
        lead = (slice(None),) * ctx.dim
        for n in ctx.sizes:
            grads.append(g[(*lead, slice(start, start + n))])
            start += n
        return tuple(grads)


class Stack(Function):
    formula = "stack(a₁, a₂, …)"
    derivative = ("each input gets its slice of the gradient",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.dim = dim
        ctx.count = len(arrays)
        return backend.xp.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.dim
        return (None, *(g[(*lead, i)] for i in range(ctx.count)))


def _sizes(args) -> tuple:
    if len(args) == 1 and not isinstance(args[0], int):
        return tuple(int(s) for s in args[0])
    return tuple(int(s) for s in args)


def reshape(a: Tensor, *shape) -> Tensor:
    shape = _sizes(shape)
    size = a.array.size
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if shape.count(-1) > 1 or (-1 not in shape and known != size) or (
        -1 in shape and (known == 0 or size % known)
    ):
        raise RuntimeError(
            f"reshape: shape {tuple(shape)} is invalid for a tensor of shape {tuple(a.shape)} "
            f"({size} elements)"
        )
    return _reshaped(Reshape, a, shape)


def view(a: Tensor, *shape) -> Tensor:
    """``reshape`` that shares memory, as PyTorch's ``view``.

    NumPy and PyTorch do not always lay out an op's result the same way (NumPy keeps its
    inputs' order), so a tensor PyTorch holds contiguously may be strided here: its array is
    then made contiguous first (same values, same tensor), and the result is a true view that
    in-place changes write through. A tensor that is itself a view of another, with a layout
    the shape does not fit (a transpose), is refused as PyTorch refuses it.
    """
    out = reshape(a, *shape)
    if out._view is not None or a.array.size <= 1 or out.shape == a.shape:
        return out
    if a._view is not None:
        raise RuntimeError(
            f"view: shape {tuple(out.shape)} is not compatible with the memory layout of a "
            f"tensor of shape {tuple(a.shape)} (it spans non-contiguous memory); use "
            ".reshape(...) instead"
        )
    a.array = backend.xp.ascontiguousarray(a.array)
    return reshape(a, *shape)


def _reshaped(op, a: Tensor, shape) -> Tensor:
    out = op.apply(a, shape)
    return views.mark(out, a, views.Reshaped(out.shape))


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if a.ndim == 0:
        return reshape(a, 1)
    s = normalize_dim(start_dim, a.ndim, "flatten")
    e = normalize_dim(end_dim, a.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = (*a.shape[:s], -1, *a.shape[e + 1:])
    if a.array.size == 0:
        n = 1
        for d in a.shape[s:e + 1]:
            n *= d
        shape = (*a.shape[:s], n, *a.shape[e + 1:])
    return _reshaped(Reshape, a, shape)


def permute(a: Tensor, *dims) -> Tensor:
    dims = _sizes(dims)
    if len(dims) != a.ndim:
        raise RuntimeError(
            f"permute: got {len(dims)} dims {dims} for a tensor of shape {tuple(a.shape)}"
        )
    return _permuted(a, normalize_dims_ordered(dims, a.ndim, "permute"))


def _permuted(a: Tensor, dims: tuple) -> Tensor:
    return views.mark(Permute.apply(a, dims), a, views.Permuted(dims))


def normalize_dims_ordered(dims, ndim: int, op: str) -> tuple:
    result = tuple(normalize_dim(d, ndim, op) for d in dims)
    if len(set(result)) != len(result):
        raise RuntimeError(f"{op}: repeated dim in {dims}")
    return result


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    if a.ndim == 0:
        return a
    d0 = normalize_dim(dim0, a.ndim, "transpose")
    d1 = normalize_dim(dim1, a.ndim, "transpose")
    dims = list(range(a.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return _permuted(a, tuple(dims))


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    d = normalize_dim(dim, a.ndim + 1, "unsqueeze")
    return _reshaped(Unsqueeze, a, (*a.shape[:d], 1, *a.shape[d:]))


def squeeze(a: Tensor, dim=None) -> Tensor:
    if dim is None:
        shape = tuple(s for s in a.shape if s != 1)
    else:
        dims = normalize_dims(dim, a.ndim, "squeeze")
        shape = tuple(s for i, s in enumerate(a.shape) if not (i in dims and s == 1))
    return _reshaped(Squeeze, a, shape)


def expand(a: Tensor, *sizes) -> Tensor:
    sizes = _sizes(sizes)
    if len(sizes) < a.ndim:
        raise RuntimeError(
            f"expand: the target {sizes} has fewer dims than the tensor's shape {tuple(a.shape)}"
        )
    lead = len(sizes) - a.ndim
    shape = tuple(
        a.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes)
    )
    for i, s in enumerate(a.shape):
        if s != 1 and s != shape[i + lead]:
            raise RuntimeError(
                f"expand: the size {s} of dim {i} of shape {tuple(a.shape)} must match "
                f"the target size {shape[i + lead]} (or be 1)"
            )
    out = Expand.apply(a, shape)
    out._counter = a._counter  # it reads a's memory, so a's changes make it stale, as in PyTorch
    return out


def repeat(a: Tensor, *sizes) -> Tensor:
    """Tile ``a``; built from reshape and expand so its gradient needs no rule of its own."""
    sizes = _sizes(sizes)
    if len(sizes) < a.ndim:
        raise RuntimeError(f"repeat: {len(sizes)} repeat counts for a {a.ndim}-d tensor")
    shape = (1,) * (len(sizes) - a.ndim) + tuple(a.shape)
    interleaved = []
    target = []
    final = []
    for s, d in zip(sizes, shape, strict=True):
        interleaved += [1, d]
        target += [s, d]
        final.append(s * d)
    return reshape(expand(reshape(a, interleaved), target), final)


def flip(a: Tensor, *dims) -> Tensor:
    dims = _sizes(dims)
    return Flip.apply(a, normalize_dims_ordered(dims, a.ndim, "flip") if a.ndim else ())


def _common_dtype(tensors: list) -> list:
    """PyTorch promotes the inputs of cat and stack to one dtype (float32 with int64 gives
    float32)."""
    dtype = tensors[0].array.dtype
    if all(t.array.dtype == dtype for t in tensors):
        return tensors
    return cast_all(tensors, result_type(*tensors))


def cat(tensors, dim: int = 0) -> Tensor:
    tensors = [_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    tensors = _common_dtype(tensors)
    first = tensors[0]
    d = normalize_dim(dim, first.ndim, "cat")
    for t in tensors[1:]:
        if t.ndim != first.ndim or any(
            t.shape[i] != first.shape[i] for i in range(first.ndim) if i != d
        ):
            raise RuntimeError(
                f"cat: shapes {tuple(first.shape)} and {tuple(t.shape)} must match in every "
                f"dim except {d}"
            )
    return Cat.apply(d, *tensors)


def stack(tensors, dim: int = 0) -> Tensor:
    tensors = [_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    tensors = _common_dtype(tensors)
    first = tensors[0]
    for t in tensors[1:]:
        if t.shape != first.shape:
            raise RuntimeError(
                f"stack: all tensors must have the same shape, got {tuple(first.shape)} and "
                f"{tuple(t.shape)}"
            )
    d = normalize_dim(dim, first.ndim + 1, "stack")
    return Stack.apply(d, *tensors)


def _tensor(x) -> Tensor:
    x = operand(x)
    return x if isinstance(x, Tensor) else Tensor(x)
