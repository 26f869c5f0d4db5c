"""``Function``: one differentiable op, its forward and its backward rule side by side.

The engine's own ops subclass this class directly and work on arrays (user code subclasses
:class:`backproplab.autograd.custom_function.Function`, ``bp.autograd.Function``, which has
PyTorch's tensor contract). An op is a subclass with two static methods:

* ``forward(ctx, *args)`` gets arrays (tensors unwrapped; other arguments as given),
  returns the output array and saves what backward needs with ``ctx.save_for_backward``.
* ``backward(ctx, grad)`` gets the gradient of the loss with respect to the output and returns
  one gradient per forward argument (``None`` where there is none). Array math goes through
  ``ctx.xp``: the array backend normally, :mod:`backproplab.tensor_math` under
  ``create_graph=True`` — the same rule then builds a graph of its own, which is how second
  derivatives work without a second copy of the math. Gradients may keep a broadcast shape;
  the engine sums them back to each input's shape.

Each op class also carries ``formula`` (the forward math) and ``derivative`` (the local
derivative per input) as text. The explanation features show these next to the numbers the
same backward rule produced, so the math a learner reads is the math the engine ran.

An applied op object is also the graph node (the ``grad_fn``) of its output.
"""

import itertools

from backproplab import backend
from backproplab.autograd import anomaly
from backproplab.autograd.grad_mode import _state as _grad_state

_anomaly = anomaly.state
# Creation order of recorded nodes. Every node is created after the nodes of its inputs, so
# decreasing sequence numbers are a topological order for backward (see engine.py).
_sequence = itertools.count()


class _Clock:
    """Counts every in-place change to any tensor. A node whose recorded tick is still current
    cannot have had its inputs changed, so backward skips the per-input version check.
    One instance with a slot: writing a class attribute instead would invalidate the class's
    attribute caches at every in-place change (measured ~0.1 us per bump_version)."""

    __slots__ = ("tick",)

    def __init__(self):
        self.tick = 0


_InplaceClock = _Clock()


def bump_version(t) -> None:
    """Record that ``t``'s values were changed in place (in-place ops, optimizer updates)."""
    t._counter[0] += 1
    _InplaceClock.tick += 1

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to read values saved for backward "
    "after they were freed). The graph is freed by backward() to save memory; pass "
    "retain_graph=True to the first backward() if you need to go through it again."
)


class Function:
    """Base class of all differentiable ops; see the module docstring for the contract."""

    formula = ""
    derivative = ()
    saves_inputs = True  # backward reads input values, so in-place changes to them are errors
    saves_output = False  # backward reads the output (recomputed under create_graph)
    xp = backend

    # Set by apply() when a graph is recorded.
    parents = ()  # per forward argument: the input's grad_fn, the leaf Tensor itself, or None
    args = ()
    out = None
    out_counter = (0,)  # for saves_output: the output's version counter (see tensor.py)
    out_version = 0  # ... and its value when ``out`` was saved
    versions = 0  # sum of the input tensors' versions when recorded (they only grow)
    seq = 0  # creation order, set when recorded
    tick = 0  # the in-place clock when recorded
    freed = False
    output_modified = False
    site = None
    hooks = None  # tensor hooks registered on this node's output (register_hook)
    retained = None  # weak reference to the output tensor after retain_grad()
    _saved = ()

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    def save_for_backward(self, *values) -> None:
        self._saved = values

    @property
    def saved_tensors(self) -> tuple:
        if self.freed:
            raise RuntimeError(FREED_MESSAGE)
        return self._saved

    @property
    def inputs(self) -> list:
        """Per forward argument: the input Tensor, or None for a non-tensor argument."""
        return [a if isinstance(a, Tensor) else None for a in self.args]

    @property
    def needs_input_grad(self) -> tuple:
        return tuple(p is not None for p in self.parents)

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}Backward>"

    @classmethod
    def apply(cls, *args):
        """Run forward on arrays and, when any input requires grad, record this node.

        This is the engine's per-op overhead, so it is one pass over the arguments that
        collects everything the node needs at once.
        """
        ctx = object.__new__(cls)
        arrays = []
        parents = []
        versions = 0
        needs = False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.array)
                versions += a._counter[0]
                fn = a.grad_fn
                if fn is not None:
                    parents.append(fn)
                    needs = True
                elif a.requires_grad:
                    parents.append(a)
                    needs = True
                else:
                    parents.append(None)
            else:
                arrays.append(a)
                parents.append(None)
        try:
            out = cls.forward(ctx, *arrays)
        except ValueError as e:
            if "broadcast" not in str(e):
                raise
            shapes = " and ".join(str(tuple(a.shape)) for a in args if isinstance(a, Tensor))
            raise RuntimeError(
                f"{cls.__name__}: shapes {shapes} cannot be broadcast together; each trailing "
                "dimension must match or be 1"
            ) from None
        except TypeError:
            if not host_inputs(cls.__name__, args):
                raise
            out = backend.on_host(cls.forward, ctx, *arrays)
        raw_out = out  # what forward saved: a NumPy scalar, not an array, for 0-d results
        if type(out) is not backend.xp.ndarray and not backend.is_array(out):
            out = backend.as_array(out)
        if needs and _grad_state.enabled:
            ctx.parents = parents
            ctx.versions = versions
            ctx.tick = _InplaceClock.tick
            ctx.args = args
            ctx.seq = next(_sequence)
            result = Tensor._make(out, True, ctx)
            if cls.saves_output:
                ctx.out = raw_out
                ctx.out_counter = result._counter  # its version is 0 while ctx.out is current
        else:
            result = Tensor._make(out, False, None)
        if _anomaly.enabled:
            _check_forward(ctx, out)
        return result


def host_inputs(name: str, args) -> bool:
    """After an accelerator module refused an op's arrays: True when every tensor is a CPU
    tensor (the op then runs on NumPy); a clear error when CPU and GPU tensors are mixed."""
    if not backend.accelerated():
        return False
    kinds = {backend.device_type_of(a.array) for a in args if isinstance(a, Tensor)}
    if kinds == {"cpu", "cuda"}:
        raise RuntimeError(f"{name}: expected all tensors to be on the same device, but found "
                           "cpu and cuda:0 tensors; move them with .to(device) first")
    return kinds == {"cpu"}


def _check_forward(ctx, out) -> None:
    ctx.site = anomaly.creation_site()
    xp = backend.xp
    if out.dtype.kind == "f" and not xp.isfinite(out).all():
        bad = "NaN" if xp.isnan(out).any() else "Inf"
        raise anomaly.AnomalyError(
            f"Function '{ctx.name}' returned {bad} values in its forward pass. "
            f"It was created at {ctx.site}"
        )


from backproplab.tensor import Tensor  # noqa: E402 - tensor.py imports this module first
