"""``Parameter``: a tensor a module owns and an optimizer updates.

Being a distinct type is what lets ``Module.__setattr__`` tell weights apart from other tensor
attributes and register only the former.
"""

from backproplab.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default.

    Made from a tensor it shares that tensor's array, as ``torch.nn.Parameter`` does, so
    ``Parameter(t)`` wraps rather than copies; other data (lists, arrays) is copied.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        shared = data.array if isinstance(data, Tensor) else None
        super().__init__([] if data is None or shared is not None else data)
        if shared is not None:
            self.array = shared
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
