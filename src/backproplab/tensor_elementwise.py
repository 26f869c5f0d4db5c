"""Tensor methods, elementwise family: operators, comparisons, math and activations.

A mixin of :class:`backproplab.tensor.Tensor`; each method forwards to the op that holds the
math. The op modules import Tensor, so they are bound here by :func:`bind_ops` once
``tensor.py`` has defined it.
"""


class ElementwiseMethods:
    __slots__ = ()

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

    def __floordiv__(self, other):
        return _arith.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _arith.floor_divide(other, self)

    def __mod__(self, other):
        return _arith.remainder(self, other)

    def __rmod__(self, other):
        return _arith.remainder(other, self)

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

    def floor_divide(self, other):
        return _arith.floor_divide(self, other)

    def remainder(self, other):
        return _arith.remainder(self, other)

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

    def allclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
        return _compare.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False):
        return _compare.isclose(self, other, rtol, atol, equal_nan)

    def equal(self, other) -> bool:
        return _compare.equal(self, other)

    # ----- elementwise math -------------------------------------------------------------------
    def exp(self):
        return _arith.exp(self)

    def log(self):
        return _arith.log(self)

    def log10(self):
        return _arith.log10(self)

    def log2(self):
        return _arith.log2(self)

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
        return _select.masked_fill(self, mask, value)


def bind_ops() -> None:
    """Load the op modules this family forwards to (they need Tensor, defined by now)."""
    global _act, _arith, _compare, _matmul, _select
    from backproplab.ops import activations as _act
    from backproplab.ops import arithmetic as _arith
    from backproplab.ops import comparison as _compare
    from backproplab.ops import matmul as _matmul
    from backproplab.ops import selection as _select
