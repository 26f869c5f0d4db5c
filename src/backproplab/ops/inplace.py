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
"""

from backproplab.autograd.function import bump_version
from backproplab.autograd.grad_mode import is_grad_enabled
from backproplab.tensor import Tensor


def _check_leaf(t: Tensor, what: str) -> None:
    if t.requires_grad and t.grad_fn is None and is_grad_enabled():
        raise RuntimeError(
            f"{what}: a leaf tensor that requires grad is being used in an in-place operation. "
            "Wrap parameter updates in `with bp.no_grad():`, or use an out-of-place op."
        )


def _write(t: Tensor, values) -> None:
    """Overwrite t's array in place and record that anything saved from it is stale."""
    bump_version(t)
    if t.grad_fn is not None:
        t.grad_fn.output_modified = True
    t.data[...] = values


def _rebase(t: Tensor, result: Tensor) -> None:
    """Move ``t`` onto ``result``'s node; its old array is untouched, so its version stays."""
    t.data = result.data
    t.grad_fn = result.grad_fn
    t.requires_grad = True


def apply_inplace(t: Tensor, op, other) -> Tensor:
    """``t = op(t, other)`` kept in the same tensor object (t += x, t.mul_(x), …)."""
    _check_leaf(t, "in-place op")
    result = op(t, other)
    if result.shape != t.shape:
        raise RuntimeError(
            f"in-place op: the result has shape {tuple(result.shape)}, which does not fit the "
            f"tensor's shape {tuple(t.shape)}"
        )
    if result.data.dtype.kind == "f" and t.data.dtype.kind != "f":
        raise RuntimeError(
            f"in-place op: result type {result.dtype} can't be cast to the tensor's type {t.dtype}"
        )
    if result.requires_grad:
        _rebase(t, result.to(t.dtype))
    else:
        _write(t, result.data)
    return t


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
        _write_at(t, index, value.data if isinstance(value, Tensor) else value)


def _write_at(t: Tensor, index, value) -> None:
    bump_version(t)
    if t.grad_fn is not None:
        t.grad_fn.output_modified = True
    t.data[index] = value
