"""A stand-in for CuPy on the CPU: NumPy's math behind an array type that, like CuPy's,
refuses implicit conversion to NumPy.

``StrictArray.__array__`` raises, NumPy ufuncs refuse it (``__array_ufunc__ = None``), and its
operators and the module's functions refuse raw NumPy arrays as operands (CuPy raises
TypeError for both). The only ways across are explicit: ``asarray``/``array`` (host to
"device") and ``asnumpy``/``.get()`` (device to host), as in CuPy. Reductions give 0-d
arrays, never NumPy scalars, as CuPy's do. Any code path of the engine that still calls NumPy
on a tensor's array, or mixes NumPy arrays into the math, fails under this module.

Use: ``bp.set_array_module(strict_array_module.module)`` (and set NumPy back afterwards).
"""

import types

import numpy

_REFUSED = ("Implicit conversion to a NumPy array is not allowed (strict stand-in for CuPy); "
            "use .get() or asnumpy() explicitly")


class StrictArray:
    __slots__ = ("_a",)
    __array_ufunc__ = None  # NumPy's operators return NotImplemented, then ours refuse

    def __init__(self, array):
        self._a = array

    def __array__(self, *args, **kwargs):
        raise TypeError(_REFUSED)

    def get(self):
        return self._a.copy()

    # -- attributes ---------------------------------------------------------------------------
    @property
    def shape(self):
        return self._a.shape

    @property
    def dtype(self):
        return self._a.dtype

    @property
    def ndim(self):
        return self._a.ndim

    @property
    def size(self):
        return self._a.size

    @property
    def T(self):
        return StrictArray(self._a.T)

    @property
    def base(self):
        return None if self._a.base is None else StrictArray(self._a.base)

    @property
    def flags(self):
        """CuPy's flags have no ``writeable``."""
        f = self._a.flags
        return types.SimpleNamespace(c_contiguous=f.c_contiguous, f_contiguous=f.f_contiguous,
                                     owndata=f.owndata)

    def __getattr__(self, name):
        attr = getattr(self._a, name)
        if callable(attr):
            return _wrapped(attr)
        return _wrap(attr)

    # -- Python protocol ----------------------------------------------------------------------
    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (_wrap(x) for x in self._a)

    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __index__(self):
        return self._a.__index__()

    def __repr__(self):
        return f"StrictArray({self._a!r})"

    def __getitem__(self, index):
        return _wrap(self._a[_unwrap(index)])

    def __setitem__(self, index, value):
        self._a[_unwrap(index)] = _unwrap(value)

    def __hash__(self):
        return id(self)


def _binary(name):
    def method(self, other):
        try:
            other = _unwrap(other)
        except TypeError:
            return NotImplemented
        if type(other).__module__.startswith("backproplab"):
            return NotImplemented  # let the Tensor's reflected operator run
        return _wrap(getattr(self._a, name)(other))

    method.__name__ = name
    return method


def _unary(name):
    def method(self):
        return _wrap(getattr(self._a, name)())

    method.__name__ = name
    return method


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
            "xor", "lt", "le", "gt", "ge", "eq", "ne", "lshift", "rshift"):
    for _form in (f"__{_op}__", f"__r{_op}__", f"__i{_op}__"):
        if hasattr(numpy.ndarray, _form):
            setattr(StrictArray, _form, _binary(_form))
for _op in ("__neg__", "__pos__", "__abs__", "__invert__"):
    setattr(StrictArray, _op, _unary(_op))


def _unwrap(x):
    """Strict arrays to NumPy for the math underneath; raw NumPy arrays are refused."""
    if isinstance(x, StrictArray):
        return x._a
    if isinstance(x, numpy.ndarray):
        raise TypeError(f"Unsupported type {type(x)} (strict stand-in for CuPy: move NumPy "
                        "arrays with asarray first)")
    if isinstance(x, tuple):
        return tuple(_unwrap(i) for i in x)
    if isinstance(x, list):
        return [_unwrap(i) for i in x]
    return x


def _wrap(x):
    if isinstance(x, numpy.ndarray):
        return StrictArray(x)
    if isinstance(x, numpy.generic):
        return StrictArray(numpy.asarray(x))  # CuPy reductions give 0-d arrays
    if isinstance(x, tuple):
        return tuple(_wrap(i) for i in x)
    if isinstance(x, list) and x and isinstance(x[0], numpy.ndarray):
        return [_wrap(i) for i in x]
    return x


def _wrapped(fn):
    def call(*args, **kwargs):
        out_args = {k: _unwrap(v) for k, v in kwargs.items()}
        return _wrap(fn(*_unwrap(args), **out_args))

    return call


class _Ufunc:
    def __init__(self, ufunc):
        self._u = ufunc

    def __call__(self, *args, **kwargs):
        return _wrapped(self._u)(*args, **kwargs)

    def at(self, a, index, values=None):
        self._u.at(_unwrap(a), _unwrap(index), _unwrap(values))

    def __getattr__(self, name):
        return _wrapped(getattr(self._u, name))


def _asarray(x, dtype=None):
    if isinstance(x, StrictArray):
        return x if dtype is None else StrictArray(x._a.astype(dtype, copy=False))
    return StrictArray(numpy.asarray(x, dtype=dtype))


def _array(x, dtype=None, copy=True):
    inner = x._a if isinstance(x, StrictArray) else x
    return StrictArray(numpy.array(inner, dtype=dtype, copy=copy))


def _asnumpy(x):
    return x._a.copy() if isinstance(x, StrictArray) else numpy.asarray(x)


class _StrictModule(types.ModuleType):
    """The module object: NumPy's names, each refusing NumPy arrays and giving StrictArrays."""

    ndarray = StrictArray

    def __init__(self):
        super().__init__("strict_array_module.module")
        self.asarray = _asarray
        self.array = _array
        self.asnumpy = _asnumpy
        self.ascontiguousarray = _wrapped(numpy.ascontiguousarray)

    def __getattr__(self, name):
        attr = getattr(numpy, name)
        if isinstance(attr, numpy.ufunc):
            return _Ufunc(attr)
        if isinstance(attr, type) or not callable(attr):
            return attr  # dtypes (float32, uint8…), constants (nan, inf), errstate
        return _wrapped(attr)


module = _StrictModule()
