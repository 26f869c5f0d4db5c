"""``bp.cuda``: whether the GPU device can be used, with PyTorch's names.

"cuda" is available exactly when an accelerator array module (CuPy) has been set with
:func:`backproplab.set_array_module`; see :mod:`backproplab.devices`.
"""

from backproplab import backend


def is_available() -> bool:
    return backend.accelerated()


def device_count() -> int:
    return 1 if backend.accelerated() else 0


def current_device() -> int:
    if not backend.accelerated():
        raise RuntimeError("cuda.current_device(): no GPU array module is active "
                           "(bp.cuda.is_available() is False)")
    return 0
