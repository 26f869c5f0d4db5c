"""Functions that make new tensors: tensor, zeros, ones, full, arange, linspace, eye, rand…

Floating-point results are float32 unless a dtype is given (as in PyTorch); random ones draw
from the library's seeded generator or ``generator=``. Every function takes ``device=``
("cpu", "cuda", a ``bp.device``); without it, tensors are made on the array module's device
(see :mod:`backproplab.devices`); ``*_like`` functions follow their argument's device.
"""

from backproplab import backend, dtypes
from backproplab import devices as _device
from backproplab import random as _random
from backproplab.tensor import Tensor


def _sizes(size) -> tuple:
    if len(size) == 1 and not isinstance(size[0], int):
        return tuple(int(s) for s in size[0])
    return tuple(int(s) for s in size)


def _float_dtype(dtype):
    return dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)


def _new(arr, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _xp(device):
    """The array module that makes arrays on ``device`` (checked: "cuda" needs CuPy)."""
    return backend.module_for(_device.kind(device))


def _like_device(t: Tensor, device):
    return t.device if device is None else device


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists or an array)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` itself when it already is a tensor of that dtype and device, else a copy."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    return Tensor(data, dtype=dtype, device=device)


def from_numpy(array) -> Tensor:
    """A CPU tensor sharing memory with the NumPy ``array`` and keeping its dtype."""
    if not isinstance(array, backend.module_for("cpu").ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    return Tensor._make(array, False, None)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _new(_xp(device).zeros(_sizes(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _new(_xp(device).ones(_sizes(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros: uninitialised memory would make runs irreproducible for no gain here."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = dtypes.infer_dtype(backend.module_for("cpu").asarray(fill_value))
    return _new(_xp(device).full(_sizes((size,)), fill_value, dtype=dtypes.as_dtype(dtype)),
                requires_grad)


def zeros_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return zeros(t.shape, dtype=t.dtype if dtype is None else dtype,
                 device=_like_device(t, device), requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return ones(t.shape, dtype=t.dtype if dtype is None else dtype,
                device=_like_device(t, device), requires_grad=requires_grad)


def empty_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return zeros_like(t, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, device=None,
              requires_grad: bool = False) -> Tensor:
    return full(t.shape, fill_value, dtype=t.dtype if dtype is None else dtype,
                device=_like_device(t, device), requires_grad=requires_grad)


def rand_like(t: Tensor, dtype=None, device=None, generator=None,
              requires_grad: bool = False) -> Tensor:
    return rand(t.shape, dtype=t.dtype if dtype is None else dtype,
                device=_like_device(t, device), generator=generator, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype=None, device=None, generator=None,
               requires_grad: bool = False) -> Tensor:
    return randn(t.shape, dtype=t.dtype if dtype is None else dtype,
                 device=_like_device(t, device), generator=generator, requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    arr = backend.module_for("cpu").arange(start, end, step)
    target = dtypes.infer_dtype(arr) if dtype is None else dtypes.as_dtype(dtype)
    return _new(_placed(arr.astype(target), device), requires_grad)


def linspace(start, end, steps: int, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    arr = backend.module_for("cpu").linspace(start, end, int(steps))
    return _new(_placed(arr.astype(_float_dtype(dtype)), device), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, device=None,
        requires_grad: bool = False) -> Tensor:
    return _new(_xp(device).eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def _placed(host_array, device):
    """A host-computed array (its values must match NumPy's exactly) on ``device``."""
    return backend.to_device_type(host_array, _device.kind(device))


def rand(*size, dtype=None, device=None, generator=None, requires_grad: bool = False) -> Tensor:
    kind = _device.kind(device)
    arr = _random.uniform_array(_sizes(size), 0.0, 1.0, _float_dtype(dtype), generator, kind)
    return _new(arr, requires_grad)


def randn(*size, dtype=None, device=None, generator=None, requires_grad: bool = False) -> Tensor:
    kind = _device.kind(device)
    arr = _random.normal_array(_sizes(size), 0.0, 1.0, _float_dtype(dtype), generator, kind)
    return _new(arr, requires_grad)


def randint(low, high=None, size=(), dtype=None, device=None, generator=None) -> Tensor:
    """Integers in [low, high); ``randint(high, size)`` as in PyTorch starts at 0."""
    if high is None:
        low, high = 0, low
    elif not isinstance(high, int) and size == ():
        low, high, size = 0, low, high  # randint(10, (3,)): PyTorch's two-argument form
    arr = _random.integer_array(_sizes((size,)), low, high, generator)
    arr = arr.astype(dtypes.int64 if dtype is None else dtypes.as_dtype(dtype))
    return _new(_placed(arr, device), False)


def randperm(n: int, dtype=None, device=None, generator=None) -> Tensor:
    arr = _random.permutation(n, generator).astype(dtypes.int64 if dtype is None else dtype)
    return _new(_placed(arr, device), False)


def _legacy(dtype, name):
    def constructor(*data):
        """``bp.FloatTensor([1, 2])`` is a tensor of that data; ``bp.FloatTensor(2, 3)`` is
        zeros of that shape, as PyTorch's legacy constructors are."""
        if len(data) == 1 and not isinstance(data[0], int):
            return Tensor(data[0], dtype=dtype)
        return zeros(*data, dtype=dtype)

    constructor.__name__ = constructor.__qualname__ = name
    return constructor


FloatTensor = _legacy(dtypes.float32, "FloatTensor")
DoubleTensor = _legacy(dtypes.float64, "DoubleTensor")
HalfTensor = _legacy(dtypes.float16, "HalfTensor")
LongTensor = _legacy(dtypes.int64, "LongTensor")
IntTensor = _legacy(dtypes.int32, "IntTensor")
ShortTensor = _legacy(dtypes.int16, "ShortTensor")
ByteTensor = _legacy(dtypes.uint8, "ByteTensor")
BoolTensor = _legacy(dtypes.bool_, "BoolTensor")
