"""In-place changes, made safe for autograd.

* A leaf that requires grad cannot be changed in place while grad mode is on (its gradient
  would describe a value that no longer exists); under ``no_grad`` it can, which is how
  optimizers update parameters.
* When the change itself is recorded in the graph (``y += w`` with ``w`` requiring grad), the
  tensor is moved onto the new op's node and takes the op's fresh output array; the old array,
  which earlier ops may have saved for backward, is left untouched, so every gradient stays
  right.
* Otherwise the values are written into the tensor's own array and its version is bumped: an op
  that saved the old values notices at backward time and raises, as PyTorch does, instead of
  returning a wrong gradient.
* A view (``x.view(2, 2)``, ``x[0]``, ``x.t()``…) shares its base's memory, so an unrecorded
  change writes through by itself. A recorded change to a view is moved onto the base, as
  PyTorch's CopySlices does: the base takes a node that writes the new values into its view
  region, and the view is re-derived from the new base, so both read the same numbers and
  gradients flow through both.
"""

from backproplab import backend
from backproplab.autograd.function import Function, bump_version
from backproplab.autograd.grad_mode import is_grad_enabled
from backproplab.tensor import Tensor


class WriteView(Function):
    """A copy of ``base`` with its view region (``view(base)``) replaced by ``values``."""

    formula = "base with view(base) = values"
    derivative = ("∂/∂base = 1 outside the view, 0 inside", "∂/∂values = the view of the gradient")
    saves_inputs = False

    @staticmethod
    def forward(ctx, base, values, view):
        out = base.copy()
        view(backend, out)[...] = values
        keep = backend.xp.ones(base.shape, dtype=base.dtype)
        view(backend, keep)[...] = 0
        ctx.save_for_backward(keep)
        ctx.view = view
        return out

    @staticmethod
    def backward(ctx, g):
        (keep,) = ctx.saved_tensors
        return g * keep, ctx.view(ctx.xp, g), None  # d/dvalues: the view of g


def _check_leaf(t: Tensor, what: str) -> None:
    if not is_grad_enabled():
        return
    if t.requires_grad and t.grad_fn is None:
        raise RuntimeError(
            f"{what}: a leaf tensor that requires grad is being used in an in-place operation. "
            "Wrap parameter updates in `with bp.no_grad():`, or use an out-of-place op."
        )
    if t._view is not None and t._view[0].requires_grad and t._view[0].grad_fn is None:
        raise RuntimeError(
            f"{what}: a view of a leaf tensor that requires grad is being used in an in-place "
            "operation. Wrap the change in `with bp.no_grad():`, or change a clone."
        )


def _write(t: Tensor, values) -> None:
    """Overwrite t's array in place and record that anything saved from it is stale."""
    bump_version(t)
    if t.grad_fn is not None:
        t.grad_fn.output_modified = True
    t.array[...] = values


def _rebase(t: Tensor, result: Tensor) -> None:
    """Move ``t`` onto ``result``'s node; its old array is untouched, so its version stays.

    When ``t`` is a view, its base moves onto a node that writes ``result`` into the view
    region, and ``t`` becomes that view of the new base again.
    """
    if t._view is None:
        t.array = result.array
        t.grad_fn = result.grad_fn
        t.requires_grad = True
        t.grad_fn.out_counter, t.grad_fn.out_version = t._counter, t._counter[0]
        return
    base, view = t._view
    _rebase(base, WriteView.apply(base, result, view))
    fresh = view(_tensor_math(), base)
    t.array = fresh.array
    t.grad_fn = fresh.grad_fn
    t.requires_grad = True


def _tensor_math():
    from backproplab import tensor_math

    return tensor_math


def apply_inplace(t: Tensor, op, *args) -> Tensor:
    """``t = op(t, *args)`` kept in the same tensor object (t += x, t.mul_(x), t.relu_()…)."""
    _check_leaf(t, "in-place op")
    # The op sees an alias holding t's current array and node: t itself is about to move
    # onto the result, and the op's node must keep pointing at the values it was given (its
    # second derivatives map saved arrays back to its inputs).
    result = op(Tensor._make(t.array, t.requires_grad, t.grad_fn), *args)
    if result.shape != t.shape:
        raise RuntimeError(
            f"in-place op: the result has shape {tuple(result.shape)}, which does not fit the "
            f"tensor's shape {tuple(t.shape)}"
        )
    if result.array.dtype.kind == "f" and t.array.dtype.kind != "f":
        raise RuntimeError(
            f"in-place op: result type {result.dtype} can't be cast to the tensor's type {t.dtype}"
        )
    if result.requires_grad:
        _rebase(t, result.to(t.dtype))
    else:
        _write(t, result.array)
    return t


def copy_from(t: Tensor, src) -> Tensor:
    """``t.copy_(src)``: src's values broadcast into t, cast to t's dtype; recorded in the
    graph (gradient to src) when src requires grad."""
    if isinstance(src, Tensor) and src.requires_grad and is_grad_enabled():
        _check_leaf(t, "copy_")
        value = src.to(t.dtype)
        value = value.clone() if value.shape == t.shape else value.expand(*t.shape)
        _rebase(t, value)
        return t
    return fill(t, src.array if isinstance(src, Tensor) else src)


def fill(t: Tensor, value) -> Tensor:
    """Overwrite every element (zero_, fill_, copy_, uniform_, normal_); cuts the history."""
    _check_leaf(t, "fill")
    _write(t, value)
    if t.grad_fn is not None:
        t.grad_fn = None
        t.requires_grad = False
    return t


def setitem(t: Tensor, index, value) -> None:
    """``t[index] = value``; recorded in the graph when ``t`` or ``value`` requires grad."""
    from backproplab.ops import indexing

    _check_leaf(t, "t[index] = value")
    index = indexing.normalize_index(index)
    if is_grad_enabled() and (
        t.requires_grad or (isinstance(value, Tensor) and value.requires_grad)
    ):
        _rebase(t, indexing.SetItem.apply(t, index, value))
    else:
        _write_at(t, index, value.array if isinstance(value, Tensor) else value)


def _write_at(t: Tensor, index, value) -> None:
    bump_version(t)
    if t.grad_fn is not None:
        t.grad_fn.output_modified = True
    t.array[index] = value
