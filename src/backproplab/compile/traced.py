"""The values a trace runs on: arrays and Python numbers that report what is done with them.

``TracedArray`` is an ndarray subclass. NumPy hands every ufunc on it (``+``, ``@``, ``exp``,
``.sum()``, ``out=`` updates) to ``__array_ufunc__`` and every other NumPy function to
``__array_function__``; the few methods that do neither (views such as ``.T``, ``reshape``,
indexing, ``astype``, ``copy``, ``item``) are overridden here. Each of them computes the real
result on plain arrays, so the traced step is the eager step, and tells the active
:class:`~backproplab.compile.recorder.Recorder`, which writes the tape.

``TracedScalar`` stands for a Python number the tape must read again at every replay: an
optimizer hyper-parameter, a step count, or ``.item()`` of an array. Arithmetic on it is
recorded; a comparison or ``bool()`` answers with the traced value and records a *guard*, so a
replay that would take the other branch is caught instead of computing wrong numbers.
"""

import operator

import numpy


def _recorder():
    from backproplab.compile.recorder import active

    return active()


class TracedArray(numpy.ndarray):
    """An array of the step being traced; ``_buf`` is the plain array over the same memory."""

    # Set by Recorder.wrap: the plain view, a stable id, the array owning the memory, and
    # how the value came to be ('result', 'view', 'input', 'persistent', 'constant').
    _buf = None
    _id = -1
    _root = None
    _kind = "untracked"
    _base = None
    _scalar = False  # eager mode held this value as a NumPy scalar, not a 0-d array

    def __array_finalize__(self, obj):
        # Reached only through ndarray methods this class does not override: their result
        # is not on the tape, so using it later is an error rather than a frozen value.
        self._kind = "untracked"

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _recorder().ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _recorder().function(func, args, kwargs)

    @property
    def base(self):
        """The array this one is a view of, as for a plain array (None for computed results);
        the engine copies views before storing them as gradients, exactly as in eager mode."""
        return self._base

    @property
    def T(self):
        return _recorder().method(self, "transpose", ())

    def transpose(self, *axes):
        return _recorder().method(self, "transpose", axes)

    def swapaxes(self, a, b):
        return _recorder().method(self, "swapaxes", (a, b))

    def reshape(self, *shape, **kwargs):
        return _recorder().method(self, "reshape", shape, kwargs)

    def squeeze(self, *args, **kwargs):
        return _recorder().method(self, "squeeze", args, kwargs)

    def ravel(self, *args):
        return _recorder().method(self, "ravel", args)

    def flatten(self, *args):
        return _recorder().method(self, "flatten", args)

    def copy(self, *args, **kwargs):
        return _recorder().method(self, "copy", args, kwargs)

    def astype(self, dtype, *args, **kwargs):
        return _recorder().method(self, "astype", (dtype, *args), kwargs)

    def view(self, *args, **kwargs):
        if args and isinstance(args[0], type):
            return numpy.ndarray.view(self, *args, **kwargs)
        return _recorder().method(self, "view", args, kwargs)

    def __getitem__(self, index):
        return _recorder().getitem(self, index)

    def __setitem__(self, index, value):
        _recorder().setitem(self, index, value)

    def fill(self, value):
        _recorder().setitem(self, Ellipsis, value)

    def item(self, *args):
        return _recorder().item(self, args)

    def tolist(self):
        return _recorder().concrete(self, "tolist").tolist()

    def __bool__(self):
        return _recorder().truth(self)

    # A NumPy scalar's ``**`` is C's pow; an array's takes sqrt for ** 0.5 and square for
    # ** 2, which differ from pow in the last bit for about one value in a thousand. So a
    # value eager mode held as a scalar (a full reduction, clip_grad_norm_'s norms) keeps
    # the scalar's power.
    def __pow__(self, other):
        if self._scalar and _scalar_like(other):
            return _recorder().scalar_power(self, other)
        return numpy.ndarray.__pow__(self, other)

    def __rpow__(self, other):
        if self._scalar and _scalar_like(other):
            return _recorder().scalar_power(other, self)
        return numpy.ndarray.__rpow__(self, other)

    def __ipow__(self, other):
        if self._scalar and _scalar_like(other):
            return _recorder().scalar_power(self, other)  # a scalar is rebound, not updated
        return numpy.ndarray.__ipow__(self, other)

    def __float__(self):
        return float(_recorder().item(self, ()))

    def __int__(self):
        return int(_recorder().item(self, ()))

    def __index__(self):
        return operator.index(_recorder().item(self, ()))

    def argmax(self, *args, **kwargs):
        return numpy.argmax(self, *args, **kwargs)

    def argmin(self, *args, **kwargs):
        return numpy.argmin(self, *args, **kwargs)

    def dot(self, other):
        return numpy.dot(self, other)

    def cumsum(self, *args, **kwargs):
        return numpy.cumsum(self, *args, **kwargs)

    def nonzero(self):
        return numpy.nonzero(self)


