"""``bp.autograd.Function``: user-defined ops with PyTorch's contract.

``forward(ctx, *args)`` receives the tensors themselves (and other arguments as given) and
runs with grad mode off, so tutorial code such as ``input.clamp(min=0)`` and
``ctx.save_for_backward(input)`` works unchanged; ``backward(ctx, grad_output)`` receives
the gradient as a tensor and returns one tensor (or None) per forward argument. With
``create_graph=True`` backward runs with grad mode on, over the saved tensors themselves, so
a rule written with tensor ops has a second derivative for free.

The engine's own ops subclass :class:`backproplab.autograd.function.Function` and work on
arrays; this subclass adapts between the two when it is subclassed (``__init_subclass__``
wraps the user's backward), so internal ops pay nothing for it.
"""

from backproplab import backend
from backproplab.autograd import function as _array_function
from backproplab.autograd.grad_mode import _state as _grad_state
from backproplab.autograd.grad_mode import no_grad
from backproplab.tensor import Tensor


class Function(_array_function.Function):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` over tensors;
    call it as ``MyFunction.apply(*args)``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        user_backward = cls.__dict__.get("backward")
        if user_backward is not None:
            cls.backward = staticmethod(_tensor_backward(user_backward.__func__))

    @classmethod
    def apply(cls, *args):
        ctx = object.__new__(cls)
        parents = []
        versions = 0
        needs = False
        for a in args:
            if isinstance(a, Tensor):
                versions += a._counter[0]
                if a.grad_fn is not None:
                    parents.append(a.grad_fn)
                elif a.requires_grad:
                    parents.append(a)
                else:
                    parents.append(None)
                    continue
                needs = True
            else:
                parents.append(None)
        ctx.parents = parents  # needs_input_grad reads it inside forward, as in PyTorch
        with no_grad():
            out = cls.forward(ctx, *args)
        if isinstance(out, (tuple, list)):
            raise TypeError(f"{cls.__name__}.forward returned {len(out)} outputs; this engine's "
                            "Function supports one output tensor")
        if not isinstance(out, Tensor):
            out = Tensor._make(backend.xp.asarray(out), False, None)
        if any(out is a for a in args) or out.grad_fn is not None:
            out = Tensor._make(out.array, False, None)  # a fresh tensor becomes the output
        if not (needs and _grad_state.enabled):
            ctx.parents = ()
            return out
        ctx.versions = versions
        ctx.tick = _array_function._InplaceClock.tick
        ctx.args = args
        ctx.seq = next(_array_function._sequence)
        out.grad_fn = ctx
        out.requires_grad = True
        return out


def _tensor_backward(user_backward):
    """The user's tensor-level backward as the array-level rule the engine calls.

    The engine passes an array (plain backward, grad mode off) or, under create_graph, a tensor
    with grad mode on; gradients go back in the same form.
    """

    def backward(ctx, g):
        differentiable = isinstance(g, Tensor)
        grads = user_backward(ctx, g if differentiable else Tensor._make(g, False, None))
        if not isinstance(grads, tuple):
            grads = (grads,)
        if differentiable:
            return grads
        return tuple(gi.array if isinstance(gi, Tensor) else gi for gi in grads)

    backward.__doc__ = user_backward.__doc__
    return backward
