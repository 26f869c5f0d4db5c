"""Moving a tensor between devices, as an op so the gradient moves back.

``x.to("cuda")`` in a graph is the identity for the math; its backward sends the gradient to
the device the input came from.
"""

from backproplab import backend
from backproplab.autograd.function import Function
from backproplab.tensor import Tensor


class ToDevice(Function):
    formula = "a"
    derivative = ("∂a/∂a = 1 (the gradient goes back to a's device)",)
    saves_inputs = False

    @staticmethod
    def forward(ctx, a, kind):
        ctx.source = backend.device_type_of(a)
        return backend.to_device_type(a, kind)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: the way back is itself recorded
            return g.to(ctx.source), None
        return backend.to_device_type(g, ctx.source), None


def to_device(a: Tensor, kind: str) -> Tensor:
    """``a`` on device ``kind`` ("cpu" or "cuda"), already checked by device.kind."""
    return ToDevice.apply(a, kind)