def _scalar_like(x) -> bool:
    """Not an array in eager mode: a number, a NumPy scalar or a traced one."""
    return not isinstance(x, numpy.ndarray) or (isinstance(x, TracedArray) and x._scalar)


def scalar_power(a, b):
    """``a ** b`` as NumPy scalars compute it (the replay's form of Recorder.scalar_power)."""
    return (a[()] if isinstance(a, numpy.ndarray) else a) ** (
        b[()] if isinstance(b, numpy.ndarray) else b)


def _binary(op, reflected=False):
    def method(self, other):
        if isinstance(other, numpy.ndarray):
            return NotImplemented  # the array's reflected operator turns it into a ufunc
        a, b = (other, self) if reflected else (self, other)
        return _recorder().scalar_op(op, (a, b))

    return method


def _compare(op):
    def method(self, other):
        if isinstance(other, numpy.ndarray):
            return NotImplemented
        return _recorder().scalar_guard(op, (self, other))

    return method


def _unary(op):
    def method(self):
        return _recorder().scalar_op(op, (self,))

    return method


class TracedScalar:
    """A Python number read or computed at every replay (see the module docstring)."""

    __slots__ = ("id", "static", "value")
    __hash__ = None  # equality is traced, so it cannot define a hash

    def __init__(self, value, id: int, static: bool):
        self.value = value
        self.id = id
        self.static = static  # depends only on hyper-parameters, not on the data

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _recorder().ufunc(ufunc, method, inputs, kwargs)

    __add__, __radd__ = _binary(operator.add), _binary(operator.add, True)
    __sub__, __rsub__ = _binary(operator.sub), _binary(operator.sub, True)
    __mul__, __rmul__ = _binary(operator.mul), _binary(operator.mul, True)
    __truediv__, __rtruediv__ = _binary(operator.truediv), _binary(operator.truediv, True)
    __floordiv__, __rfloordiv__ = _binary(operator.floordiv), _binary(operator.floordiv, True)
    __mod__, __rmod__ = _binary(operator.mod), _binary(operator.mod, True)
    __pow__, __rpow__ = _binary(operator.pow), _binary(operator.pow, True)
    __neg__, __pos__, __abs__ = _unary(operator.neg), _unary(operator.pos), _unary(abs)
    __lt__, __le__ = _compare(operator.lt), _compare(operator.le)
    __gt__, __ge__ = _compare(operator.gt), _compare(operator.ge)
    __eq__, __ne__ = _compare(operator.eq), _compare(operator.ne)

    def __bool__(self):
        return _recorder().scalar_guard(operator.truth, (self,))

    def __float__(self):
        return float(_recorder().freeze(self))

    def __int__(self):
        return int(_recorder().freeze(self))

    def __index__(self):
        return operator.index(_recorder().freeze(self))

    def __format__(self, spec):
        return format(self.value, spec)

    def __repr__(self):
        return f"<traced {self.value!r}>"


def arrays_in(args):
    """The traced arrays among ``args``, inside tuples and lists (indices) too."""
    for a in args:
        if isinstance(a, TracedArray):
            yield a
        elif type(a) is tuple or type(a) is list:
            yield from arrays_in(a)
