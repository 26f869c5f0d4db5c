"""Tensor methods, in-place family: ``t[i] = v``, ``+=``, ``add_``, ``relu_``, ``fill_``…

A mixin of :class:`backproplab.tensor.Tensor`; the autograd rules for changing a tensor in
place live in :mod:`backproplab.ops.inplace`. Bound to the op modules by :func:`bind_ops`
(see ``tensor_elementwise`` for why).
"""


class InplaceMethods:
    __slots__ = ()

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

    def pow_(self, exponent):
        return _inplace.apply_inplace(self, _arith.pow, exponent)

    def clamp_(self, min=None, max=None):
        return _inplace.apply_inplace(self, _select.clamp, min, max)

    clip_ = clamp_

    def masked_fill_(self, mask, value):
        return _inplace.apply_inplace(self, _select.masked_fill, mask, value)

    def relu_(self):
        return _inplace.apply_inplace(self, _act.relu)

    def sigmoid_(self):
        return _inplace.apply_inplace(self, _act.sigmoid)

    def tanh_(self):
        return _inplace.apply_inplace(self, _act.tanh)

    def exp_(self):
        return _inplace.apply_inplace(self, _arith.exp)

    def log_(self):
        return _inplace.apply_inplace(self, _arith.log)

    def sqrt_(self):
        return _inplace.apply_inplace(self, _arith.sqrt)

    def abs_(self):
        return _inplace.apply_inplace(self, _arith.abs)

    def neg_(self):
        return _inplace.apply_inplace(self, _arith.neg)

    def copy_(self, src):
        return _inplace.copy_from(self, src)

    def fill_(self, value):
        return _inplace.fill(self, value)

    def zero_(self):
        return _inplace.fill(self, 0)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        return _inplace.fill(self, _random.uniform_array(self.shape, a, b, self.dtype, generator,
                                                         self.device.type))

    def normal_(self, mean=0.0, std=1.0, generator=None):
        return _inplace.fill(self, _random.normal_array(self.shape, mean, std, self.dtype,
                                                        generator, self.device.type))


def bind_ops() -> None:
    """Load the op modules this family forwards to (they need Tensor, defined by now)."""
    global _act, _arith, _inplace, _random, _select
    from backproplab import random as _random
    from backproplab.ops import activations as _act
    from backproplab.ops import arithmetic as _arith
    from backproplab.ops import inplace as _inplace
    from backproplab.ops import selection as _select
