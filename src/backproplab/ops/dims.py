"""Dimension arguments: PyTorch's ``dim``/``keepdim`` and NumPy's ``axis``/``keepdims`` alike."""


def normalize_dims(dim, ndim: int, op: str) -> tuple | None:
    """``dim`` as a sorted tuple of non-negative ints, or None for "all dimensions"."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = []
    for d in dims:
        d = int(d)
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(
                f"{op}: dimension {d} is out of range for a tensor with {ndim} dimensions "
                f"(expected -{max(ndim, 1)} to {max(ndim, 1) - 1})"
            )
        out.append(d % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dimension {dims} repeats a dimension")
    return tuple(sorted(out)) if ndim else ()


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    (d,) = normalize_dims(int(dim), ndim, op)
    return d


def pick(dim, keepdim, axis, keepdims):
    """Merge PyTorch and NumPy spellings of the same two arguments."""
    if axis is not None:
        if dim is not None:
            raise TypeError("give either dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, bool(keepdim)
