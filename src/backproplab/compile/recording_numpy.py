"""``backend.xp`` during a trace (see recorder.py): NumPy, with the functions that do not
dispatch on their arguments made to return traced arrays."""

import numpy

from backproplab.compile.traced import TracedArray, TracedScalar


class RecordingNumpy:
    """``backend.xp`` during a trace: NumPy, with the functions that do not dispatch on their
    arguments (array creation, ``asarray``) made to return traced arrays."""

    ndarray = TracedArray
    is_numpy = True  # backend.accelerated(): recording NumPy is still NumPy

    def __init__(self, recorder):
        self._rec = recorder

    def __getattr__(self, name):
        return getattr(numpy, name)

    def asarray(self, x, dtype=None, **kwargs):
        if isinstance(x, TracedArray):
            return x if dtype is None else x.astype(dtype, copy=False)
        if isinstance(x, TracedScalar):
            return self.full((), x, dtype=dtype)
        return numpy.asarray(x, dtype=dtype, **kwargs)

    def array(self, x, dtype=None, copy=True, **kwargs):
        if isinstance(x, TracedArray):
            return x.astype(x.dtype if dtype is None else dtype, copy=bool(copy))
        return self.asarray(x, dtype) if not copy else numpy.array(x, dtype=dtype, **kwargs)

    asanyarray = asarray

    def ascontiguousarray(self, x, dtype=None):
        if isinstance(x, TracedArray) and not x._buf.flags.c_contiguous:
            return x.copy()
        return self.asarray(x, dtype)

    def _new(self, shape, dtype, value, name):
        result = self._rec.wrap(numpy.empty(shape, dtype=dtype), "result")
        if value is not None:
            self._rec.setitem(result, Ellipsis, value)
        return result

    def empty(self, shape, dtype=float, **kwargs):
        return self._new(shape, dtype, None, "empty")

    def zeros(self, shape, dtype=float, **kwargs):
        return self._new(shape, dtype, 0, "zeros")

    def ones(self, shape, dtype=float, **kwargs):
        return self._new(shape, dtype, 1, "ones")

    def full(self, shape, fill_value, dtype=None, **kwargs):
        if dtype is None:
            dtype = numpy.asarray(self._rec.unwrap(fill_value)).dtype
        return self._new(shape, dtype, fill_value, "full")
