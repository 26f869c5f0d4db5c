"""Matrix products: ``matmul`` (1-D, 2-D and batched, NumPy's rules) and the fused ``linear``.

``linear`` (x·Wᵀ + b, PyTorch's layout with W of shape (out, in)) is one op rather than three
because it is the hot path of every MLP: one graph node instead of three is measurably faster,
and its rule is exactly the textbook one the explanations show (∂net/∂w = x, ∂net/∂b = 1).
"""

from backproplab.autograd.function import Function
from backproplab.ops.operands import operand
from backproplab.tensor import Tensor


class MatMul(Function):
    formula = "a @ b"
    derivative = ("∂(a@b)/∂a: g @ bᵀ", "∂(a@b)/∂b: aᵀ @ g")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = ctx.xp
        if a.ndim == 1 and b.ndim == 1:
            return g * b, g * a  # dot product
        # Treat 1-D operands as a row (a) or a column (b), as NumPy does, then undo it.
        a2 = a.reshape((1, -1)) if a.ndim == 1 else a
        b2 = b.reshape((-1, 1)) if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = xp.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = xp.expand_dims(g2, -1)
        ga = g2 @ b2.swapaxes(-1, -2)  # (..,m,n)@(..,n,k) -> (..,m,k)
        gb = a2.swapaxes(-1, -2) @ g2  # (..,k,m)@(..,m,n) -> (..,k,n)
        if a.ndim == 1:
            ga = ga[..., 0, :]
        if b.ndim == 1:
            gb = gb[..., 0]
        return ga, gb  # batch dims are summed back to each shape by the engine


class Linear(Function):
    formula = "net = x · Wᵀ + b"
    derivative = ("∂net/∂x = W", "∂net/∂W = x", "∂net/∂b = 1")

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        out = x @ w.T  # (B,in)@(in,out) -> (B,out)
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        px, pw, pb = ctx.parents
        gx = None if px is None else g @ w  # (B,out)@(out,in) -> (B,in)
        if g.ndim != 2:  # batch dims beyond one: fold them into the batch
            g = g.reshape((-1, g.shape[-1]))
            x = x.reshape((-1, x.shape[-1]))
        gw = None if pw is None else g.T @ x  # (out,B)@(B,in) -> (out,in)
        gb = None if pb is None else g.sum(axis=0)  # (B,out) -> (out,)
        return gx, gw, gb


def matmul(a, b) -> Tensor:
    a = _as_tensor(a)
    b = _as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"matmul: both arguments need at least 1 dimension, got shapes {tuple(a.shape)} "
            f"and {tuple(b.shape)}"
        )
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise RuntimeError(
            f"matmul: {tuple(a.shape)} @ {tuple(b.shape)}: inner dimensions {k_a} and {k_b} differ"
        )
    return MatMul.apply(a, b)


def linear(x, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b with W of shape (out_features, in_features).

    The shape checks that need more than a comparison run only when the product fails, since
    this is called for every layer of every step.
    """
    if not isinstance(x, Tensor):
        x = _as_tensor(x)
    w_shape = weight.array.shape
    if len(w_shape) != 2:
        raise RuntimeError(f"linear: weight must be 2-D (out, in), got shape {w_shape}")
    if bias is not None and bias.array.shape != w_shape[:1]:
        raise RuntimeError(
            f"linear: bias of shape {tuple(bias.shape)} does not fit weight of shape "
            f"{w_shape}: expected ({w_shape[0]},)"
        )
    if x.array.ndim == 0 or x.array.shape[-1] != w_shape[1]:
        raise RuntimeError(
            f"linear: input of shape {tuple(x.shape)} does not fit weight of shape {w_shape}: "
            f"the input's last dimension must be {w_shape[1]}"
        )
    return Linear.apply(x, weight, bias)


def _as_tensor(x) -> Tensor:
    x = operand(x)
    return x if isinstance(x, Tensor) else Tensor(x)
