"""Devices: where a tensor's array lives, with PyTorch's names.

"cpu" means a NumPy array and always works. "cuda" means an array of the accelerator module
set with :func:`backproplab.set_array_module` (CuPy); asking for it while NumPy is the array
module is an error that says so, never a silent fallback to the CPU. New tensors are made on
the array module's device unless ``device=`` says otherwise, so plugging CuPy in moves a whole
program, and PyTorch code that moves tensors explicitly (``x.to(device)``) works unchanged.
"""

from backproplab import backend, dtypes

_TYPES = ("cpu", "cuda")


class device:
    """A device name, parsed once: ``device("cuda:0")``, ``device("cuda", 0)``, "cpu"…"""

    __slots__ = ("index", "type")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type  # torch.device(0) is the first GPU
        elif not isinstance(type, str):
            raise TypeError(f"device(): expected a string or a device, got {type!r}")
        elif ":" in type:
            if index is not None:
                raise RuntimeError(f"device(): {type!r} already has an index; do not pass one")
            type, _, number = type.partition(":")
            if not number.isdigit():
                raise RuntimeError(f"device(): invalid device string {type}:{number!r}")
            index = int(number)
        if type not in _TYPES:
            raise RuntimeError(
                f"device(): expected one of {', '.join(_TYPES)} as the device type, got {type!r}"
            )
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"device(): the index must be a non-negative int, got {index!r}")
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


CPU = device("cpu")
CUDA = device("cuda", 0)


def of_array(array) -> device:
    """The device an array lives on (CuPy's current GPU is always index 0 here)."""
    return CPU if backend.device_type_of(array) == "cpu" else CUDA


def kind(dev) -> str:
    """``dev`` checked and reduced to "cpu" or "cuda"; None means the array module's device.

    "cuda" needs the accelerator module; without it the error names the fix.
    """
    if dev is None:
        return "cuda" if backend.accelerated() else "cpu"
    d = dev if isinstance(dev, device) else device(dev)
    if d.type == "cuda":
        if not backend.accelerated():
            raise RuntimeError(
                f"device {str(d)!r} is not available: the array module is NumPy, which only "
                "has the CPU (bp.cuda.is_available() is False). Install CuPy and call "
                "bp.set_array_module(cupy), or use device='cpu'."
            )
        if d.index not in (None, 0):
            raise RuntimeError(f"device {str(d)!r}: only one GPU (cuda:0) is supported")
    return d.type


def parse_to(args, kwargs) -> tuple:
    """PyTorch's ``.to(...)`` arguments as (device kind or None, dtype or None, copy).

    Accepts ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(other_tensor)`` and the
    keywords ``device``, ``dtype``, ``copy``, ``non_blocking`` (transfers are synchronous).
    """
    from backproplab.tensor import Tensor

    unknown = set(kwargs) - {"device", "dtype", "copy", "non_blocking", "memory_format"}
    if unknown:
        raise TypeError(f"to(): unexpected keyword argument(s) {sorted(unknown)}")
    dev = kwargs.get("device")
    dtype = kwargs.get("dtype")
    for a in args:
        if isinstance(a, Tensor):
            dev, dtype = of_array(a.array), a.dtype
        elif isinstance(a, (device, int)) and not isinstance(a, bool):
            dev = a
        elif isinstance(a, str) and a.partition(":")[0] in _TYPES:
            dev = a
        elif a is not None:
            dtype = a
    return (None if dev is None else kind(dev),
            None if dtype is None else dtypes.as_dtype(dtype),
            bool(kwargs.get("copy", False)))
